ALTER TABLE `notifications` ADD `pending_chunks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `cancel_requested_at` integer;