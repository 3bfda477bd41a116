ALTER TABLE `notifications` ADD `count_scheduled` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_created` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_sending` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_delivered` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_permanent_failure` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_temporary_failure` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_technical_failure` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `count_cancelled` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill: existing notifications get the counts of the messages they already have (their status
-- was derived from those same messages, so it is left as it is).
UPDATE `notifications` SET
  `count_scheduled` = `t`.`n_scheduled`,
  `count_created` = `t`.`n_created`,
  `count_sending` = `t`.`n_sending`,
  `count_delivered` = `t`.`n_delivered`,
  `count_permanent_failure` = `t`.`n_permanent_failure`,
  `count_temporary_failure` = `t`.`n_temporary_failure`,
  `count_technical_failure` = `t`.`n_technical_failure`,
  `count_cancelled` = `t`.`n_cancelled`
FROM (
  SELECT `notification_id`,
    SUM(`status` = 'scheduled') AS `n_scheduled`,
    SUM(`status` = 'created') AS `n_created`,
    SUM(`status` = 'sending') AS `n_sending`,
    SUM(`status` = 'delivered') AS `n_delivered`,
    SUM(`status` = 'permanent-failure') AS `n_permanent_failure`,
    SUM(`status` = 'temporary-failure') AS `n_temporary_failure`,
    SUM(`status` = 'technical-failure') AS `n_technical_failure`,
    SUM(`status` = 'cancelled') AS `n_cancelled`
  FROM `messages` GROUP BY `notification_id`
) AS `t`
WHERE `notifications`.`id` = `t`.`notification_id`;
