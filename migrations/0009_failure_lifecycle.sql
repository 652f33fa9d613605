-- The failure lifecycle (docs/lifecycle.md): what has been announced about each destination, so that an
-- operational event is emitted once per state change. failing_announced_since is the failing_since that
-- destination.failing announced (null: none is announced, or the destination recovered since); the
-- exhausted_* pair throttles delivery.exhausted to one an hour, counting the failures it held back.
ALTER TABLE `destinations` ADD `failing_announced_since` integer;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `exhausted_announced_at` integer;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `exhausted_unannounced` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- The cron's auto-disable reads destinations with a run of failures only.
CREATE INDEX `destinations_failing` ON `destinations` (`failures_since`) WHERE `failures_since` IS NOT NULL;
