CREATE TABLE `destination_health` (
	`destination_id` text PRIMARY KEY NOT NULL,
	`send_path` text DEFAULT 'lane' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`failures_since` integer,
	`next_probe_at` integer,
	`failing_announced_since` integer,
	`exhausted_announced_at` integer,
	`exhausted_unannounced` integer DEFAULT 0 NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`action` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `partitions` (
	`start` integer NOT NULL,
	`seconds` integer NOT NULL,
	`registered_at` integer NOT NULL,
	PRIMARY KEY(`start`, `seconds`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `recoveries` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_uuid` text NOT NULL,
	`destination_id` text NOT NULL,
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
CREATE UNIQUE INDEX `recoveries_running` ON `recoveries` (`destination_id`) WHERE status = 'running';--> statement-breakpoint
CREATE INDEX `recoveries_destination` ON `recoveries` (`destination_id`,`id`);