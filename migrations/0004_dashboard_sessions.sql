CREATE TABLE `dashboard_session_workspaces` (
	`session_id` text NOT NULL,
	`workspace_uuid` text NOT NULL,
	`api_key_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `workspace_uuid`),
	FOREIGN KEY (`session_id`) REFERENCES `dashboard_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_uuid`) REFERENCES `workspaces`(`uuid`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `dashboard_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`current_workspace_uuid` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dashboard_sessions_token_hash` ON `dashboard_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `dashboard_sessions_expires` ON `dashboard_sessions` (`expires_at`);