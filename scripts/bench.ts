// npm run bench [-- --regenerate] [--tiers=10m,1m] [--output=BENCHMARKS.md] [--no-writes] — query latency, rollup and load benchmarks; writes BENCHMARKS.md.
import { spawn } from "node:child_process";
import path from "node:path";

// The query modules import "server-only", which throws unless the module
// resolver uses the "react-server" condition (as Next.js does for server
// components). Run the benchmark in a Node child with that condition.
const main = path.join(import.meta.dirname, "bench", "main.ts");
// --expose-gc: each case starts on a collected heap (bench/queries.ts measureCase), so one case's naive reads don't land as GC pauses in the next one's timings.
const child = spawn(process.execPath, ["--conditions=react-server", "--expose-gc", "--import", "tsx", main, ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
