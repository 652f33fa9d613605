// Bundle size and start-up CPU: what `wrangler deploy --dry-run` builds, and what `wrangler check startup`
// profiles (it loads the bundle in a local workerd with the inspector on and records a CPU profile of the
// module's evaluation; offline).
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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

/** Bytes in the bundle by package (node_modules/<name>) or by src/ folder, largest first, from esbuild's metafile. */
function byOrigin(metafile) {
  const totals = new Map();
  for (const output of Object.values(metafile.outputs ?? {}))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const origin = modules ? modules[1] : (/^(src\/[^/]+)/.exec(path)?.[1] ?? path);
      totals.set(origin, (totals.get(origin) ?? 0) + bytesInOutput);
    }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([origin, bytes]) => ({ origin, bytes }));
}

/** `wrangler deploy --dry-run` into a temporary directory; the bundle, wrangler's summary line, the metafile. */
async function dryRun(worker, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "leadpush-bench-"));
  try {
    const wrangler = join(worker.root, "node_modules", "wrangler", "bin", "wrangler.js");
    const meta = join(dir, "meta.json");
    const { stdout } = await run(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--outdir", dir, "--metafile", meta, ...extra],
      { cwd: worker.root, env: wranglerEnv, maxBuffer: 16 * 1024 * 1024 },
    );
    return {
      contents: Buffer.concat(
        readdirSync(dir)
          .filter((name) => name === "index.js" || /^[0-9a-f]{40}-/.test(name))
          .map((name) => readFileSync(join(dir, name))),
      ),
      line: /Total Upload:[^\n]*/.exec(stdout)?.[0]?.trim() ?? null,
      metafile: JSON.parse(readFileSync(meta, "utf8")),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Raw and gzip (node:zlib, level 9) bytes of the bundle the bench runs, wrangler's own summary line, what
 * the bytes are by origin, and the same bundle unminified (`--no-minify`; wrangler.toml sets `minify = true`).
 */
export async function bundleSize(worker) {
  // index.js and the Text modules beside it (the dashboard's stylesheet and scripts): what is uploaded.
  const contents = Buffer.from(
    [worker.bundle.contents, ...(worker.bundle.text ?? []).map((m) => m.contents)].join(""),
    "utf8",
  );
  const out = {
    rawBytes: contents.length,
    gzipBytes: gzipSync(contents, { level: 9 }).length,
    gzipDefaultBytes: gzipSync(contents).length,
  };
  try {
    const plain = await dryRun(worker);
    const unminified = await dryRun(worker, ["--no-minify"]);
    out.wranglerLine = plain.line;
    out.origins = byOrigin(plain.metafile).slice(0, 10);
    out.unminified = {
      rawBytes: unminified.contents.length,
      gzipBytes: gzipSync(unminified.contents, { level: 9 }).length,
      wranglerLine: unminified.line,
    };
  } catch (error) {
    out.wranglerLine = `wrangler deploy --dry-run failed: ${String(error.stderr ?? error).slice(0, 300)}`;
  }
  return out;
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
