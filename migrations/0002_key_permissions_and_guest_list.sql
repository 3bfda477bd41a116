CREATE TABLE `guest_list_entries` (
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `kind`, `value`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `permissions` text DEFAULT '["send","read"]' NOT NULL;--> statement-breakpoint
-- Existing live keys keep what they could do before permissions existed (everything).
UPDATE `api_keys` SET `permissions` = '["send","read","manage"]' WHERE `type` = 'live';
