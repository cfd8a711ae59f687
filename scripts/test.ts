// npm test — everything CI checks, in stages that keep both cores busy:
// typecheck ‖ lint, then unit + integration tests (Vitest) ‖ the production
// build, then the browser tests (Playwright, two workers). Each line is prefixed with its
// stage; the run fails if any part fails, and says which.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { runMain } from "./lib/errors";

interface Part {
  name: string;
  command: string;
  args: string[];
}

// The runners' own closing lines carry a prefix here, so the totals are
// repeated at the end as one plain "N passed, N failed" line.
const totals = { passed: 0, failed: 0 };
function count(raw: string): void {
  const line = raw.replace(/\u001b\[[0-9;]*m/g, "");
  const vitest = /^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed/.exec(line);
  if (vitest) {
    totals.failed += Number(vitest[1] ?? 0);
    totals.passed += Number(vitest[2]);
  }
  const playwright = /^\s*(\d+) (passed|failed|flaky)\b/.exec(line);
  if (playwright && !vitest) totals[playwright[2] === "passed" ? "passed" : "failed"] += Number(playwright[1]);
}

function run(part: Part): Promise<{ name: string; code: number; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(part.command, part.args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        count(line);
        process.stdout.write(`[${part.name}] ${line}\n`);
      });
    }
    child.once("exit", (code, signal) => resolve({ name: part.name, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000 }));
  });
}

async function stage(parts: Part[]): Promise<boolean> {
  const results = await Promise.all(parts.map(run));
  for (const r of results) console.log(`${r.code === 0 ? "ok" : "FAILED"}: ${r.name} (${r.seconds.toFixed(0)} s)`);
  return results.every((r) => r.code === 0);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

runMain(async () => {
  const started = Date.now();
  const checks = await stage([
    { name: "typecheck", command: npm, args: ["run", "--silent", "typecheck"] },
    { name: "lint", command: npm, args: ["run", "--silent", "lint"] },
  ]);
  // The production build overlaps Vitest; the browser tests then have the
  // cores to themselves, so their timings stay far from their timeouts.
  const units = checks && (await stage([
    { name: "vitest", command: npm, args: ["run", "--silent", "test:unit"] },
    { name: "build", command: npm, args: ["run", "--silent", "test:e2e", "--", "--build-only"] },
  ]));
  const tests = units && (await stage([{ name: "e2e", command: npm, args: ["run", "--silent", "test:e2e"] }]));
  console.log(`npm test ${checks && tests ? "passed" : "failed"} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(checks && tests ? 0 : 1);
});
