CREATE TABLE `dashboard_reveals` (
	`session_id` text NOT NULL,
	`destination_id` text NOT NULL,
	`reason` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `destination_id`),
	FOREIGN KEY (`session_id`) REFERENCES `dashboard_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`destination_id`) REFERENCES `destinations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dashboard_reveals_destination` ON `dashboard_reveals` (`destination_id`);