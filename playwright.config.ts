import { defineConfig, devices } from "@playwright/test";
import { storageStateFor } from "./e2e/auth";
import { findChromium } from "./e2e/chromium";

// Run through `npm run test:e2e` (scripts/e2e.ts), which starts PostgreSQL and a
// production build and passes their addresses in BASE_URL and E2E_DATABASE_URL.
const baseURL = process.env.BASE_URL;
if (!baseURL) throw new Error("BASE_URL is not set — run the browser tests with `npm run test:e2e`.");

const browser = {
  ...devices["Desktop Chrome"],
  viewport: { width: 1440, height: 900 },
  launchOptions: {
    executablePath: findChromium(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  },
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  // One worker: on two cores a second one made every test about twice as slow
  // and the suite no faster (measured). Specs still read org-wide figures only
  // for a month no spec writes to, so a second worker would stay correct.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  timeout: 30_000,
  // A save is a server action, a transaction, a redirect and the next page's
  // render: with another build running on the same two cores that took over
  // 10 s (measured), so one expectation may wait up to 20 s.
  expect: { timeout: 20_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    // Signs in every demo user once; the specs reuse the saved sessions.
    { name: "sign-in", testMatch: /auth\.setup\.ts$/, use: { ...browser } },
    {
      name: "chromium",
      dependencies: ["sign-in"],
      // Specs act as the org admin unless they pick another role (e2e/auth.ts).
      use: { ...browser, storageState: storageStateFor("admin") },
    },
  ],
});
