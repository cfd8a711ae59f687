import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The Chromium to drive: CHROMIUM_PATH, Debian's /usr/bin/chromium, or
 * Playwright's own browser cache. Never skipped: no browser is an error.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own installed.
  }
  const found = candidates.find((p): p is string => Boolean(p) && existsSync(p!));
  if (!found) {
    throw new Error(
      "No Chromium found — install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  return found;
}
