// 5. The consumer's per-delivery work before the send, and render + sign, timed inside workerd
// (bench/render-sign.js, bundled from src/) from outside: µs per delivery = (t(n) − t(0)) / n.
import { summary } from "./lib.mjs";
import { RENDER_N, RUNS } from "./workload.mjs";

export const PARTS = ["part-parse", "part-render", "part-url", "part-keys", "part-sign", "part-headers"];
export const WORK_MODES = ["work", "signed", ...PARTS];
export const RENDER_MODES = ["render", "parse", "baseline"];

export async function perDelivery(rs) {
  const time = async (mode, n) => {
    const start = performance.now();
    const response = await fetch(`${rs.url}/?mode=${mode}&n=${n}`);
    const body = await response.json();
    if (body.n !== n) throw new Error(`render-sign answered ${JSON.stringify(body)}`);
    return performance.now() - start;
  };
  const modes = [...WORK_MODES, ...RENDER_MODES];
  for (const mode of modes) await time(mode, RENDER_N); // warm up the JIT and the key cache
  const per = Object.fromEntries(modes.map((m) => [m, []]));
  // Modes take turns within each run, so drift on the machine weighs on each alike.
  for (let r = 0; r < RUNS; r++) {
    for (const mode of modes) {
      const empty = await time(mode, 0);
      const full = await time(mode, RENDER_N);
      per[mode].push(((full - empty) / RENDER_N) * 1000);
    }
  }
  return Object.fromEntries(modes.map((m) => [m, summary(per[m])]));
}
