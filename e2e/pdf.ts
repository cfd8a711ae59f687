import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page, TestInfo } from "@playwright/test";

/**
 * Printing a page to PDF with Chromium and reading the PDF back with
 * poppler-utils (pdftotext, pdfinfo, pdftoppm; .ci/run installs them):
 * its page count, its text, and each page as a grayscale image to check
 * for blank pages, ink in the margins and the page-number footer.
 */

export type PaperFormat = "A4" | "Letter";

/** Paper sizes in millimetres, portrait. */
export const PAPER_MM: Record<PaperFormat, { width: number; height: number }> = {
  A4: { width: 210, height: 297 },
  Letter: { width: 215.9, height: 279.4 },
};

/** The @page margins in app/globals.css, in millimetres. */
export const PAGE_MARGIN_MM = { top: 16, right: 14, bottom: 18, left: 14 } as const;

/** The width in CSS px (96 per inch) between the side margins of the paper. */
export function contentWidthPx(format: PaperFormat): number {
  return Math.floor(((PAPER_MM[format].width - PAGE_MARGIN_MM.left - PAGE_MARGIN_MM.right) / 25.4) * 96);
}

/**
 * Opens `url`, waits for `ready` (whatever must be drawn first), narrows the
 * viewport to the paper's text width, switches to print media and prints to
 * `<test output dir>/<name>.pdf` (kept, so a person can open it).
 *
 * The narrowing is what a browser's own print layout does: charts that size
 * themselves to their box (Recharts' ResizeObserver) then redraw for the
 * page's width before printing, instead of being scaled down from the
 * screen's width with unreadably small ticks, and width media queries see
 * the page (print styles must not rely on lg:/2xl: variants).
 *
 * The paper size comes from `format`; the margins and the "Page N of M"
 * footer come from the stylesheet's @page rule, not from Playwright
 * (its margins stay zero, its header/footer templates unused).
 */
export async function printToPdf(
  page: Page,
  url: string,
  { format, testInfo, name = `print-${format}`, ready }: { format: PaperFormat; testInfo: TestInfo; name?: string; ready?: (page: Page) => Promise<void> },
): Promise<{ path: string; pages: number }> {
  await page.goto(url);
  if (ready) await ready(page);
  await page.setViewportSize({ width: contentWidthPx(format), height: page.viewportSize()?.height ?? 900 });
  await page.emulateMedia({ media: "print" });
  await chartsFitTheirBoxes(page);
  const file = testInfo.outputPath(`${name}.pdf`);
  // preferCSSPageSize false: the paper is `format` whatever the page asks
  // for (the stylesheet says `size: auto` anyway); margins still come from @page.
  await page.pdf({ path: file, format, printBackground: true, preferCSSPageSize: false, displayHeaderFooter: false });
  return { path: file, pages: pdfPageCount(file) };
}

/** Waits until every Recharts chart has redrawn its SVG for its box's current width. */
async function chartsFitTheirBoxes(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".recharts-wrapper")].every((wrapper) => {
      const svg = wrapper.querySelector("svg.recharts-surface");
      return svg === null || Math.abs(Number(svg.getAttribute("width")) - wrapper.clientWidth) <= 1;
    }),
  );
}

/**
 * The outermost elements reaching past the right edge of the page as laid
 * out now (after printToPdf: print media at the paper's text width). A
 * printed page clips them: a table cut off, a number lost. Empty when all fits.
 */
export function elementsPastTheRightEdge(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth + 0.5;
    const isOver = (el: Element) => el.getBoundingClientRect().right > limit && el.getClientRects().length > 0;
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).slice(0, 4).join(".")}` : ""} right=${Math.round(el.getBoundingClientRect().right)}`;
    return [...document.body.querySelectorAll("*")]
      .filter((el) => isOver(el) && !(el.parentElement && el.parentElement !== document.body && isOver(el.parentElement)))
      .slice(0, 8)
      .map(describe);
  });
}

