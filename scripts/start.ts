// npm start — embedded (or DATABASE_URL) PostgreSQL, migrations, demo seed on an empty
// database, a production build when the sources changed, then `next start`.
// `npm run dev` does the same with `next dev` and no build.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { z } from "zod";
import { seedDatabase } from "../lib/seed/write";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { openDatabase, type Database } from "./lib/database";
import { assertPortFree } from "./lib/embedded-postgres";
import { runMain, StartupError } from "./lib/errors";
import { endChild, NEXT_BIN, nextServerArgs, runNode } from "./lib/processes";
import { applyMigrations } from "./lib/schema-engine";

const root = path.resolve(import.meta.dirname, "..");
const isDev = process.argv.includes("--dev");

const portSchema = z.coerce.number().int().min(1).max(65535);
/** The interface `next start` listens on: loopback only unless BURNRATE_HOST says otherwise (0.0.0.0 in Docker). */
const hostSchema = z.union([z.ipv4(), z.ipv6(), z.literal("localhost")]);

runMain(async () => {
  const parsedPort = portSchema.safeParse(process.env.PORT ?? 3000);
  if (!parsedPort.success) throw new StartupError(`PORT must be a whole number from 1 to 65535, got "${process.env.PORT}"`);
  const port = parsedPort.data;
  const parsedHost = hostSchema.safeParse(process.env.BURNRATE_HOST || "127.0.0.1");
  if (!parsedHost.success) throw new StartupError(`BURNRATE_HOST must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::) or localhost, got "${process.env.BURNRATE_HOST}"`);
  const host = parsedHost.data;
  await assertPortFree(port, "Burnrate", `set PORT to a free port (PORT=3001 npm start), or stop what uses it`);

  let db: Database | undefined;
  let app: ChildProcess | undefined;
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (app) await endChild(app);
    if (db) await db.stop();
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.log(`\nStopping Burnrate (${signal})…`);
      void shutdown(0);
    });
  }
  process.on("uncaughtException", (error) => {
    console.error(error);
    void shutdown(1);
  });

  try {
    // The embedded server is supervised: killed or crashed, it is restarted on the same data (WAL recovery keeps
    // every commit) and the app's pool reconnects by itself. An external DATABASE_URL is the operator's to restart.
    db = await openDatabase({ supervise: { notify: (line) => console.error(`burnrate: ${line}`) } });
    console.log(db.embedded ? `PostgreSQL (embedded) on 127.0.0.1:${db.embedded.port}, data in ${path.relative(root, db.embedded.dataDir)}` : "PostgreSQL from DATABASE_URL");
    const applied = await applyMigrations(db.url);
    if (applied.length) console.log(`Applied ${applied.length} migration(s): ${applied.join(", ")}`);
    // The embedded database starts with the demo data (unless BURNRATE_DEMO_DATA=off) and offers one-click
    // demo sign-in. A real DATABASE_URL gets nothing demo-related unless BURNRATE_DEMO_DATA=on says so; an
    // empty one opens on the first-run setup page.
    const demoData = process.env.BURNRATE_DEMO_DATA === "on" || (db.embedded !== undefined && process.env.BURNRATE_DEMO_DATA !== "off");
    if (demoData) {
      const seeded = await seedDatabase({ url: db.url, reset: false });
      if (seeded.isSeeded) console.log(`Seeded demo data in ${seeded.seconds.toFixed(1)} s`);
    }
    const demoSignIn = demoData && db.embedded !== undefined ? "on" : "off";

    const env = { ...process.env, DATABASE_URL: db.url, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1", BURNRATE_DEMO_SIGN_IN: demoSignIn };
    if (!isDev && !isBuildCurrent(root)) {
      console.log("Building the app (sources changed since the last build)…");
      await runNode([NEXT_BIN, "build"], { ...env, NODE_ENV: "production" });
      markBuildCurrent(root);
    }
    console.log(`Burnrate on ${process.env.BURNRATE_PUBLIC_URL || `http://localhost:${port}`} (listening on ${host.includes(":") ? `[${host}]` : host}:${port})`);
    if (demoSignIn === "on") console.log("Demo data: sign in as any demo user with one click on the sign-in page.");
    app = spawn(process.execPath, nextServerArgs({ port, host, isDev }), {
      stdio: "inherit",
      env: isDev ? env : { ...env, NODE_ENV: "production" },
    });
    app.once("exit", (code, signal) => {
      if (shuttingDown) return;
      console.error(`next ${isDev ? "dev" : "start"} exited (${signal ?? code}); stopping PostgreSQL.`);
      void shutdown(code ?? 1);
    });
  } catch (error) {
    if (db) await db.stop();
    throw error;
  }
});
