PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_callback_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text DEFAULT 'message.status' NOT NULL,
	`notification_id` text,
	`message_id` text NOT NULL,
	`callback_id` text NOT NULL,
	`status` text,
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
INSERT INTO `__new_callback_events`("id", "tenant_id", "kind", "notification_id", "message_id", "callback_id", "status", "detail", "state", "attempts", "series_start", "next_attempt_at", "lease_until", "lease_token", "occurred_at", "created_at", "updated_at") SELECT "id", "tenant_id", 'message.status', "notification_id", "message_id", "callback_id", "status", "detail", "state", "attempts", "series_start", "next_attempt_at", "lease_until", "lease_token", "occurred_at", "created_at", "updated_at" FROM `callback_events`;--> statement-breakpoint
-- D1 runs a migration in a transaction, where PRAGMA foreign_keys=OFF does nothing: dropping
-- callback_events would then cascade to callback_attempts. Their rows are kept aside and put back.
CREATE TABLE `__keep_callback_attempts` AS SELECT * FROM `callback_attempts`;--> statement-breakpoint
DROP TABLE `callback_events`;--> statement-breakpoint
ALTER TABLE `__new_callback_events` RENAME TO `callback_events`;--> statement-breakpoint
DELETE FROM `callback_attempts`;--> statement-breakpoint
INSERT INTO `callback_attempts` SELECT * FROM `__keep_callback_attempts`;--> statement-breakpoint
DROP TABLE `__keep_callback_attempts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `callback_events_page_idx` ON `callback_events` (`notification_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `callback_events_due_idx` ON `callback_events` (`next_attempt_at`) WHERE state IN ('pending', 'delivering');--> statement-breakpoint
CREATE UNIQUE INDEX `callback_events_once_idx` ON `callback_events` (`message_id`,`callback_id`,`status`);