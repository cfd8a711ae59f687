import { defineConfig, devices } from "@playwright/test";
import { findChromium } from "./e2e/chromium";

// Run through `npm run test:e2e` (scripts/e2e.ts), which starts PostgreSQL and a
// production build and passes their addresses in BASE_URL and E2E_DATABASE_URL.
const baseURL = process.env.BASE_URL;
if (!baseURL) throw new Error("BASE_URL is not set — run the browser tests with `npm run test:e2e`.");

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
  // A save is a server action, a transaction and a redirect: on a busy machine
  // that can take longer than Playwright's default 5 s for one expectation.
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          executablePath: findChromium(),
          args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        },
      },
    },
  ],
});
