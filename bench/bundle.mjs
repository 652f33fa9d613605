// Bundle size and start-up CPU: what `wrangler deploy --dry-run` builds, and what `wrangler check startup`
// profiles (it loads the bundle in a local workerd with the inspector on and records a CPU profile of the
// module's evaluation; offline).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { summary } from "./lib.mjs";

const run = promisify(execFile);
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  NO_COLOR: "1",
};
const STARTUP_RUNS = 5;

/** Raw and gzip (node:zlib, level 9) bytes of the bundle the bench runs, and wrangler's own summary line. */
export async function bundleSize(worker) {
  const contents = Buffer.from(worker.bundle.contents, "utf8");
  const dir = mkdtempSync(join(tmpdir(), "leadpush-bench-"));
  let wranglerLine = null;
  try {
    const wrangler = join(worker.root, "node_modules", "wrangler", "bin", "wrangler.js");
    const { stdout } = await run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", dir], {
      cwd: worker.root,
      env: wranglerEnv,
      maxBuffer: 16 * 1024 * 1024,
    });
    wranglerLine = /Total Upload:[^\n]*/.exec(stdout)?.[0]?.trim() ?? null;
  } catch (error) {
    wranglerLine = `wrangler deploy --dry-run failed: ${String(error.stderr ?? error).slice(0, 300)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    rawBytes: contents.length,
    gzipBytes: gzipSync(contents, { level: 9 }).length,
    gzipDefaultBytes: gzipSync(contents).length,
    wranglerLine,
  };
}

/** CPU time in a V8 CPU profile: the sum of the sampling intervals of every sample not taken while idle. */
export function profileCpuMs(profile) {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  let cpu = 0;
  for (let i = 0; i < profile.samples.length; i++)
    if (!idle.has(profile.samples[i])) cpu += profile.timeDeltas[i] ?? 0;
  return {
    cpuMs: cpu / 1000,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    samples: profile.samples.length,
  };
}

/**
 * `wrangler check startup` STARTUP_RUNS times; each run's start-up CPU from its profile. If wrangler cannot
 * measure (it needs nothing from the network, but may fail), says what it printed.
 */
export async function startupCpu(worker) {
  const wrangler = join(worker.root, "node_modules", "wrangler", "bin", "wrangler.js");
  const runs = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "leadpush-startup-"));
    const outfile = join(dir, "startup.cpuprofile");
    try {
      await run(process.execPath, [wrangler, "check", "startup", "--outfile", outfile], {
        cwd: worker.root,
        env: wranglerEnv,
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      runs.push(profileCpuMs(JSON.parse(readFileSync(outfile, "utf8"))));
    } catch (error) {
      const printed = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() || String(error);
      return { ok: false, printed: printed.slice(-1000) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    ok: true,
    cpuMs: summary(runs.map((r) => r.cpuMs)),
    wallMs: summary(runs.map((r) => r.wallMs)),
    samples: summary(runs.map((r) => r.samples)),
  };
}
