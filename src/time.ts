// Records keep unix milliseconds (they sort, compare and index as integers); the API speaks ISO 8601.
export const iso = (ms: number) => new Date(ms).toISOString();

export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
