import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BudgetAlertsFailed, TeamBudgetForecastFailed } from "@/components/budgets/budget-alerts-panel";
import { SuggestionsFailed, SuggestionsSkeleton } from "@/components/suggestions/suggestions-panel";
import { showsFailure, splitBytes } from "./page-cache";

// The page cache's document handling (lib/cache/page-cache.ts); its serving is
// covered against a production build by e2e/page-cache.spec.ts.

const html = (element: Parameters<typeof renderToStaticMarkup>[0]) => Buffer.from(`<!DOCTYPE html><html><body>${renderToStaticMarkup(element)}</body></html>`);

describe("showsFailure: a page with a failed section is never kept, so a reload tries again", () => {
  it("sees the app's failure panels", () => {
    expect(showsFailure(html(createElement(SuggestionsFailed)))).toBe(true);
    expect(showsFailure(html(createElement(BudgetAlertsFailed)))).toBe(true);
    expect(showsFailure(html(createElement(TeamBudgetForecastFailed)))).toBe(true);
  });

  it("sees React's errored Suspense boundaries and error digests", () => {
    expect(showsFailure(Buffer.from(`<div><!--$!--><template data-dgst="123"></template><p>Loading</p><!--/$--></div>`))).toBe(true);
    expect(showsFailure(Buffer.from(`<script>$RX("B:1","123")</script>`))).toBe(true);
  });

  it("keeps a page whose sections all rendered, or are still streaming", () => {
    expect(showsFailure(html(createElement(SuggestionsSkeleton)))).toBe(false);
    expect(showsFailure(Buffer.from(`<div><!--$--><p>$1,234.56</p><!--/$--><!--$?--><template id="B:0"></template><!--/$--></div>`))).toBe(false);
  });
});

describe("splitBytes: a kept page is cut at its nonce and joined with a fresh one on every replay", () => {
  const nonce = Buffer.from("8f14e45f-ceea-467f-a0e6-0c6b1e2d6a37").toString("base64");
  const join = (parts: Buffer[], fresh: string) => Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from(fresh), part]))).toString();

  it("finds every occurrence, at the start, the end and side by side, in multi-byte text", () => {
    const page = `${nonce}<script nonce="${nonce}">x</script>·–€ <script nonce="${nonce}"></script>${nonce}${nonce}`;
    const parts = splitBytes(Buffer.from(page), nonce);
    expect(parts).toHaveLength(6);
    expect(join(parts, "FRESH")).toBe(page.replaceAll(nonce, "FRESH"));
    expect(join(parts, nonce)).toBe(page);
  });

  it("leaves a page without the nonce whole", () => {
    expect(splitBytes(Buffer.from("<p>no scripts</p>"), nonce).map(String)).toEqual(["<p>no scripts</p>"]);
  });
});
