import "server-only";
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { NextRequest } from "next/server";
import { viewerFromHeaders } from "@/lib/access/current-viewer";
import type { Viewer } from "@/lib/access/viewer";
import { serverEnv } from "@/lib/env";
import { accessKey, floorToMinute, readDataVersion } from "./read-cache";

/**
 * Finished dashboard documents, kept for the people who asked for them (many
 * readers at once: rendering a page, not reading its figures, is what costs
 * the one Node thread). proxy.ts asks `cachedPage` before a dashboard GET.
 *
 * - Which pages: the dashboards whose every figure comes from the read cache
 *   or from tables the data version covers (PAGES below); never forms,
 *   settings, people, API keys or a training run's own page.
 * - Key: the committed data version (table data_version, read fresh for every
 *   request: deferred triggers bump it as any transaction that changed what
 *   these pages show commits, in any process), the minute (UTC; the read
 *   models see `now` floored to it, so an entry serves the minute as theirs
 *   do), who is asking — user id, name, e-mail and their access
 *   (accessKey: org, roles, teams, org zone) — the Host, and the path with
 *   its query.
 *   A write is never served stale: the next request reads the new version.
 * - Who is asking is decided by the access layer, as a page would: the viewer
 *   the session signs in (viewerFromHeaders in lib/access/current-viewer.ts,
 *   which getViewer uses). Signed out, a removed user or an expired session:
 *   no cache, the page answers as always (a redirect to sign-in). The page itself still applies the access
 *   layer to everything it reads; the cache only replays to the same person
 *   what the page rendered for them, for the same data and minute.
 * - Filling: on a miss the proxy fetches the page from this server (a
 *   loopback request carrying a per-process secret, so it is rendered as
 *   usual) and streams it to the client while keeping a copy; it is kept only
 *   when complete, 200, HTML, without Set-Cookie, without a section that
 *   failed (FAILURE_MARKS: a reload must try again), and at most 4 MB (64 MB
 *   in all and 48 pages per person, least recently used dropped first).
 *   Concurrent misses for one key wait for the one fill (at most 10 s, then
 *   they render themselves). Any failure of the cache itself renders the
 *   page as usual.
 * - The script nonce (proxy.ts gives every page a fresh one) is replaced by a
 *   fresh one in the body and the CSP header of every replay.
 * - Only full-document GETs (accepting HTML, fetch destination "document" if
 *   given): not client navigations (RSC requests), prefetches or server
 *   actions. Off in development and with BURNRATE_PAGE_CACHE=off.
 */

const PAGES = [/^\/$/, /^\/training$/, /^\/inference$/, /^\/inference\/\d+$/, /^\/teams$/, /^\/teams\/[a-z0-9-]+$/, /^\/reports$/, /^\/reports\/[^/]+$/, /^\/reports\/[^/]+\/[a-z0-9-]+$/, /^\/suggestions$/];
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const MAX_PAGES_BYTES = 64 * 1024 * 1024;
/** Pages kept per person (so one person cycling query strings can't push out everyone's). */
const MAX_PAGES_PER_PERSON = 48;
/** A loopback render idle this long is abandoned (the client gets an error, nothing is kept). */
const FILL_IDLE_MS = 60_000;
/** A request waiting for someone else's fill of its key renders itself after this long. */
const WAIT_FOR_FILL_MS = 10_000;
/**
 * Marks of a section that failed while the page streamed — the app's failure
 * panels (data-load-failed) and React's errored boundaries — in a document
 * that still answered 200: never kept, so a reload tries again.
 */
const FAILURE_MARKS = ["data-load-failed", "<!--$!", "$RX(", "data-dgst"].map((mark) => Buffer.from(mark));
/** The header a fill request carries, with this process's secret. */
const FILL_HEADER = "x-burnrate-page-fill";
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "content-length", "content-encoding", "date"]);

interface Page {
  /** The data version and minute it was rendered for, and for whom. */
  version: bigint;
  minute: number;
  userId: number;
  status: number;
  /** Headers of the response, the CSP split at its nonce. */
  headers: [string, string[]][];
  /** The body's bytes split at its nonce. */
  body: Buffer[];
  bytes: number;
}

const state = globalThis as unknown as { burnratePageFill?: string };
const fillSecret = (state.burnratePageFill ??= randomBytes(24).toString("base64url"));
const pages = new Map<string, Page>();
const filling = new Map<string, Promise<Page | null>>();
let pageBytes = 0;
/** The newest data version a page was kept for: pages of older ones can't be asked for again. */
let newestVersion = 0n;

/** A fresh script nonce, as proxy.ts makes them. */
export const newNonce = () => Buffer.from(crypto.randomUUID()).toString("base64");

