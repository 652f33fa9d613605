// One HTTP exchange with the worker on a connection of its own (node:http, no keep-alive).
//
// Not fetch: fetch reuses connections, and a connection the server closes after answering early (a
// 401 before a large body was read) fails the next request sent on it, which would be blamed on the
// worker. fetch would also read a path like //v1/… as another host.
import { request as httpRequest } from "node:http";

/**
 * Sends `method path` to `base` (http://host:port) and resolves to `{ status, headers, text }`.
 * Rejects when no answer comes within `timeoutMs`, or when node refuses the request (`error.code`
 * ERR_INVALID_CHAR and the like: the client's doing, not the worker's).
 */
export function send(base, path, { method = "GET", headers = {}, body, timeoutMs = 30_000 } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = httpRequest({ host: hostname, port, method, path, headers, agent: false, timeout: timeoutMs });
    } catch (error) {
      reject(Object.assign(error, { unsendable: true }));
      return;
    }
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.end(body === undefined ? undefined : typeof body === "string" ? Buffer.from(body, "utf8") : body);
  });
}
