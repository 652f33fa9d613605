// The ways the soak's receiver misbehaves, how often, and what the worker must record for each.
//
// A fault is a pure function of (seed, event, destination, attempt number): the same seed replays the
// same faults on the same deliveries, whatever the timing.
import { createHash } from "node:crypto";

/** Each fault: what the receiver does, and the attempt the worker must record for it. */
export const FAULTS = {
  ok: { does: "answers 200 (or 204) at once", records: "success" },
  slow: { does: "answers 200 after 100–400 ms", records: "success" },
  big: { does: "answers 200 with a 2 MB body", records: "success" },
  error500: { does: "answers 500", records: "http_status 500" },
  throttle429: { does: "answers 429 with Retry-After", records: "http_status 429" },
  redirect: { does: "answers a 3xx with a Location", records: "http_status 3xx" },
  gone: { does: "answers 410 Gone (only on the destinations set aside for it)", records: "http_status 410" },
  hang: { does: "never answers", records: "timeout" },
  stall: { does: "sends headers and part of the body, then nothing", records: "timeout" },
  reset: { does: "reads the request, then destroys the socket", records: "network_error" },
};

/** The share of requests that get each fault; `ok` takes the rest. */
export const DEFAULT_SHARES = {
  slow: 0.05,
  big: 0.02,
  error500: 0.06,
  throttle429: 0.03,
  redirect: 0.02,
  gone: 0.03,
  hang: 0.01,
  stall: 0.01,
  reset: 0.03,
};

/** `error500=0.1,hang=0` → shares, starting from the defaults. */
export function parseShares(spec) {
  const shares = { ...DEFAULT_SHARES };
  if (!spec) return shares;
  for (const part of spec.split(",")) {
    const [name, value] = part.split("=");
    const share = Number(value);
    if (!(name in DEFAULT_SHARES) || !(share >= 0 && share <= 1))
      throw new Error(
        `--faults: "${part}" is not name=share with a name among ${Object.keys(DEFAULT_SHARES).join(", ")}`,
      );
    shares[name] = share;
  }
  const total = Object.values(shares).reduce((a, b) => a + b, 0);
  if (total > 1) throw new Error(`--faults: the shares add up to ${total.toFixed(3)}, more than 1`);
  return shares;
}

/** A number in [0, 1) from its parts: the first 48 bits of their SHA-256. */
export function unitHash(...parts) {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The fault for one request. `key` identifies it (seed, event, destination, attempt); `gone` says
 * whether 410 may be chosen (a 410 disables the destination, so only a few destinations get it).
 */
export function chooseFault(shares, key, { gone }) {
  let u = unitHash(...key);
  for (const [name, share] of Object.entries(shares)) {
    if (u < share) return name === "gone" && !gone ? "ok" : name;
    u -= share;
  }
  return "ok";
}

/** Whether an attempt the worker recorded agrees with the fault the receiver applied. */
export function recordedAsExpected(fault, attempt, sentStatus) {
  const { error_class: errorClass, response_status: status } = attempt;
  switch (FAULTS[fault]?.records) {
    case "success":
      return errorClass === null && status === sentStatus;
    case "timeout":
      return errorClass === "timeout";
    case "network_error":
      return errorClass === "network_error";
    default:
      return errorClass === "http_status" && status === sentStatus;
  }
}

/** A recorded outcome timing can explain: a success the worker saw as late, or a late reply lost with the socket. */
export function timingExplains(fault, attempt) {
  const success = FAULTS[fault]?.records === "success";
  return (
    (success && attempt.error_class === "timeout") ||
    (success && attempt.error_class === "network_error") ||
    (fault === "stall" && attempt.error_class === "network_error")
  );
}
