import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../lib/testing/test-database";
import { isBuildCurrent, markBuildCurrent } from "./build-stamp";
import { NEXT_BIN, nextServerArgs, runNode } from "./processes";

/** What the bench scripts share: percentiles, their BENCHMARKS.md section, a production server. */

const root = path.resolve(import.meta.dirname, "..", "..");

/** The nearest-rank percentile (q in 0–1); NaN without values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` of BENCHMARKS.md. */
export function writeBenchSection(name: string, section: string): void {
  const file = path.join(root, "BENCHMARKS.md");
  const markdown = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  const next =
    markdown.includes(start) && markdown.includes(end)
      ? markdown.slice(0, markdown.indexOf(start)) + block + markdown.slice(markdown.indexOf(end) + end.length)
      : `${markdown.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** `next start` of the current build (built first when the sources changed) on a free port, once /api/health answers. */
export async function startProductionServer(env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): Promise<{ app: ChildProcess; base: string }> {
  if (!isBuildCurrent(root)) {
    await runNode([NEXT_BIN, "build"], env);
    markBuildCurrent(root);
  }
  const port = await freePort();
  const app = spawn(process.execPath, nextServerArgs({ port, extraNodeArgs }), { env, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return { app, base };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  app.kill();
  throw new Error("the production server did not answer /api/health within 60 s");
}
