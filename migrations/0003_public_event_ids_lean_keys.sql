-- Events are keyed by (workspace, public id): the client's id when it sent one, so that id is the event's
-- id everywhere. Events, deliveries and attempts become WITHOUT ROWID tables (one write per row, not a row
-- plus a key index), and deliveries keep only the indexes a query needs (docs/capacity.md).
--
-- Written by hand, not by drizzle-kit: D1 enforces foreign keys in migrations, so dropping an old table
-- would cascade into its children. The new tables are filled first, then the old ones are dropped children
-- first (nothing left to cascade into), then the new ones take the old names; SQLite renames the foreign
-- key references with them.
CREATE TABLE `events_new` (
	`workspace_uuid` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_uuid`, `id`),
	FOREIGN KEY (`workspace_uuid`) REFERENCES `workspaces`(`uuid`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `events_new` (`workspace_uuid`, `id`, `type`, `payload`, `created_at`)
SELECT `workspace_uuid`, coalesce(`client_event_id`, `id`), `type`,
       json_set(`payload`, '$.event.id', coalesce(`client_event_id`, `id`)), `created_at`
FROM `events`;
--> statement-breakpoint
CREATE TABLE `deliveries_new` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_uuid` text NOT NULL,
	`destination_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts_made` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`status_reason` text,
	`dead_lettered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_uuid`,`event_id`) REFERENCES `events_new`(`workspace_uuid`,`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `deliveries_new`
SELECT d.`id`, d.`workspace_uuid`, d.`destination_id`, coalesce(e.`client_event_id`, e.`id`), d.`event_type`, d.`status`,
       d.`attempts_made`, d.`next_attempt_at`, d.`status_reason`, d.`dead_lettered_at`, d.`created_at`, d.`updated_at`
FROM `deliveries` AS d JOIN `events` AS e ON e.`id` = d.`event_id`;
--> statement-breakpoint
CREATE TABLE `attempts_new` (
	`delivery_id` text NOT NULL,
	`number` integer NOT NULL,
	`started_at` integer NOT NULL,
	`method` text NOT NULL,
	`url` text NOT NULL,
	`request_headers` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`duration_ms` integer NOT NULL,
	`error_class` text,
	`error_message` text,
	PRIMARY KEY(`delivery_id`, `number`),
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries_new`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `attempts_new` SELECT * FROM `attempts`;
--> statement-breakpoint
DROP TABLE `attempts`;
--> statement-breakpoint
DROP TABLE `deliveries`;
--> statement-breakpoint
DROP TABLE `events`;
--> statement-breakpoint
ALTER TABLE `events_new` RENAME TO `events`;
--> statement-breakpoint
ALTER TABLE `deliveries_new` RENAME TO `deliveries`;
--> statement-breakpoint
ALTER TABLE `attempts_new` RENAME TO `attempts`;
--> statement-breakpoint
CREATE INDEX `events_created_at` ON `events` (`created_at`);
--> statement-breakpoint
CREATE INDEX `deliveries_destination` ON `deliveries` (`destination_id`,`id`);
--> statement-breakpoint
CREATE INDEX `deliveries_event` ON `deliveries` (`workspace_uuid`,`event_id`);
--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`next_attempt_at`) WHERE status = 'pending' AND next_attempt_at <> created_at;
