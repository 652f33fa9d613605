// Types for hostile-requests.mjs (plain JavaScript so that scripts/soak.mjs can run it under Node).
import type { Arbitrary } from "fast-check";

export type Route = {
  method: string;
  path: string;
  auth: "none" | "operator" | "workspace";
  body:
    | "none"
    | "workspace"
    | "event"
    | "destination"
    | "patch"
    | "rotate"
    | "preview"
    | "replay"
    | "recover";
  writes: boolean;
  idKind?: "destination" | "key";
};

export type WorkspaceFixture = {
  ws: string;
  key: string;
  destinationId: string;
  deliveryId: string;
  /** The event of `deliveryId`. */
  eventId: string;
  /** A finished recovery of `destinationId`. */
  recoveryId: string;
  keyId: string;
};

export type Fixtures = {
  operatorToken: string;
  /** The workspace whose key the requests carry. */
  own: WorkspaceFixture & {
    /** A disabled destination; `deliveryId` belongs to it (so redelivering it is a 409). */
    disabledDestinationId: string;
    /** A key of this workspace that was revoked. */
    revokedKey: string;
  };
  /** Another workspace: its ids must stay out of reach of the own key. */
  other: WorkspaceFixture;
};

export type HostileRequest = {
  kind: "auth" | "path" | "body" | "conflict" | "read" | "route";
  label: string;
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  mustReject: boolean;
};

export type Answer = {
  status: number;
  contentType: string | null;
  excerpt?: string;
  /** The request got no answer (a connection error, a timeout). */
  error?: string;
  /** The client itself refused to send the request: no fault of the worker's. */
  unsendable?: string;
};

export type Failure = {
  indexes: number[];
  problems: string[];
  requests: HostileRequest[];
  answers: Answer[];
};

export type FuzzResult = {
  sent: number;
  statuses: Record<string, number>;
  kinds: Record<string, number>;
  failures: Failure[];
};

export const CONTACT_EVENT_TYPES: string[];
export const ROUTES: Route[];
export const TABLES: string[];
export function deepJson(depth: number, shape?: "array" | "object" | "mixed"): string;
export function hostileRequest(fixtures: Fixtures): Arbitrary<HostileRequest>;
export function problemsWith(request: HostileRequest, answer: Answer): string[];
export function runHostileRequests(
  requests: HostileRequest[],
  options: {
    send: (request: HostileRequest) => Promise<Answer>;
    countRows: () => Promise<Record<string, number>>;
    batchSize?: number;
    concurrency?: number;
    offset?: number;
  },
): Promise<FuzzResult>;
export function describeRequest(request: HostileRequest, max?: number): string;
export function describeFailure(failure: Failure, max?: number): string;
export function summarizeFailures(failures: Failure[], max?: number): string[];
