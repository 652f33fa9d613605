// `node scripts/check-doc-links.mjs`: every relative Markdown link in README.md, BENCHMARKS.md and
// docs/*.md points at a file inside the repository, and a #fragment names a heading or an <a id> of it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = process.argv[2] ?? ".";
const files = [
  "README.md",
  "BENCHMARKS.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const slug = (h) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
const anchors = (file) => {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  const ids = [...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);
  return new Set([...ids, ...[...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1].replace(/`/g, "")))]);
};
let bad = 0,
  count = 0;
for (const file of files) {
  const text = readFileSync(join(root, file), "utf8").replace(/```[\s\S]*?```/g, "");
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue;
    count++;
    const [path, fragment] = target.split("#");
    const full = path ? resolve(root, dirname(file), path) : resolve(root, file);
    const rel = relative(root, full);
    if (rel.startsWith("..")) {
      console.log(`${file}: ${target} leaves the repository`);
      bad++;
      continue;
    }
    if (!existsSync(full)) {
      console.log(`${file}: ${target} does not exist`);
      bad++;
      continue;
    }
    if (fragment && full.endsWith(".md") && !anchors(full).has(fragment)) {
      console.log(`${file}: ${target}: no heading #${fragment}`);
      bad++;
    }
  }
}
console.log(`${count} relative links, ${bad} broken`);
process.exit(bad ? 1 : 0);