/** Whether this request is the proxy's own fill of the cache (rendered as usual, never answered from the cache). */
export function isPageFill(request: NextRequest): boolean {
  return request.headers.get(FILL_HEADER) === fillSecret;
}

function isCacheable(request: NextRequest): boolean {
  if (process.env.NODE_ENV !== "production" || !process.env.__NEXT_PRIVATE_ORIGIN || serverEnv().BURNRATE_PAGE_CACHE === "off") return false;
  if (request.method !== "GET" || isPageFill(request)) return false;
  // Only a document request. Next hides a client navigation's or prefetch's RSC headers (and
  // its _rsc parameter) from the proxy, so a document is recognised by what browsers send for
  // one: it accepts HTML, and its fetch destination, if given, is a document.
  if (!(request.headers.get("accept") ?? "").includes("text/html")) return false;
  const dest = request.headers.get("sec-fetch-dest");
  if (dest !== null && dest !== "document") return false;
  if (request.headers.has("next-action") || request.headers.has("next-url")) return false;
  return PAGES.some((pattern) => pattern.test(request.nextUrl.pathname));
}

function pageKey(viewer: Viewer, version: bigint, minute: number, request: NextRequest): string {
  // The host too: a page rendered for one of the public URL's loopback names is replayed only under that name.
  return [version, minute, viewer.userId, viewer.name, viewer.email, accessKey(viewer), request.headers.get("host") ?? "", request.nextUrl.pathname + request.nextUrl.search].join("\u0000");
}

function dropPage(key: string): void {
  const page = pages.get(key);
  if (!page) return;
  pages.delete(key);
  pageBytes -= page.bytes;
}

/**
 * Keeps a finished page. Pages of an older data version, or of an earlier
 * minute than this one, can't be asked for again and are dropped; a person
 * keeps at most MAX_PAGES_PER_PERSON pages (their least recently used go).
 */
function keepPage(key: string, page: Page): void {
  if (page.version < newestVersion) return;
  newestVersion = page.version;
  let own = 0;
  for (const [k, p] of pages) {
    if (p.version < newestVersion || p.minute < page.minute) dropPage(k);
    else if (p.userId === page.userId && k !== key) own++;
  }
  for (const [k, p] of pages) {
    if (own < MAX_PAGES_PER_PERSON) break;
    if (p.userId === page.userId && k !== key) {
      dropPage(k);
      own--;
    }
  }
  dropPage(key);
  pages.set(key, page);
  pageBytes += page.bytes;
  while (pageBytes > MAX_PAGES_BYTES) dropPage(pages.keys().next().value!);
}

function replay(page: Page): Response {
  const nonce = newNonce();
  const headers = new Headers();
  for (const [name, parts] of page.headers) headers.append(name, parts.join(nonce));
  headers.set("x-burnrate-page-cache", "hit");
  const nonceBytes = Buffer.from(nonce);
  const body = Buffer.concat(page.body.flatMap((part, i) => (i === 0 ? [part] : [nonceBytes, part])));
  return new Response(body, { status: page.status, headers });
}

const nonceOf = (csp: string | undefined) => (csp ? /'nonce-([^']+)'/.exec(csp)?.[1] : undefined);

