CREATE TABLE `early_receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`provider_message_id` text NOT NULL,
	`recipient` text,
	`receipt` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `early_receipts_message_idx` ON `early_receipts` (`provider_message_id`,`provider`);--> statement-breakpoint
CREATE INDEX `early_receipts_received_idx` ON `early_receipts` (`received_at`);--> statement-breakpoint
-- Duplicates written before this index (a repeated status move) keep their first row.
DELETE FROM `callback_events` WHERE rowid NOT IN (SELECT MIN(rowid) FROM `callback_events` GROUP BY `message_id`, `callback_id`, `status`);--> statement-breakpoint
CREATE UNIQUE INDEX `callback_events_once_idx` ON `callback_events` (`message_id`,`callback_id`,`status`);