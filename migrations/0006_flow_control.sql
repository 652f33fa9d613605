-- Flow control (docs/flow-control.md): a destination's rate limit, the path its deliveries take (the
-- consumer's direct path, or the destination's own lane), and its run of failed attempts, from which
-- the failing state follows. New and existing destinations start in their lane. A delivery the lane
-- holds keeps its due time in lane_due_at, out of the recovery sweep's sight.
ALTER TABLE `destinations` ADD `rate_limit_per_second` integer;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `send_path` text DEFAULT 'lane' NOT NULL;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `consecutive_failures` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `failures_since` integer;
--> statement-breakpoint
ALTER TABLE `destinations` ADD `next_probe_at` integer;
--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lane_due_at` integer;
