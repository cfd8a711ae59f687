import type { Page } from "@playwright/test";
import { expect, quietMonth, test } from "./fixtures";
import { elementsPastTheRightEdge, inkBox, inkRatio, mmToPx, pageRegions, parsePgm, pdfPageImages, pdfText, printToPdf, type PaperFormat } from "./pdf";

// Pages printed to PDF by Chromium as a person would print them (A4 and
// Letter), then read back: the page count, the text (title, "Page 1 of N"
// from the @page margin boxes, no navigation or filter controls) and every
// page as an image (no blank page, nothing in the outer margin where a
// printer would cut it off, a footer on every page). One load and one print
// per test. The PDFs stay in test-results/ for people to open.

/** Waits until the page's data is in and every chart has drawn (as in layout.spec.ts). */
async function settle(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("status", { name: "Loading" })).toHaveCount(0);
  await expect(page.locator("figure:has(ul):not(:has(svg))")).toHaveCount(0);
}

// Words that only the main navigation, skip link, filter bar and zone switch show.
const NAV_ONLY = [/\bImport\b/, /\bSettings\b/, /Skip to content/, /\bApply\b/, /Overview\s+Teams\s+Training/, /\bTime zone\b/];

// maxPages: measured with the demo data (overview 5 pages on A4, 6 on
// Letter since it carries the suggestions; the month report 5), plus room for
// a longer month.
const reportMonth = quietMonth().from.slice(0, 7);
const pages: { name: string; url: string; title: string; text: RegExp[]; maxPages: number }[] = [
  // The print header (components/reports/print-header.tsx) is on the overview.
  { name: "overview", url: "/", title: "Overview", text: [/GPU cost overview · /, /Reporting time zone: /, /Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(/, /Budget this month/, /Suggestions/], maxPages: 8 },
  // A closed month's report, as finance gets it; its key figures are read from the page (keyFigures).
  {
    name: "month report",
    url: `/reports/${reportMonth}`,
    title: "Cost report · ",
    text: [/Reporting time zone: America\/Los_Angeles/, /Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(/, /Cost by team/i, /Cost by model/i, /Top training runs/i, /Top deployments/i, /Change vs previous month/i],
    maxPages: 8,
  },
];

/** The figures a printed report must carry: the KPI values and every team's row, as the screen shows them. */
async function keyFigures(page: Page): Promise<string[]> {
  const figures = await page.locator("[data-stat-value]").allTextContents();
  const teams = page.getByRole("table", { name: "Cost by team", exact: true });
  const rows = await teams.locator("tbody tr").count();
  const teamFigures: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = teams.locator("tbody tr").nth(i);
    teamFigures.push(`${(await row.locator("th").first().textContent())!.trim()}`, (await row.locator("td").first().textContent())!.trim());
  }
  return [...figures, ...teamFigures].map((t) => t.trim()).filter((t) => t !== "");
}
const formats: PaperFormat[] = ["A4", "Letter"];

for (const { name, url, title, text, maxPages } of pages) {
  for (const format of formats) {
    test(`${name} prints on ${format}: page count, text, page numbers, no navigation, nothing cut off, no blank page`, async ({ page }, testInfo) => {
      const pdf = await printToPdf(page, url, { format, testInfo, name: `${name}-${format}`, ready: settle });
      // Everything fits the paper's width: the page clips what does not (a number cut off).
      expect(await elementsPastTheRightEdge(page), "printed past the right margin, so cut off").toEqual([]);

      expect(pdf.pages).toBeGreaterThanOrEqual(1);
      expect(pdf.pages, `${name} on ${format}`).toBeLessThanOrEqual(maxPages);

      const content = pdfText(pdf.path);
      expect(content).toContain(title);
      for (const pattern of text) expect(content).toMatch(pattern);
      if (url.startsWith("/reports/")) {
        const figures = await keyFigures(page);
        expect(figures.length, "KPIs and team rows read from the page").toBeGreaterThan(6);
        // pdftotext keeps each figure on one line; spacing between words may differ.
        const flat = content.replace(/\s+/g, " ");
        for (const figure of figures) expect(flat, `printed report lacks "${figure}"`).toContain(figure.replace(/\s+/g, " "));
      }
      // The @page margin boxes: "Page N of M" at the foot of every page.
      const pageTexts = content.split("\f").filter((t) => t.trim() !== "");
      expect(pageTexts).toHaveLength(pdf.pages);
      pageTexts.forEach((t, i) => expect(t, `footer of page ${i + 1}`).toContain(`Page ${i + 1} of ${pdf.pages}`));
      for (const pattern of NAV_ONLY) expect(content, "navigation or filter controls printed").not.toMatch(pattern);

      const images = pdfPageImages(pdf.path, { dpi: 50 });
      expect(images).toHaveLength(pdf.pages);
      images.forEach((image, i) => {
        const where = `${name} on ${format}, page ${i + 1}`;
        const { content: body, footer } = pageRegions(image, format);
        // Content in the body, a page number at the bottom right, and no ink in
        // the outer 5 mm: nothing runs off the paper or into the printer's edge.
        expect(inkRatio(image, { within: body }), `${where} is blank`).toBeGreaterThan(0.002);
        // A block too tall to move whole would leave a page all but empty before it.
        if (i < images.length - 1) {
          expect(inkBox(image, { within: body })!.bottom, `${where} is mostly empty`).toBeGreaterThan(body.top + (body.bottom - body.top) / 3);
        }
        const pageNumberBox = { ...footer, left: footer.right - (footer.right - footer.left) / 3 };
        expect(inkBox(image, { within: pageNumberBox }), `${where} has no page number`).not.toBeNull();
        const edge = mmToPx(image, 5, format);
        const ink = inkBox(image)!;
        expect(ink.left, `${where}: ink in the left edge`).toBeGreaterThanOrEqual(edge);
        expect(ink.top, `${where}: ink in the top edge`).toBeGreaterThanOrEqual(edge);
        expect(image.width - ink.right, `${where}: ink in the right edge`).toBeGreaterThanOrEqual(edge);
        expect(image.height - ink.bottom, `${where}: ink in the bottom edge`).toBeGreaterThanOrEqual(edge);
        // The body's ink starts near the left margin (a card's padding in): the @page margins apply.
        expect(inkBox(image, { within: body })!.left, `${where}: content far from the left margin`).toBeLessThanOrEqual(body.left + mmToPx(image, 8, format));
      });
    });
  }
}

// The image checks stand on the PGM reader: no browser needed.
test("PGM pages are read with comments in the header and 8- or 16-bit samples; ink is found where it is", () => {
  const header = (text: string) => new TextEncoder().encode(text);
  // 4×2, a comment after the magic and one after the size; one dark pixel at (2, 1).
  const eight = new Uint8Array([...header("P5\n# made by hand\n4 2 # width height\n255\n"), 255, 255, 255, 255, 255, 255, 10, 255]);
  const image = parsePgm(eight);
  expect([image.width, image.height, [...image.pixels]]).toEqual([4, 2, [255, 255, 255, 255, 255, 255, 10, 255]]);
  expect(inkBox(image)).toEqual({ left: 2, top: 1, right: 3, bottom: 2 });
  expect(inkRatio(image)).toBe(1 / 8);
  expect(inkBox(image, { within: { left: 0, top: 0, right: 2, bottom: 2 } })).toBeNull();
  // maxval 65535: two bytes a sample, big-endian, scaled to 0–255.
  const sixteen = parsePgm(new Uint8Array([...header("P5 2 1 65535\n"), 0xff, 0xff, 0x00, 0x00]));
  expect([...sixteen.pixels]).toEqual([255, 0]);
  expect(() => parsePgm(header("P6\n1 1\n255\n\0\0\0"))).toThrow(/P5/);
  expect(() => parsePgm(new Uint8Array([...header("P5 2 2 255\n"), 1, 2]))).toThrow(/pixel bytes/);
});
