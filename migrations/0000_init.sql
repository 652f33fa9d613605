CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_uuid` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`workspace_uuid`) REFERENCES `workspaces`(`uuid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_workspace` ON `api_keys` (`workspace_uuid`);--> statement-breakpoint
CREATE TABLE `destinations` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_uuid` text NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`method` text NOT NULL,
	`url_template` text NOT NULL,
	`headers_template` text DEFAULT '[]' NOT NULL,
	`query_template` text DEFAULT '[]' NOT NULL,
	`body_template` text,
	`timeout_seconds` integer DEFAULT 10 NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`secret_hint` text NOT NULL,
	`secret_version` integer DEFAULT 1 NOT NULL,
	`previous_secret_ciphertext` text,
	`previous_secret_expires_at` integer,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_uuid`) REFERENCES `workspaces`(`uuid`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "destinations_timeout_range" CHECK("destinations"."timeout_seconds" BETWEEN 1 AND 30)
);
--> statement-breakpoint
CREATE INDEX `destinations_workspace_id` ON `destinations` (`workspace_uuid`,`id`);--> statement-breakpoint
CREATE TABLE `destination_event_types` (
	`destination_id` text NOT NULL,
	`workspace_uuid` text NOT NULL,
	`event_type` text NOT NULL,
	PRIMARY KEY(`destination_id`, `event_type`),
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `subscriptions_fanout` ON `destination_event_types` (`workspace_uuid`,`event_type`,`destination_id`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`uuid` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
