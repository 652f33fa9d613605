// The soak's receiver: node:http on 127.0.0.1 that fails a share of requests in each way of faults.mjs,
// logs every request it gets and verifies every signature (standardwebhooks, the headers mapped from
// X-Leadpush-*).
//
// Paths are /d/{destination}/{contact id}/…: the destination's index and the event's sequence number
// (contact ids are c{seq}…) name the delivery, so a fault is chosen per (seed, event, destination,
// attempt), the attempt being this delivery id's count of requests so far. Paths under /fuzz/ always
// get a plain 200 and are logged apart.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { chooseFault, unitHash } from "./faults.mjs";

const BIG_BODY_BYTES = 2 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");
const REDIRECTS = [301, 302, 303, 307, 308];

/** True when one `v1,` entry of the headers is the signature of `body` under `secret`. */
function verifiedBy(secret, headers, body) {
  try {
    new Webhook(secret).verify(
      body,
      {
        "webhook-id": headers["x-leadpush-id"],
        "webhook-timestamp": headers["x-leadpush-timestamp"],
        "webhook-signature": headers["x-leadpush-signature"],
      },
      { jsonParse: false },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the receiver. `secretsOf(destination)` gives the destination's signing secrets as
 * `{ current, previous, rotatedAt }` (previous and rotatedAt once it was rotated with a grace period);
 * `goneAllowed(destination)` says whether it may answer 410.
 */
export async function startFaultyReceiver({ seed, shares, secretsOf, goneAllowed }) {
  /** Every delivery request, in arrival order. */
  const log = [];
  const countsById = new Map();
  const fuzzRequests = [];
  const sockets = new Set();
  const open = new Set(); // arrival times of exchanges not yet over
  let lastArrival = 0;
  const signature = { verified: 0, failed: 0, unknownDestination: 0, dualChecked: 0, dualFailed: 0 };
  const badSignatures = [];

  const server = createServer((req, res) => {
    const arrival = { at: Date.now() };
    lastArrival = arrival.at;
    open.add(arrival);
    res.on("close", () => open.delete(arrival));
    res.on("error", () => undefined);
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("error", () => undefined);
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.url.startsWith("/fuzz/")) {
        fuzzRequests.push({ at: Date.now(), id: req.headers["x-leadpush-id"], path: req.url });
        res.writeHead(200).end("ok");
        return;
      }
      handle(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    socket.on("error", () => undefined); // a reset or an aborted fetch is part of the game
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  function handle(req, res, body) {
    const [, , destination, contactSegment = ""] = req.url.split("?")[0].split("/");
    const dest = Number(destination);
    const eventSeq = Number(/^c(\d+)/.exec(contactSegment)?.[1] ?? Number.NaN);
    const id = req.headers["x-leadpush-id"] ?? "";
    const attempt = (countsById.get(id) ?? 0) + 1;
    countsById.set(id, attempt);
    const key = Number.isNaN(eventSeq) ? [seed, id, attempt] : [seed, eventSeq, dest, attempt];
    const fault = chooseFault(shares, key, { gone: goneAllowed(dest) });
    const entry = {
      at: lastArrival,
      id,
      attempt,
      timestamp: Number(req.headers["x-leadpush-timestamp"]),
      event: req.headers["x-leadpush-event"],
      method: req.method,
      path: req.url,
      dest,
      eventSeq,
      fault,
      status: null,
      answered2xx: false,
    };
    log.push(entry);
    checkSignature(entry, req.headers, body);
    respond(entry, key, req, res);
  }

  function checkSignature(entry, headers, body) {
    const secrets = secretsOf(entry.dest);
    if (!secrets) {
      signature.unknownDestination++;
      return;
    }
    const known = [secrets.current, secrets.previous].filter(Boolean);
    if (known.some((secret) => verifiedBy(secret, headers, body))) signature.verified++;
    else {
      signature.failed++;
      if (badSignatures.length < 5)
        badSignatures.push({ ...entry, signature: headers["x-leadpush-signature"] });
    }
    // Well after a rotation with grace, both the new and the previous secret must verify on their own.
    if (secrets.previous && secrets.rotatedAt && entry.timestamp * 1000 >= secrets.rotatedAt + 2_000) {
      signature.dualChecked++;
      if (!verifiedBy(secrets.current, headers, body) || !verifiedBy(secrets.previous, headers, body))
        signature.dualFailed++;
    }
  }

  function respond(entry, key, req, res) {
    const pick = (list) => list[Math.floor(unitHash(...key, "detail") * list.length)];
    const answer = (status, headers, body = "") => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body, () => {
        entry.answered2xx = status >= 200 && status < 300;
      });
    };
    switch (entry.fault) {
      case "ok":
        return answer(pick([200, 200, 204]), {}, "");
      case "slow":
        return setTimeout(
          () => {
            if (!res.destroyed) answer(200, { "Content-Type": "text/plain" }, "ok, eventually");
          },
          pick([100, 200, 300, 400]),
        );
      case "error500":
        return answer(500, { "Content-Type": "text/plain" }, "boom");
      case "throttle429":
        return answer(429, {
          "Retry-After": pick(["1", "3", new Date(Date.now() + 2_000).toUTCString(), "soon"]),
        });
      case "redirect":
        return answer(pick(REDIRECTS), { Location: "/moved" });
      case "gone":
        return answer(410, { "Content-Type": "text/plain" }, "gone");
      case "hang":
        return; // the worker's timeout ends it
      case "reset":
        req.socket.destroy();
        return;
      case "stall":
        entry.status = 200;
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "1000" });
        res.write("the first bytes of a body that never ends");
        return;
      case "big":
        entry.status = 200;
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": String(BIG_BODY_BYTES) });
        return writeBig(res, entry);
    }
  }

  function writeBig(res, entry) {
    let sent = 0;
    const more = () => {
      while (sent < BIG_BODY_BYTES && !res.destroyed) {
        sent += CHUNK.length;
        const last = sent >= BIG_BODY_BYTES;
        if (last) {
          res.end(CHUNK, () => {
            entry.answered2xx = true;
          });
          return;
        }
        if (!res.write(CHUNK)) return res.once("drain", more);
      }
    };
    more();
  }

  await new Promise((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    fuzzRequests,
    signature,
    badSignatures,
    /** Exchanges not yet over that began less than `maxAgeMs` ago (a hang lasts until the worker gives up). */
    open: (maxAgeMs = 10_000) => [...open].filter((o) => Date.now() - o.at < maxAgeMs).length,
    /** Milliseconds since the last delivery request arrived. */
    idleMs: () => (lastArrival ? Date.now() - lastArrival : Number.POSITIVE_INFINITY),
    async close() {
      const closed = new Promise((done) => server.close(() => done()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
