-- Filter keys (docs/filters.md#at-fan-out): a filter's equality key on its destination, and on each of
-- its subscriptions how the fan-out selects it, so that destinations whose key an event does not meet are
-- never read. Filters saved before this have no key yet: they are read for every event (kind 2), as before.
ALTER TABLE `destinations` ADD `filter_key_path` text;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `filter_key_value` text;
--> statement-breakpoint
ALTER TABLE `destination_event_types` ADD `filter_kind` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `destination_event_types` ADD `filter_path` text;
--> statement-breakpoint
ALTER TABLE `destination_event_types` ADD `filter_value` text;
--> statement-breakpoint
UPDATE `destination_event_types` SET `filter_kind` = 2
  WHERE `destination_id` IN (SELECT `id` FROM `destinations` WHERE `filter` IS NOT NULL);
--> statement-breakpoint
DROP INDEX `subscriptions_fanout`;
--> statement-breakpoint
CREATE INDEX `subscriptions_fanout` ON `destination_event_types`
  (`workspace_uuid`, `event_type`, `filter_kind`, `filter_path`, `filter_value`, `destination_id`);
