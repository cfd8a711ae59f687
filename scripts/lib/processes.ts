import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const NEXT_BIN = require.resolve("next/dist/bin/next");

/**
 * Node's flags for the app's server, wherever it runs (npm start, the e2e
 * run, the benchmarks), so what is measured is what users run.
 *
 * --max-semi-space-size=64 (MB; V8's default is 16): a 1,000-window API
 * batch holds several MB of objects for the ~200 ms it is in flight, and with
 * four in flight the default young generation was scavenged so often that GC
 * took ~22% of the server's main thread, copying the same live batches again
 * and again. `npm run bench:api`, 4 clients, server CPU per batch: 52 ms at
 * 16 MB, 52 at 32, 42 at 64, 45 at 128. The young generation grows to at most
 * 3 × 64 MB only when allocation calls for it.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=64"];

/** `next start` (or `next dev`) on a port and host, with the server's Node flags and any extra ones (a profiler's). */
export function nextServerArgs({ port, host = "127.0.0.1", isDev = false, extraNodeArgs = [] }: { port: number; host?: string; isDev?: boolean; extraNodeArgs?: readonly string[] }): string[] {
  return [...SERVER_NODE_FLAGS, ...extraNodeArgs, NEXT_BIN, isDev ? "dev" : "start", "--port", String(port), "--hostname", host];
}

/** Runs a Node CLI to completion; rejects with its exit code. */
export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", env });
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited with ${signal ?? code}`)),
    );
  });
}

/** Ends a child politely, then firmly; resolves when it has exited. */
export async function endChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Waits until the app at `base` answers /api/health with 2xx, polling every 250 ms for at most `attempts` polls (it may still be starting). */
export async function waitForHealth(base: string, attempts = 120): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
