-- The workspace's activity (docs/lifecycle.md): its operational events, newest first, read through this
-- partial index alone — only the service's own events are in it, so contact events' writes pay nothing.
-- Their ids are UUIDv7, so id order is time order.
CREATE INDEX `events_operational` ON `events` (`workspace_uuid`, `id`)
  WHERE `type` IN ('destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted');
