CREATE TABLE `callback_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`http_status` integer,
	`error` text,
	`response_snippet` text,
	FOREIGN KEY (`event_id`) REFERENCES `callback_events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `callback_attempts_event_idx` ON `callback_attempts` (`event_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `callback_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`notification_id` text NOT NULL,
	`message_id` text NOT NULL,
	`callback_id` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`series_start` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`lease_token` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `callback_events_page_idx` ON `callback_events` (`notification_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `callback_events_due_idx` ON `callback_events` (`next_attempt_at`) WHERE state IN ('pending', 'delivering');--> statement-breakpoint
CREATE TABLE `callbacks` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`headers_sealed` text,
	`header_names` text NOT NULL,
	`channel_types` text NOT NULL,
	`triggers` text NOT NULL,
	`statuses` text NOT NULL,
	`fires_on` text NOT NULL,
	`active` integer NOT NULL,
	`disabled_reason` text,
	`description` text,
	`secret_sealed` text NOT NULL,
	`previous_secret_sealed` text,
	`previous_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `callbacks_tenant_created_idx` ON `callbacks` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `callbacks` text;