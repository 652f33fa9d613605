// A webhook receiver on 127.0.0.1 for end-to-end tests: it records every request it gets and answers
// through a handler the test programs.
//
//   const receiver = await startReceiver((request, index) => ({ status: index === 0 ? 500 : 200 }));
//   ... point a destination at `${receiver.url}/hooks` ...
//   const [first, second] = await receiver.waitFor(2, 10_000);
//   await receiver.close();
//
// The handler gets the recorded request and its 0-based index and returns (or resolves to) a reply:
//   { status = 200, headers = {}, body = "", delayMs = 0, hang = false, hangBody = false }
// `delayMs` waits before answering; `hang` never answers (the socket stays open until close());
// `hangBody` sends the status line and headers, a first chunk of `body`, then stalls forever.
// A handler may also be a plain reply object (the same answer every time) or omitted (200, empty body).
import { createServer } from "node:http";

const DEFAULT_REPLY = Object.freeze({ status: 200 });

/**
 * @typedef {{ method: string, url: string, path: string, query: URLSearchParams, headers: Record<string,
 *   string | string[] | undefined>, rawHeaders: string[], body: string, bodyBytes: Buffer,
 *   receivedAt: number, index: number }} ReceivedRequest
 */

/** Starts the receiver; resolves once it is listening. */
export async function startReceiver(handler = DEFAULT_REPLY) {
  /** @type {ReceivedRequest[]} */
  const requests = [];
  const waiters = new Set();
  const sockets = new Set();
  let current = handler;
  let closed = false;

  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  const server = createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const bodyBytes = Buffer.concat(chunks);
      const parsed = new URL(req.url, "http://receiver.invalid");
      /** @type {ReceivedRequest} */
      const request = {
        method: req.method,
        url: req.url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: bodyBytes.toString("utf8"),
        bodyBytes,
        receivedAt,
        index: requests.length,
      };
      requests.push(request);
      notify();
      let reply;
      try {
        reply = (typeof current === "function" ? await current(request, request.index) : current) ?? {};
      } catch (error) {
        reply = { status: 599, body: `receiver handler threw: ${error?.message ?? error}` };
      }
      await answer(res, reply);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Keep-alive would let one test's socket outlive its receiver; each exchange closes its connection.
  server.keepAliveTimeout = 1;

  async function answer(res, reply) {
    const { status = 200, headers = {}, body = "", delayMs = 0, hang = false, hangBody = false } = reply;
    if (hang) return; // never answered: the caller's timeout or close() ends it
    if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
    if (closed || res.destroyed) return;
    if (hangBody) {
      res.writeHead(status, { "Content-Type": "text/plain", ...headers });
      res.write(body || "partial");
      return; // the body never ends
    }
    res.writeHead(status, { Connection: "close", ...headers });
    res.end(body);
  }

  await new Promise((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,

    /** Replaces the handler for the requests that arrive from now on. */
    setHandler(next) {
      current = next;
    },

    /** Resolves with the requests once at least `n` have arrived; rejects after `timeoutMs`. */
    waitFor(n, timeoutMs = 5_000) {
      if (requests.length >= n) return Promise.resolve(requests.slice());
      return new Promise((done, reject) => {
        const check = () => {
          if (requests.length < n) return;
          cleanup();
          done(requests.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = requests.map((r) => `${r.method} ${r.url}`).join(", ") || "none";
          reject(
            new Error(
              `receiver: expected ${n} request(s) within ${timeoutMs} ms, got ${requests.length} (${seen})`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },

    /** Stops listening and drops every open connection (hung ones included). Safe to call twice. */
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise((done) => server.close(() => done()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