/** Runs one of poppler-utils' tools, saying how to install them when they are missing. */
function poppler(tool: "pdftotext" | "pdfinfo" | "pdftoppm", args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${tool} not found — install poppler-utils (Debian/Ubuntu: sudo apt-get install -y poppler-utils; .ci/run does).`);
    }
    throw error;
  }
}

/** The PDF's text, laid out as on the page (pdftotext -layout); pages end with a form feed. */
export function pdfText(file: string): string {
  return poppler("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]);
}

/** The number of pages, from pdfinfo. */
export function pdfPageCount(file: string): number {
  const info = poppler("pdfinfo", [file]);
  const match = /^Pages:\s+(\d+)$/m.exec(info);
  if (!match) throw new Error(`pdfinfo printed no page count for ${file}:\n${info}`);
  return Number(match[1]);
}

/** One page as 8-bit grayscale: `pixels[y * width + x]`, 0 black to 255 white. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Every page rendered at `dpi` (pdftoppm -gray), oldest first. */
export function pdfPageImages(file: string, { dpi = 50 }: { dpi?: number } = {}): GrayImage[] {
  const dir = mkdtempSync(path.join(tmpdir(), "burnrate-pdf-"));
  try {
    poppler("pdftoppm", ["-gray", "-r", String(dpi), file, path.join(dir, "page")]);
    // pdftoppm pads the page number to the width of the last one (page-01.pgm … page-12.pgm).
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".pgm"))
      .sort((a, b) => pageNumberOf(a) - pageNumberOf(b));
    return files.map((f) => parsePgm(readFileSync(path.join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pageNumberOf(fileName: string): number {
  return Number(/-(\d+)\.pgm$/.exec(fileName)?.[1] ?? Number.NaN);
}

/**
 * A binary (P5) PGM: "P5", width, height and maxval as ASCII numbers
 * separated by whitespace, with `#` comments to the end of a line, then one
 * whitespace byte and the pixels (one byte each when maxval < 256, else two,
 * big-endian, scaled here to 0–255).
 */
export function parsePgm(bytes: Uint8Array): GrayImage {
  let at = 0;
  const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
  const token = (): string => {
    for (;;) {
      while (at < bytes.length && isSpace(bytes[at]!)) at++;
      if (bytes[at] !== 0x23 /* # */) break;
      while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
    }
    const start = at;
    while (at < bytes.length && !isSpace(bytes[at]!) && bytes[at] !== 0x23) at++;
    if (start === at) throw new Error("PGM: the header ends early");
    return String.fromCharCode(...bytes.subarray(start, at));
  };
  const magic = token();
  if (magic !== "P5") throw new Error(`PGM: expected P5 (binary grayscale), got ${JSON.stringify(magic)}`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`PGM: bad size ${width}×${height}`);
  if (!Number.isInteger(maxval) || maxval < 1 || maxval > 65535) throw new Error(`PGM: bad maxval ${maxval}`);
  at++; // the single whitespace byte after maxval
  const count = width * height;
  const bytesPerPixel = maxval < 256 ? 1 : 2;
  if (bytes.length - at < count * bytesPerPixel) throw new Error(`PGM: ${count * bytesPerPixel} pixel bytes expected, ${bytes.length - at} present`);
  const pixels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const value = bytesPerPixel === 1 ? bytes[at + i]! : (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
    pixels[i] = maxval === 255 ? value : Math.round((value * 255) / maxval);
  }
  return { width, height, pixels };
}

/** A rectangle in pixels: left/top inclusive, right/bottom exclusive. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Darker than this (0–255) counts as ink; anti-aliasing and light fills stay below. */
export const INK_THRESHOLD = 200;

function inBox(image: GrayImage, box: Box | undefined): Box {
  const b = box ?? { left: 0, top: 0, right: image.width, bottom: image.height };
  return { left: Math.max(0, Math.floor(b.left)), top: Math.max(0, Math.floor(b.top)), right: Math.min(image.width, Math.ceil(b.right)), bottom: Math.min(image.height, Math.ceil(b.bottom)) };
}

/** The bounding box of the ink (pixels darker than `threshold`) inside `within` (default: the page), or null when there is none. */
export function inkBox(image: GrayImage, { within, threshold = INK_THRESHOLD }: { within?: Box; threshold?: number } = {}): Box | null {
  const area = inBox(image, within);
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let y = area.top; y < area.bottom; y++) {
    const row = y * image.width;
    for (let x = area.left; x < area.right; x++) {
      if (image.pixels[row + x]! < threshold) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  return right < 0 ? null : { left, top, right: right + 1, bottom: bottom + 1 };
}

/** The share (0–1) of pixels inside `within` (default: the page) darker than `threshold`. */
export function inkRatio(image: GrayImage, { within, threshold = INK_THRESHOLD }: { within?: Box; threshold?: number } = {}): number {
  const area = inBox(image, within);
  let ink = 0;
  for (let y = area.top; y < area.bottom; y++) {
    const row = y * image.width;
    for (let x = area.left; x < area.right; x++) if (image.pixels[row + x]! < threshold) ink++;
  }
  const total = (area.right - area.left) * (area.bottom - area.top);
  return total > 0 ? ink / total : 0;
}

/** Millimetres on a page image to pixels (the image spans the paper's width). */
export function mmToPx(image: GrayImage, mm: number, format: PaperFormat): number {
  return (mm * image.width) / PAPER_MM[format].width;
}

/** The page's regions in pixels: where content goes, where the footer goes, and the page box. */
export function pageRegions(image: GrayImage, format: PaperFormat): { content: Box; footer: Box; page: Box } {
  const px = (mm: number) => mmToPx(image, mm, format);
  const { width, height } = image;
  return {
    page: { left: 0, top: 0, right: width, bottom: height },
    content: { left: px(PAGE_MARGIN_MM.left), top: px(PAGE_MARGIN_MM.top), right: width - px(PAGE_MARGIN_MM.right), bottom: height - px(PAGE_MARGIN_MM.bottom) },
    footer: { left: px(PAGE_MARGIN_MM.left), top: height - px(PAGE_MARGIN_MM.bottom), right: width - px(PAGE_MARGIN_MM.right), bottom: height },
  };
}
