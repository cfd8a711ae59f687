import { AxeBuilder } from "@axe-core/playwright";
import { expect, screenshot, test } from "./fixtures";

// API v1's OpenAPI document and the reference page rendered from it: both
// public, the page readable signed in and out, on a phone and a desktop.

interface OpenApi {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { operationId: string; summary: string; "x-scope"?: string }>>;
}

const signedOut = { storageState: { cookies: [], origins: [] } };

test.describe("signed out", () => {
  test.use(signedOut);

  test("/api/v1/openapi.json answers an OpenAPI 3.1 document, publicly and cacheably", async ({ request }) => {
    const response = await request.get("/api/v1/openapi.json");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^application\/json/);
    expect(response.headers()["cache-control"]).toBe("public, max-age=300");
    const openApi = (await response.json()) as OpenApi;
    expect(openApi.openapi).toMatch(/^3\.1\.\d+$/);
    expect(openApi.info.title).toBe("Burnrate API");
  });

  // axe at the phone width only: over this long page it takes a minute on a busy two-core machine.
  for (const { label, viewport, isAxeChecked } of [
    { label: "desktop", viewport: { width: 1440, height: 900 }, isAxeChecked: false },
    { label: "phone", viewport: { width: 390, height: 844 }, isAxeChecked: true },
  ]) {
    test(`the reference lists every operation of the document (${label})`, async ({ page, request }) => {
      test.setTimeout(isAxeChecked ? 180_000 : 60_000);
      await page.setViewportSize(viewport);
      const openApi = (await (await request.get("/api/v1/openapi.json")).json()) as OpenApi;
      const operations = Object.entries(openApi.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ path, method, ...operation })));

      await page.goto("/docs/api");
      await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
      await expect(page.getByRole("link", { name: "OpenAPI document (JSON)" })).toHaveAttribute("href", "/api/v1/openapi.json");
      await expect(page.getByRole("heading", { name: "Authentication" })).toBeVisible();
      if (operations.length === 0) await expect(page.getByText("No operations yet")).toBeVisible();
      for (const operation of operations) {
        const section = page.locator(`section#${operation.operationId}`);
        await expect(section.getByRole("heading", { level: 3, name: operation.summary })).toBeVisible();
        await expect(section.getByText(operation.path, { exact: true })).toBeVisible();
        await expect(section.getByText(operation.method.toUpperCase(), { exact: true })).toBeVisible();
        if (operation["x-scope"]) await expect(section.getByText(operation["x-scope"], { exact: true }).first()).toBeVisible();
        await expect(section.getByRole("region", { name: `${operation.summary}: curl example` })).toContainText(`curl`);
      }

      // The page never pans sideways; wide tables and code scroll inside named, focusable regions.
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      const unreachable = await page.evaluate(() =>
        [...document.body.querySelectorAll("*")]
          .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
          .filter((el) => (el as HTMLElement).tabIndex < 0 || !el.getAttribute("aria-label"))
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unreachable).toEqual([]);
      if (isAxeChecked) {
        const results = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
        expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
      }
      await screenshot(page, `api-docs-${label}`);

      // The index links to each operation by keyboard.
      const first = operations[0];
      if (first) {
        const link = page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: new RegExp(first.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) });
        await link.focus();
        await page.keyboard.press("Enter");
        await expect(page).toHaveURL(new RegExp(`#${first.operationId}$`));
      }
    });
  }
});

test("signed in, the reference shows within the app", async ({ page }) => {
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});
