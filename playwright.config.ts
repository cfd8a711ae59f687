import { defineConfig, devices } from "@playwright/test";
import { findChromium } from "./e2e/chromium";

// Run through `npm run test:e2e` (scripts/e2e.ts), which starts PostgreSQL and a
// production build and passes their addresses in BASE_URL and E2E_DATABASE_URL.
const baseURL = process.env.BASE_URL;
if (!baseURL) throw new Error("BASE_URL is not set — run the browser tests with `npm run test:e2e`.");

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  // Two workers on two cores: spec files run side by side (tests within a file
  // in order). Specs seed their own rows and read org-wide figures only for
  // months no spec writes to, so they can't disturb each other.
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  timeout: 30_000,
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
