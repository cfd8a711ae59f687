import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * A fingerprint of everything `next build` reads, so `npm start` rebuilds
 * exactly when the sources changed since the last build.
 */
const INPUTS = ["app", "components", "lib", "public", "prisma/schema.prisma", "next.config.js", "proxy.ts", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
const SKIP = new Set(["node_modules", ".next", "generated"]);

function walk(file: string, hash: ReturnType<typeof createHash>, root: string): void {
  if (!existsSync(file)) return;
  const stat = statSync(file);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(file).sort()) if (!SKIP.has(entry)) walk(path.join(file, entry), hash, root);
    return;
  }
  if (/\.test\.tsx?$/.test(file)) return;
  hash.update(path.relative(root, file));
  hash.update(readFileSync(file));
}

export function sourceFingerprint(root: string): string {
  const hash = createHash("sha256");
  for (const input of INPUTS) walk(path.join(root, input), hash, root);
  return hash.digest("hex");
}

const stampFile = (root: string) => path.join(root, ".next", "burnrate-source-fingerprint");

export function isBuildCurrent(root: string): boolean {
  if (!existsSync(path.join(root, ".next", "BUILD_ID")) || !existsSync(stampFile(root))) return false;
  return readFileSync(stampFile(root), "utf8") === sourceFingerprint(root);
}

export function markBuildCurrent(root: string): void {
  writeFileSync(stampFile(root), sourceFingerprint(root));
}
