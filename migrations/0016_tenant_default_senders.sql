ALTER TABLE `tenants` ADD `default_reply_to` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `default_sms_sender` text;--> statement-breakpoint
-- Backfill: tenants that already marked a default get its value copied onto their row.
UPDATE `tenants` SET `default_reply_to` = (SELECT `email` FROM `reply_to_addresses` r WHERE r.`tenant_id` = `tenants`.`id` AND r.`is_default` = 1);--> statement-breakpoint
UPDATE `tenants` SET `default_sms_sender` = (SELECT `sender` FROM `sms_senders` s WHERE s.`tenant_id` = `tenants`.`id` AND s.`is_default` = 1);
