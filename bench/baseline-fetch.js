// Baseline 1, the runtime ceiling: a bare worker that fetches the receiver `n` times at concurrency `c`
// from inside one request. No queue, no D1, no rendering or signing: what workerd's outbound fetch does
// on this machine. Loaded by bench/run.mjs as an inline Miniflare `script`.
export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const n = Number(params.get("n"));
    const concurrency = Number(params.get("c"));
    const prefix = params.get("prefix") ?? "b1";
    let next = 0;
    let ok = 0;
    const body = JSON.stringify({ bench: "baseline-fetch" });
    async function lane() {
      while (next < n) {
        const i = next++;
        const response = await fetch(env.RECEIVER_URL, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Leadpush-Id": `${prefix}-${i}` },
          body,
          redirect: "manual",
        });
        await response.arrayBuffer();
        if (response.ok) ok++;
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
    return Response.json({ n, ok });
  },
};
