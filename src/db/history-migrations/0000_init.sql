CREATE TABLE `deliveries` (
	`destination_id` text NOT NULL,
	`id` text NOT NULL,
	`workspace_uuid` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts_made` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`lane_due_at` integer,
	`status_reason` text,
	`dead_lettered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`destination_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`next_attempt_at`) WHERE status = 'pending' AND next_attempt_at <> created_at;--> statement-breakpoint
CREATE TABLE `events` (
	`workspace_uuid` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`created_at` integer NOT NULL,
	`payload` text NOT NULL,
	`fan_out_count` integer DEFAULT 0 NOT NULL,
	`copy_of` text,
	`copies` text DEFAULT '[]' NOT NULL,
	`deliveries` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`workspace_uuid`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `events_operational` ON `events` (`id`) WHERE type IN ('destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted') AND copy_of IS NULL;--> statement-breakpoint
CREATE VIEW `attempts` AS select d.id as "delivery_id", a.value ->> 0 as "number", a.value ->> 1 as "started_at", a.value ->> 2 as "method", a.value ->> 3 as "url", a.value -> 4 as "request_headers", a.value ->> 5 as "response_status", a.value ->> 6 as "response_body", a.value ->> 7 as "duration_ms", a.value ->> 8 as "error_class", a.value ->> 9 as "error_message" from deliveries AS d, json_each(d.attempts) AS a;