/** `bytes` cut at every occurrence of `separator`. */
export function splitBytes(bytes: Buffer, separator: string): Buffer[] {
  const needle = Buffer.from(separator);
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(needle, from); at !== -1; at = bytes.indexOf(needle, from)) {
    parts.push(bytes.subarray(from, at));
    from = at + needle.length;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Whether the document shows a section that failed (FAILURE_MARKS). */
export const showsFailure = (body: Buffer) => FAILURE_MARKS.some((mark) => body.includes(mark));

/**
 * Renders the page through this server and streams it back, keeping a copy;
 * null when the loopback request failed before answering (the caller renders
 * as usual then). `kept` settles with what was kept (null: nothing). The
 * render stops if the client goes away, and is read only as fast as the
 * client takes it.
 */
function fill(request: NextRequest, version: bigint, minute: number, userId: number): Promise<{ response: Response; kept: Promise<Page | null> } | null> {
  const origin = new URL(process.env.__NEXT_PRIVATE_ORIGIN!);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== "accept-encoding" && name !== FILL_HEADER) headers[name] = value;
  });
  headers["accept-encoding"] = "identity";
  headers[FILL_HEADER] = fillSecret;
  let settle: (page: Page | null) => void = () => {};
  const kept = new Promise<Page | null>((resolve) => (settle = resolve));
  return new Promise((resolve) => {
    const fail = () => {
      settle(null);
      resolve(null);
    };
    let inner: http.ClientRequest;
    try {
      // Next names a server listening on every interface "localhost", which may resolve to ::1 first.
      const host = origin.hostname === "localhost" ? "127.0.0.1" : origin.hostname.replace(/^\[|\]$/g, "");
      inner = http.request({ host, port: origin.port, path: request.nextUrl.pathname + request.nextUrl.search, method: "GET", headers });
    } catch {
      return fail();
    }
    inner.setTimeout(FILL_IDLE_MS, () => inner.destroy(new Error("the page's render stalled")));
    request.signal?.addEventListener("abort", () => inner.destroy(new Error("the client went away")), { once: true });
    inner.on("error", fail);
    inner.on("response", (res) => {
      try {
        const status = res.statusCode ?? 502;
        const responseHeaders = new Headers();
        const keptHeaders: [string, string][] = [];
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name)) continue;
          for (const one of Array.isArray(value) ? value : [value]) {
            responseHeaders.append(name, one);
            keptHeaders.push([name, one]);
          }
        }
        responseHeaders.set("x-burnrate-page-cache", "miss");
        if ([204, 205, 304].includes(status)) {
          res.resume();
          settle(null);
          return resolve({ response: new Response(null, { status, headers: responseHeaders }), kept });
        }
        const nonce = nonceOf(res.headers["content-security-policy"] as string | undefined);
        let chunks: Buffer[] | null = status === 200 && String(res.headers["content-type"] ?? "").startsWith("text/html") && !res.headers["set-cookie"] && nonce ? [] : null;
        let bytes = 0;
        // Once the stream is closed, errored or cancelled its controller throws: nothing may touch it after that.
        let open = true;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            const finish = (error: Error | null) => {
              if (!open) return;
              open = false;
              if (error) {
                settle(null);
                controller.error(error);
                return;
              }
              controller.close();
              const whole = chunks && res.complete ? Buffer.concat(chunks) : null;
              if (!whole || showsFailure(whole)) return settle(null);
              settle({ version, minute, userId, status: 200, headers: keptHeaders.map(([name, value]) => [name, value.split(nonce!)]), body: splitBytes(whole, nonce!), bytes });
            };
            res.on("data", (chunk: Buffer) => {
              if (!open) return;
              if (chunks) {
                bytes += chunk.byteLength;
                if (bytes > MAX_PAGE_BYTES) chunks = null;
                else chunks.push(chunk);
              }
              controller.enqueue(new Uint8Array(chunk));
              // Read the render only as fast as the client takes it.
              if ((controller.desiredSize ?? 1) <= 0) res.pause();
            });
            res.on("end", () => finish(null));
            res.on("error", (error) => finish(error));
            res.on("close", () => finish(new Error("the page's render ended early")));
          },
          pull() {
            res.resume();
          },
          cancel() {
            open = false;
            settle(null);
            res.destroy();
          },
        });
        resolve({ response: new Response(body, { status, headers: responseHeaders }), kept });
      } catch {
        res.destroy();
        fail();
      }
    });
    inner.end();
  });
}

/**
 * The response for a dashboard document request, from the cache or through
 * a fill; null when it isn't cacheable or anything about the cache failed
 * (the proxy lets Next render it as usual).
 */
export async function cachedPage(request: NextRequest): Promise<Response | null> {
  if (!isCacheable(request)) return null;
  try {
    return await fromCache(request);
  } catch (error) {
    console.error("page cache: rendering without it:", error);
    return null;
  }
}

async function fromCache(request: NextRequest): Promise<Response | null> {
  const now = new Date();
  const [viewer, version] = await Promise.all([viewerFromHeaders(request.headers, now), readDataVersion().then(BigInt)]);
  if (!viewer) return null;
  const minute = floorToMinute(now).getTime();
  const key = pageKey(viewer, version, minute, request);
  const found = pages.get(key);
  if (found) {
    pages.delete(key);
    pages.set(key, found);
    return replay(found);
  }
  const pending = filling.get(key);
  if (pending) {
    // Someone is rendering this very page: replay theirs, or render it here if theirs fails or takes too long.
    let timer: NodeJS.Timeout | undefined;
    const page = await Promise.race([pending, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), WAIT_FOR_FILL_MS)))]);
    clearTimeout(timer);
    return page ? replay(page) : null;
  }
  let release: (page: Page | null) => void = () => {};
  filling.set(key, new Promise((resolve) => (release = resolve)));
  let filled: Awaited<ReturnType<typeof fill>> = null;
  try {
    filled = await fill(request, version, minute, viewer.userId);
  } finally {
    if (!filled) {
      filling.delete(key);
      release(null);
    }
  }
  if (!filled) return null;
  void filled.kept.then((page) => {
    if (page) keepPage(key, page);
    filling.delete(key);
    release(page);
  });
  return filled.response;
}
