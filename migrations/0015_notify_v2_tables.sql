CREATE TABLE `received_texts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`sms_sender_id` text,
	`notify_number` text NOT NULL,
	`user_number` text NOT NULL,
	`content` text NOT NULL,
	`provider` text NOT NULL,
	`provider_message_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sms_sender_id`) REFERENCES `sms_senders`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `received_texts_provider_message_idx` ON `received_texts` (`provider`,`provider_message_id`);--> statement-breakpoint
CREATE INDEX `received_texts_tenant_created_idx` ON `received_texts` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `email_files` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`notification_id` text,
	`object_key` text NOT NULL,
	`filename` text,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`secret_hash` text NOT NULL,
	`confirm_email_hash` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`notification_id`) REFERENCES `notifications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `email_files_expires_idx` ON `email_files` (`expires_at`);--> statement-breakpoint
CREATE INDEX `email_files_tenant_created_idx` ON `email_files` (`tenant_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `template_versions` ADD `name` text;--> statement-breakpoint
-- Versions written before names were versioned carry their template's current name.
UPDATE `template_versions` SET `name` = (SELECT `name` FROM `templates` WHERE `templates`.`id` = `template_versions`.`template_id`) WHERE `name` IS NULL;
