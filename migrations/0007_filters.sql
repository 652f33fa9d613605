-- Filters (docs/filters.md): a destination's filter on its subscription, and the event's mark that the
-- deliveries of its filtered destinations are still to be written (the cron finishes what an ingest left).
ALTER TABLE `destinations` ADD `filter` text;
--> statement-breakpoint
ALTER TABLE `events` ADD `filters_pending` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE INDEX `events_filters_pending` ON `events` (`created_at`) WHERE filters_pending = 1;
