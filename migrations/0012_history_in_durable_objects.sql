-- Each workspace's history moves out of D1 into its own Durable Objects (docs/storage.md): its events,
-- deliveries and attempts into history partitions (src/db/history-schema.ts), its recoveries and its
-- destinations' run of failures into the workspace's object (src/db/workspace-schema.ts). D1 keeps the
-- control plane only. Nothing was deployed before this, so nothing is copied: the tables go.
DROP TABLE IF EXISTS `attempts`;
--> statement-breakpoint
DROP TABLE IF EXISTS `deliveries`;
--> statement-breakpoint
DROP TABLE IF EXISTS `recoveries`;
--> statement-breakpoint
DROP TABLE IF EXISTS `events`;
--> statement-breakpoint
DROP INDEX IF EXISTS `destinations_failing`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `send_path`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `consecutive_failures`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `failures_since`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `next_probe_at`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `failing_announced_since`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `exhausted_announced_at`;
--> statement-breakpoint
ALTER TABLE `destinations` DROP COLUMN `exhausted_unannounced`;
