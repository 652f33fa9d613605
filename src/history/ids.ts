// History records name their partition (docs/storage.md): an event or delivery id made here is
// `<prefix>_` + 12 hex digits of its creation time in ms, 5 of its partition's length in seconds, then 15
// random ones (60 bits). Ids sort by age, and the partition that holds a record follows from its id alone,
// whatever HISTORY_PARTITION_HOURS says today. An event id a client chose names nothing; it is looked for.

/** One partition of one workspace's history: the records created in [start, start + seconds s). */
export type Partition = { workspaceUuid: string; start: number; seconds: number };

const HISTORY_ID = /^(evt|dlv)_([0-9a-f]{12})([0-9a-f]{5})[0-9a-f]{15}$/;

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, "0");

/** The partition of `workspaceUuid` that holds what is created at `at`, for partitions of `seconds`. */
export function partitionAt(workspaceUuid: string, at: number, seconds: number): Partition {
  const length = seconds * 1000;
  return { workspaceUuid, start: Math.floor(at / length) * length, seconds };
}

export const partitionEnd = (p: Pick<Partition, "start" | "seconds">) => p.start + p.seconds * 1000;

/** A new id for a record created at `at` in a partition of `seconds`. */
export function historyId(prefix: "evt" | "dlv", at: number, seconds: number): string {
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  let tail = "";
  for (const byte of random) tail += hex(byte, 2);
  return `${prefix}_${hex(at, 12)}${hex(seconds, 5)}${tail.slice(0, 15)}`;
}

/** A new id for a record of `partition` created now: its time is kept inside the partition, so a record
 * made as the partition ends is never named for the next one. */
export function idIn(prefix: "evt" | "dlv", partition: Partition, now = Date.now()): string {
  return historyId(
    prefix,
    Math.min(Math.max(now, partition.start), partitionEnd(partition) - 1),
    partition.seconds,
  );
}

/** The partition an id was made in; null for an id we did not make (a client's event id). */
export function partitionOfId(workspaceUuid: string, id: string): Partition | null {
  const match = HISTORY_ID.exec(id);
  if (!match) return null;
  const seconds = Number.parseInt(match[3] as string, 16);
  if (seconds < 1) return null;
  return partitionAt(workspaceUuid, Number.parseInt(match[2] as string, 16), seconds);
}

/** The creation time an id says (ms); null for an id we did not make. */
export function timeOfId(id: string): number | null {
  const match = HISTORY_ID.exec(id);
  return match ? Number.parseInt(match[2] as string, 16) : null;
}

/** The smallest id made at `ms` (for walks by age: every id made then or later sorts at or after it). */
export const firstIdAt = (prefix: "evt" | "dlv", ms: number) => `${prefix}_${hex(Math.max(0, ms), 12)}`;

/** The Durable Object name of a partition: the workspace, its start and its length. */
export const partitionName = (p: Partition) => `${p.workspaceUuid}/${p.start}/${p.seconds}`;

/** The partition a name stands for (the inverse of partitionName); null for a name that is not one. */
export function partitionOfName(name: string): Partition | null {
  const [workspaceUuid, start, seconds, rest] = name.split("/");
  if (!workspaceUuid || rest !== undefined || !/^\d+$/.test(start ?? "") || !/^\d+$/.test(seconds ?? ""))
    return null;
  return { workspaceUuid, start: Number(start), seconds: Number(seconds) };
}
