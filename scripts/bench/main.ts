// The benchmark itself; run through scripts/bench.ts (`npm run bench`), which adds the react-server condition.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { stopOnSignals } from "../lib/database";
import { runMain, StartupError } from "../lib/errors";
import { cpuSnapshot, otherCpuShare } from "./cpu";
import { TIERS, type TierName } from "./dataset";
import { ensureDataset, startBenchServer } from "./load";
import { buildCases, buildSweep, loadContext, measureCase, type CaseMeasurement } from "./queries";
import { renderReport, type MachineInfo, type TableSize, type TierReport } from "./report";
import { measureWrites, type WriteResult } from "./writes";

const root = path.resolve(import.meta.dirname, "..", "..");
const USAGE = "usage: npm run bench [-- --regenerate] [--tiers=10m,1m] [--output=BENCHMARKS.md] [--no-writes]";

interface Args {
  regenerate: boolean;
  tiers: TierName[];
  output: string;
  isWrites: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { regenerate: false, tiers: ["10m", "1m"], output: path.join(root, "BENCHMARKS.md"), isWrites: true };
  for (const arg of argv) {
    if (arg === "--regenerate") args.regenerate = true;
    else if (arg === "--no-writes") args.isWrites = false;
    else if (arg.startsWith("--tiers=")) {
      const tiers = arg.slice("--tiers=".length).split(",");
      if (tiers.some((t) => !(t in TIERS))) throw new StartupError(`unknown tier in ${arg} (known: ${Object.keys(TIERS).join(", ")}) — ${USAGE}`);
      args.tiers = tiers as TierName[];
    } else if (arg.startsWith("--output=")) args.output = path.resolve(arg.slice("--output=".length));
    else throw new StartupError(`unknown argument ${arg} — ${USAGE}`);
  }
  return args;
}

async function machineInfo(client: pg.Client): Promise<MachineInfo> {
  const cpuModel = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout?.trim() || String(os.availableParallelism());
  const setting = async (name: string) => (await client.query<{ v: string }>(`select current_setting($1) as v`, [name])).rows[0]!.v;
  const settings: Record<string, string> = {};
  for (const name of ["shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit", "synchronous_commit", "max_wal_size"]) {
    settings[name] = await setting(name);
  }
  settings.pg_jit_available = (await client.query<{ v: boolean }>(`select pg_jit_available() as v`)).rows[0]!.v ? "true" : "false";
  return {
    nproc,
    cpuModel,
    ramGb: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: (await client.query<{ v: string }>(`select version() as v`)).rows[0]!.v,
    settings,
  };
}

async function tableSizes(client: pg.Client): Promise<TableSize[]> {
  const sizes: TableSize[] = [];
  for (const table of ["inference_usage_windows", "usage_rollup_quarter", "usage_rollup_team_hour", "usage_rollup_day", "usage_rollup_month", "training_runs", "inference_deployments"]) {
    const { rows } = await client.query<{ rows: string; total: string; heap: string }>(
      `select (select count(*) from ${table})::text as rows, pg_total_relation_size($1)::text as total, pg_relation_size($1)::text as heap`,
      [table],
    );
    const r = rows[0]!;
    sizes.push({ table, rows: Number(r.rows), totalBytes: Number(r.total), heapBytes: Number(r.heap) });
  }
  return sizes;
}

/** Sections other tools keep in the same file between `<!-- name:start -->` and `<!-- name:end -->` (e.g. npm run bench:pages). */
function keptSections(file: string): string {
  if (!existsSync(file)) return "";
  const blocks = readFileSync(file, "utf8").match(/<!-- ([\w-]+):start -->[\s\S]*?<!-- \1:end -->/g) ?? [];
  return blocks.map((block) => `\n${block}\n`).join("");
}

/** How the ledger's rounding helper is defined (a STRICT LANGUAGE sql function cannot be inlined when its body is not strict). */
async function roundingFunction(client: pg.Client): Promise<{ language: string; isStrict: boolean } | null> {
  const { rows } = await client.query<{ language: string; isStrict: boolean }>(
    `select l.lanname as language, p.proisstrict as "isStrict" from pg_proc p join pg_language l on l.oid = p.prolang where p.proname = 'burnrate_round_half_even' limit 1`,
  );
  return rows[0] ?? null;
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
  const server = await startBenchServer(() => {});
  stopOnSignals(server.stop);
  try {
    log(`PostgreSQL ${server.isEmbedded ? "embedded, data in bench-data/" : "from BENCH_DATABASE_URL"}`);
    const tiers: TierReport[] = [];
    let machine: MachineInfo | undefined;
    for (const [index, tier] of args.tiers.entries()) {
      const params = TIERS[tier];
      const tierStarted = performance.now();
      const dataset = await ensureDataset(server, params, { regenerate: args.regenerate, log });
      const datasetSeconds = (performance.now() - tierStarted) / 1000;
      const client = new pg.Client({ connectionString: dataset.url });
      await client.connect();
      try {
        machine ??= await machineInfo(client);
        const cpus = Number(machine.nproc) || os.availableParallelism();
        const cpuBefore = cpuSnapshot(cpus);
        const ctx = await loadContext(client, new Date(params.now));
        log(`[${tier}] measuring queries (warm-up 3, 30 timed runs; naive: warm-up 1, 20 timed runs or 3 when a run takes > 1 s)`);
        const cases: CaseMeasurement[] = [];
        for (const c of buildCases(ctx)) cases.push(await measureCase(ctx, c, { log }));
        log(`[${tier}] bucket-count sweep of the hourly team query`);
        const sweep: CaseMeasurement[] = [];
        for (const c of buildSweep(ctx)) sweep.push(await measureCase(ctx, c, { rollupRuns: { warmup: 2, runs: 20 }, log }));
        let writes: WriteResult | null = null;
        if (args.isWrites && index === 0) {
          log(`[${tier}] write throughput`);
          const connect = async () => {
            const other = new pg.Client({ connectionString: dataset.url });
            await other.connect();
            return other;
          };
          writes = await measureWrites(client, { now: new Date(params.now), teamId: ctx.hourlyTeam.id, log, connect });
        }
        const otherCpu = otherCpuShare(cpuBefore, cpuSnapshot(cpus));
        if (otherCpu !== null && otherCpu > 0.05) log(`[${tier}] note: other processes used ${(otherCpu * 100).toFixed(0)}% of the CPUs while this tier was measured`);
        tiers.push({
          params,
          dataset: { meta: dataset.meta, isReused: dataset.isReused, seconds: datasetSeconds, costRoll: dataset.costRoll },
          cases,
          sweep,
          writes,
          sizes: await tableSizes(client),
          otherCpuShare: otherCpu,
          roundingFunction: await roundingFunction(client),
        });
      } finally {
        await client.end();
      }
    }
    const totalSeconds = (performance.now() - started) / 1000;
    writeFileSync(args.output, renderReport({ date: new Date(), machine: machine!, tiers, totalSeconds }) + keptSections(args.output));
    log(`wrote ${path.relative(process.cwd(), args.output)} — total ${(totalSeconds / 60).toFixed(1)} min`);
  } finally {
    await server.stop();
  }
});
