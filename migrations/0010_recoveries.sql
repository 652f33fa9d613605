-- Recovery in bulk (docs/lifecycle.md): a destination's failed and skipped deliveries of a window re-opened
-- in chunks by its lane. One runs per destination at a time: the partial unique index is that rule, so two
-- requests racing to start one cannot both succeed. `cursor` is the last delivery id re-opened so far.
CREATE TABLE `recoveries` (
  `id` text PRIMARY KEY NOT NULL,
  `workspace_uuid` text NOT NULL REFERENCES `workspaces`(`uuid`) ON DELETE cascade,
  `destination_id` text NOT NULL REFERENCES `destinations`(`id`) ON DELETE cascade,
  `since` integer NOT NULL,
  `until` integer NOT NULL,
  `statuses` text NOT NULL,
  `status` text DEFAULT 'running' NOT NULL,
  `total` integer NOT NULL,
  `sent` integer DEFAULT 0 NOT NULL,
  `cursor` text,
  `created_at` integer NOT NULL,
  `updated_at` integer NOT NULL,
  `finished_at` integer,
  `reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recoveries_running` ON `recoveries` (`destination_id`) WHERE `status` = 'running';
--> statement-breakpoint
CREATE INDEX `recoveries_destination` ON `recoveries` (`destination_id`, `id`);
