// npm run test:e2e — Playwright in real Chromium against a production build on a
// throwaway embedded PostgreSQL (or TEST_DATABASE_URL's server), seeded with demo data.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { FAKE_OIDC_CLIENT } from "../e2e/fake-oidc";
import { seedDatabase } from "../lib/seed/write";
import { assertLocal, createTemplate, createTestDatabase, freePort, startTestServer } from "../lib/testing/test-database";
import { isBuildCurrent, markBuildCurrent } from "./lib/build-stamp";
import { runMain } from "./lib/errors";
import { endChild, NEXT_BIN, nextServerArgs, runNode } from "./lib/processes";

const root = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const PLAYWRIGHT_BIN = path.join(path.dirname(require.resolve("@playwright/test/package.json")), "cli.js");

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not answer ${url}/api/health within ${timeoutMs / 1000} s`);
}

/** `--build-only`: the production build alone, so `npm test` can build while Vitest runs. */
async function buildIfStale(env: NodeJS.ProcessEnv): Promise<void> {
  if (isBuildCurrent(root)) return;
  await runNode([NEXT_BIN, "build"], env);
  markBuildCurrent(root);
}

runMain(async () => {
  if (process.argv.includes("--build-only")) {
    // Every page is dynamic: the build never connects, it only needs a well-formed URL.
    await buildIfStale({ ...process.env, DATABASE_URL: "postgres://build@127.0.0.1:1/build", NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" });
    return;
  }
  const server = await startTestServer();
  let exitCode = 1;
  try {
    await createTemplate(server.adminUrl);
    const database = await createTestDatabase(server.adminUrl, "e2e");
    assertLocal(database.url);
    await seedDatabase({ url: database.url, reset: false });

    const env = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const, BURNRATE_DEMO_SIGN_IN: "on" };
    await buildIfStale(env);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // SSO against the small OIDC provider e2e/sso.spec.ts runs on this port (the app discovers it lazily).
    const oidcPort = await freePort();
    const app = spawn(process.execPath, nextServerArgs({ port }), {
      env: {
        ...env,
        PORT: String(port),
        BURNRATE_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        BURNRATE_OIDC_CLIENT_ID: FAKE_OIDC_CLIENT.id,
        BURNRATE_OIDC_CLIENT_SECRET: FAKE_OIDC_CLIENT.secret,
        BURNRATE_OIDC_NAME: FAKE_OIDC_CLIENT.name,
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    // A second server on an empty (migrated, unseeded) database, as a new user's own PostgreSQL would be:
    // the first-run spec sets up an organization there.
    const empty = await createTestDatabase(server.adminUrl, "e2e_empty");
    assertLocal(empty.url);
    const emptyPort = await freePort();
    const emptyBaseUrl = `http://127.0.0.1:${emptyPort}`;
    const emptyApp = spawn(process.execPath, nextServerArgs({ port: emptyPort }), {
      env: { ...env, DATABASE_URL: empty.url, PORT: String(emptyPort), BURNRATE_DEMO_SIGN_IN: "off" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    try {
      await waitForHealth(baseUrl, 60_000);
      await waitForHealth(emptyBaseUrl, 60_000);
      exitCode = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [PLAYWRIGHT_BIN, "test", ...process.argv.slice(2)], {
          stdio: "inherit",
          env: { ...process.env, BASE_URL: baseUrl, E2E_DATABASE_URL: database.url, EMPTY_BASE_URL: emptyBaseUrl, EMPTY_DATABASE_URL: empty.url, FAKE_OIDC_PORT: String(oidcPort) },
        });
        child.once("exit", (code) => resolve(code ?? 1));
      });
    } finally {
      await Promise.all([endChild(app), endChild(emptyApp)]);
      await Promise.all([database.drop(), empty.drop()]);
    }
  } finally {
    await server.stop();
  }
  process.exit(exitCode);
});
