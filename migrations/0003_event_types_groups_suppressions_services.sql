CREATE TABLE `event_type_versions` (
	`event_type_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`channels` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`event_type_id`, `version`),
	FOREIGN KEY (`event_type_id`) REFERENCES `event_types`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `event_types` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`code` text NOT NULL,
	`current_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `event_types_tenant_code_live_idx` ON `event_types` (`tenant_id`,`code`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `event_types_tenant_created_idx` ON `event_types` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `recipient_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`members` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recipient_groups_tenant_name_idx` ON `recipient_groups` (`tenant_id`,`name`);--> statement-breakpoint
CREATE INDEX `recipient_groups_tenant_created_idx` ON `recipient_groups` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`reason` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suppressions_tenant_recipient_idx` ON `suppressions` (`tenant_id`,`channel`,`recipient`);--> statement-breakpoint
CREATE INDEX `suppressions_tenant_created_idx` ON `suppressions` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `tenant_services` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`auth_header_ciphertext` text,
	`config` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenant_services_tenant_kind_name_idx` ON `tenant_services` (`tenant_id`,`kind`,`name`);--> statement-breakpoint
CREATE INDEX `tenant_services_tenant_created_idx` ON `tenant_services` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `event_type_code` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `event_type_version` integer;--> statement-breakpoint
ALTER TABLE `notifications` ADD `resolution` text;