import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const NEXT_BIN = require.resolve("next/dist/bin/next");

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
