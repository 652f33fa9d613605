// The layers of src/, lowest first: a module imports only from its own layer or those below it, so no
// arrow runs back up (docs/notes.md, "Layers"). Type-only imports count too: they couple as much.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const src = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

/** Each layer's top-level entries under src/ (a folder, or a file without its extension). */
const LAYERS = [
  ["ids", "time", "encoding", "config", "limits", "problem", "db", "secrets", "queue"],
  ["rules", "filters"],
  ["history"],
  ["workspaces"],
  ["deliveries"],
  ["events"],
  ["lifecycle"],
  ["dispatch"],
  ["flow"],
  ["destinations"],
  ["http", "routes", "inbox", "dashboard", "app", "index"],
];

const layerOf = (entry) => LAYERS.findIndex((names) => names.includes(entry));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx|js|css)$/.test(name) ? [path] : [];
  });
}

const entryOf = (path) =>
  relative(src, path)
    .split("/")[0]
    .replace(/\.(ts|tsx)$/, "");

test("every top-level entry of src/ has a layer", () => {
  for (const name of readdirSync(src)) {
    const entry = name.replace(/\.(ts|tsx)$/, "");
    assert.notEqual(layerOf(entry), -1, `src/${name} is in no layer of test/node/layers.test.mjs`);
  }
});

test("no module imports from a layer above its own", () => {
  const upward = [];
  for (const file of files(src).filter((f) => /\.tsx?$/.test(f))) {
    const from = entryOf(file);
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"?]+)/g)) {
      const to = entryOf(resolve(dirname(file), spec));
      if (layerOf(to) > layerOf(from)) upward.push(`${relative(src, file)} → ${spec} (${from} → ${to})`);
    }
  }
  assert.deepEqual(upward, []);
});
