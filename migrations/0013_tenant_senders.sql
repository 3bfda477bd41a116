CREATE TABLE `reply_to_addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`is_default` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reply_to_addresses_tenant_email_idx` ON `reply_to_addresses` (`tenant_id`,`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `reply_to_addresses_one_default_idx` ON `reply_to_addresses` (`tenant_id`) WHERE is_default = 1;--> statement-breakpoint
CREATE INDEX `reply_to_addresses_tenant_created_idx` ON `reply_to_addresses` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `sms_senders` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`sender` text NOT NULL,
	`is_default` integer NOT NULL,
	`inbound` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sms_senders_tenant_sender_idx` ON `sms_senders` (`tenant_id`,`sender`);--> statement-breakpoint
CREATE UNIQUE INDEX `sms_senders_one_default_idx` ON `sms_senders` (`tenant_id`) WHERE is_default = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `sms_senders_inbound_number_idx` ON `sms_senders` (`sender`) WHERE inbound = 1;--> statement-breakpoint
CREATE INDEX `sms_senders_tenant_created_idx` ON `sms_senders` (`tenant_id`,`created_at`,`id`);