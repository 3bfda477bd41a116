CREATE TABLE `template_versions` (
	`template_id` text NOT NULL,
	`version` integer NOT NULL,
	`subject` text,
	`body` text,
	`body_type` text,
	`renderer` text NOT NULL,
	`card` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`template_id`, `version`),
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`channel` text NOT NULL,
	`current_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_tenant_name_live_idx` ON `templates` (`tenant_id`,`name`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `templates_tenant_created_idx` ON `templates` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`notification_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`channel` text NOT NULL,
	`state` text NOT NULL,
	`provider` text NOT NULL,
	`payload` text NOT NULL,
	`provider_message_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`lease_token` text,
	`scheduled_for` integer,
	`enqueued_at` integer,
	`last_error` text,
	`template_id` text,
	`template_version` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_notification_idx` ON `deliveries` (`notification_id`);--> statement-breakpoint
CREATE INDEX `deliveries_state_scheduled_idx` ON `deliveries` (`state`,`scheduled_for`);--> statement-breakpoint
CREATE INDEX `deliveries_state_enqueued_idx` ON `deliveries` (`state`,`enqueued_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL,
	`notification_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`role` text,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_notification_idx` ON `messages` (`notification_id`);--> statement-breakpoint
CREATE INDEX `messages_delivery_idx` ON `messages` (`delivery_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`status` text NOT NULL,
	`key_type` text NOT NULL,
	`source` text NOT NULL,
	`correlation_id` text,
	`tags` text NOT NULL,
	`channels` text NOT NULL,
	`message_count` integer NOT NULL,
	`scheduled_for` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_tenant_created_idx` ON `notifications` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_tenant_correlation_idx` ON `notifications` (`tenant_id`,`correlation_id`);--> statement-breakpoint
CREATE INDEX `notifications_tenant_status_idx` ON `notifications` (`tenant_id`,`status`,`created_at`);