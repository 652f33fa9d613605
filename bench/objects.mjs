// The bench's window on the workspaces' Durable Objects (docs/storage.md): which history partition an id
// names (the same rules as src/history/ids.ts), and the objects' own RPC methods called from Node through
// Miniflare's proxy (`mf.getDurableObjectNamespace`). Nothing here runs SQL: what it reads is what the
// worker's objects answer, and what it seeds goes through their write methods, as the worker's would.

const HISTORY_ID = /^(evt|dlv)_([0-9a-f]{12})([0-9a-f]{5})[0-9a-f]{15}$/;
const hex = (value, digits) => value.toString(16).padStart(digits, "0");

export const partitionAt = (workspaceUuid, at, seconds) => ({
  workspaceUuid,
  start: Math.floor(at / (seconds * 1000)) * seconds * 1000,
  seconds,
});
export const partitionName = (p) => `${p.workspaceUuid}/${p.start}/${p.seconds}`;

/** The partition an id we made names (null for a client's event id). */
export function partitionOfId(workspaceUuid, id) {
  const m = HISTORY_ID.exec(id);
  if (!m) return null;
  return partitionAt(workspaceUuid, Number.parseInt(m[2], 16), Number.parseInt(m[3], 16));
}

/** A new id of a record made at `at` in partitions of `seconds` (src/history/ids.ts historyId). */
export function historyId(prefix, at, seconds) {
  const tail = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => hex(b, 2)).join("");
  return `${prefix}_${hex(at, 12)}${hex(seconds, 5)}${tail.slice(0, 15)}`;
}

/** An RPC answer as plain data (Miniflare's proxy hands objects back as proxies). */
export const plain = (x) => (x === undefined ? x : JSON.parse(JSON.stringify(x)));

/** `{ history(p), workspace(uuid) }`: stubs of a pipeline's objects, cached per Miniflare instance. */
export async function objectsOf(p) {
  if (!p.objects) {
    const [history, workspace] = await Promise.all([
      p.mf.getDurableObjectNamespace("HISTORY", p.workerName),
      p.mf.getDurableObjectNamespace("WORKSPACE", p.workerName),
    ]);
    p.objects = {
      history: (partition) => history.get(history.idFromName(partitionName(partition))),
      workspace: (uuid) => workspace.get(workspace.idFromName(uuid)),
    };
  }
  return p.objects;
}

/** Puts destinations on the consumer's direct path, as a run of quick answers would have. */
export async function setDirect(p, workspaceUuid, destinationIds) {
  const o = await objectsOf(p);
  await o.workspace(workspaceUuid).setSendPath(destinationIds, "direct");
}

/** A destination's health as its workspace's object keeps it. */
export async function healthOf(p, workspaceUuid, destinationId) {
  const o = await objectsOf(p);
  return plain(await o.workspace(workspaceUuid).health([destinationId]))[destinationId];
}

/** Refs grouped by the partition each id names: [{ p, refs: [{ id, destinationId }] }]. */
export function byPartition(workspaceUuid, refs) {
  const groups = new Map();
  for (const r of refs) {
    const p = partitionOfId(workspaceUuid, r.id);
    if (!p) continue;
    const key = partitionName(p);
    const g = groups.get(key) ?? { p, refs: [] };
    g.refs.push({ id: r.id, destinationId: r.destinationId });
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The delivery rows of these refs ({ id, destinationId }), read from their partitions' objects. */
export async function deliveryRows(p, workspaceUuid, refs) {
  const o = await objectsOf(p);
  const rows = [];
  for (const { p: partition, refs: group } of byPartition(workspaceUuid, refs))
    for (let i = 0; i < group.length; i += 1000)
      rows.push(...plain(await o.history(partition).deliveriesOf(partition, group.slice(i, i + 1000))));
  return rows;
}
