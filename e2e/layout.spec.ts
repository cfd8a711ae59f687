import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";

// Layout from a phone to a wide desktop: no page scrolls sideways; a table
// wider than the screen scrolls inside its own named, keyboard-reachable
// region, and from 1024 px up no table needs to; axe finds no serious or
// critical violation. One test per page per width, so each has its own
// timeout and fails by name.

const pages: [name: string, pathOf: (teamSlug: string) => string][] = [
  ["overview", () => "/"],
  ["team", (slug) => `/teams/${slug}`],
  ["training", () => "/training"],
  ["inference", () => "/inference"],
  ["reports", () => "/reports"],
  ["settings", () => "/settings"],
  ["estimate", () => "/estimate"],
];

// isFullCheck: axe and a screenshot as well. On a phone wide tables scroll
// inside their region; from a 1024 px laptop up every column must be in view.
const widths: { width: number; height: number; isFullCheck: boolean; mustFit: boolean }[] = [
  { width: 390, height: 844, isFullCheck: true, mustFit: false },
  { width: 1024, height: 768, isFullCheck: true, mustFit: true },
  { width: 1920, height: 1080, isFullCheck: false, mustFit: true },
];

/** Waits until every Suspense boundary has resolved and every chart has drawn. */
async function settle(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading" })).toHaveCount(0);
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
  // A chart with data has a legend; Recharts draws its SVG once it has measured its box.
  await expect(page.locator("figure:has(ul):not(:has(svg))")).toHaveCount(0);
}

/** The outermost visible elements reaching past the right edge of the viewport, for the failure message. */
function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).slice(0, 4).join(".")}` : ""} right=${Math.round(el.getBoundingClientRect().right)}`;
    const isOver = (el: Element) => el.getBoundingClientRect().right > limit + 0.5;
    return [...document.body.querySelectorAll("*")]
      .filter((el) => isOver(el) && !(el.parentElement && el.parentElement !== document.body && isOver(el.parentElement)))
      .slice(0, 8)
      .map(describe);
  });
}

/** Every box that scrolls sideways, and whether it is named and in the tab order. */
function scrollContainers(page: Page): Promise<{ what: string; isScrolling: boolean; isFocusable: boolean; hasName: boolean }[]> {
  return page.evaluate(() =>
    [...document.body.querySelectorAll("*")]
      .filter((el) => {
        const { overflowX } = getComputedStyle(el);
        return (overflowX === "auto" || overflowX === "scroll") && el.clientWidth > 0;
      })
      .map((el) => ({
        what: `${el.tagName.toLowerCase()}[aria-label="${el.getAttribute("aria-label") ?? ""}"] ${el.scrollWidth}>${el.clientWidth}`,
        isScrolling: el.scrollWidth > el.clientWidth + 1,
        isFocusable: (el as HTMLElement).tabIndex >= 0,
        hasName: (el.getAttribute("aria-label") ?? "").trim() !== "",
      })),
  );
}

for (const { width, height, isFullCheck, mustFit } of widths) {
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height } });
    for (const [name, pathOf] of pages) {
      const checks = ["no sideways page scroll", "scroll regions reachable by keyboard", ...(mustFit ? ["no column cut off"] : []), ...(isFullCheck ? ["no serious axe violation"] : [])];
      test(`${name} at ${width}×${height}: ${checks.join(", ")}`, async ({ page, sql }) => {
        const { rows: [team] } = await sql.query<{ slug: string }>(`select min(slug) as slug from teams`);
        const path = pathOf(team!.slug);
        await page.goto(path);
        await settle(page);
        if (isFullCheck) await screenshot(page, `layout-${name}-${width}`);

        const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
        const pastTheEdge = scrollWidth > innerWidth ? await overflowingElements(page) : [];
        expect(scrollWidth, `${path} at ${width} px pans sideways; past the edge: ${pastTheEdge.join(" | ")}`).toBeLessThanOrEqual(innerWidth);

        const containers = await scrollContainers(page);
        const scrolling = containers.filter((c) => c.isScrolling);
        expect(scrolling.filter((c) => !c.isFocusable || !c.hasName).map((c) => c.what), "scrolling regions without tabindex=0 and a name").toEqual([]);
        if (mustFit) expect(scrolling.map((c) => c.what), `columns cut off at ${width} px`).toEqual([]);

        if (!isFullCheck) return;
        const results = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
        const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), path).toEqual([]);
      });
    }
  });
}
