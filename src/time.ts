// Records keep unix milliseconds (they sort, compare and index as integers); the API speaks ISO 8601.

// The last conversion, kept: the records of one answer mostly share their timestamps (an ingest answer's
// deliveries were all created, updated and made due at the same millisecond).
let lastMs = Number.NaN;
let lastIso = "";

export function iso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
