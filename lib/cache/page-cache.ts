import "server-only";
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { NextRequest } from "next/server";
import { viewerFromHeaders } from "@/lib/access/current-viewer";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { accessKey, floorToMinute } from "./read-cache";

/**
 * Finished dashboard documents, kept for the people who asked for them (many
 * readers at once: rendering a page, not reading its figures, is what costs
 * the one Node thread). proxy.ts asks `cachedPage` before a dashboard GET.
 *
 * - Which pages: the dashboards whose every figure comes from the read cache
 *   or from tables the data version covers (PAGES below); never forms,
 *   settings, people, API keys or a run's own page.
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
 *   when complete, 200, HTML, without Set-Cookie, and at most 4 MB (64 MB in
 *   all, least recently used dropped first). Concurrent misses for one key
 *   wait for the one fill.
 * - The script nonce (proxy.ts gives every page a fresh one) is replaced by a
 *   fresh one in the body and the CSP header of every replay.
 * - Only full-document GETs (accepting HTML, fetch destination "document" if
 *   given): not client navigations (RSC requests), prefetches or server
 *   actions. Off in development and with BURNRATE_PAGE_CACHE=off.
 */

const PAGES = [/^\/$/, /^\/training$/, /^\/inference$/, /^\/inference\/\d+$/, /^\/teams$/, /^\/teams\/[a-z0-9-]+$/, /^\/reports$/, /^\/reports\/[^/]+$/, /^\/reports\/[^/]+\/[a-z0-9-]+$/, /^\/suggestions$/];
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const MAX_PAGES_BYTES = 64 * 1024 * 1024;
/** The header a fill request carries, with this process's secret. */
const FILL_HEADER = "x-burnrate-page-fill";
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "content-length", "content-encoding", "date"]);

interface Page {
  /** The data version and minute it was rendered for. */
  version: bigint;
  minute: number;
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
/** The newest data version and minute a page was kept for: older pages can't be asked for again. */
let newest = { version: 0n, minute: 0 };

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

async function committedDataVersion(): Promise<bigint> {
  const rows = await db().$queryRaw<{ version: string }[]>`select version::text as version from data_version where id = 1`;
  return BigInt(rows[0]?.version ?? "0");
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

const isOlder = (a: { version: bigint; minute: number }, b: { version: bigint; minute: number }) => a.version < b.version || a.minute < b.minute;

/** Keeps a finished page, and drops the pages of older data versions or minutes (nobody asks for those again). */
function keepPage(key: string, page: Page): void {
  if (isOlder(page, newest)) return;
  if (isOlder(newest, page)) {
    newest = { version: page.version > newest.version ? page.version : newest.version, minute: Math.max(page.minute, newest.minute) };
    for (const [k, p] of pages) if (isOlder(p, newest)) dropPage(k);
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
function splitBytes(bytes: Buffer, separator: string): Buffer[] {
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

/**
 * Renders the page through this server and streams it back, keeping a copy;
 * null when the loopback request failed before answering (the caller renders
 * as usual then). `kept` settles with what was kept (null: nothing).
 */
function fill(request: NextRequest, version: bigint, minute: number): Promise<{ response: Response; kept: Promise<Page | null> } | null> {
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
    // Next names a server listening on every interface "localhost", which may resolve to ::1 first.
    const host = origin.hostname === "localhost" ? "127.0.0.1" : origin.hostname.replace(/^\[|\]$/g, "");
    const inner = http.request({ host, port: origin.port, path: request.nextUrl.pathname + request.nextUrl.search, method: "GET", headers });
    inner.on("error", () => {
      settle(null);
      resolve(null);
    });
    inner.on("response", (res) => {
      const responseHeaders = new Headers();
      const keptHeaders: [string, string][] = [];
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        for (const one of Array.isArray(value) ? value : [value]) {
          responseHeaders.append(name, one);
          keptHeaders.push([name, one]);
        }
      }
      const nonce = nonceOf(res.headers["content-security-policy"] as string | undefined);
      let chunks: Buffer[] | null = res.statusCode === 200 && String(res.headers["content-type"] ?? "").startsWith("text/html") && !res.headers["set-cookie"] && nonce ? [] : null;
      let bytes = 0;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          res.on("data", (chunk: Buffer) => {
            if (chunks) {
              bytes += chunk.byteLength;
              if (bytes > MAX_PAGE_BYTES) chunks = null;
              else chunks.push(chunk);
            }
            controller.enqueue(new Uint8Array(chunk));
          });
          res.on("end", () => {
            controller.close();
            if (!chunks || !res.complete) return settle(null);
            settle({ version, minute, status: 200, headers: keptHeaders.map(([name, value]) => [name, value.split(nonce!)]), body: splitBytes(Buffer.concat(chunks), nonce!), bytes });
          });
          res.on("error", (error) => {
            settle(null);
            controller.error(error);
          });
        },
        cancel() {
          settle(null);
          res.destroy();
        },
      });
      responseHeaders.set("x-burnrate-page-cache", "miss");
      resolve({ response: new Response(body, { status: res.statusCode ?? 500, headers: responseHeaders }), kept });
    });
    inner.end();
  });
}

/**
 * The response for a dashboard document request, from the cache or through
 * a fill; null when it isn't cacheable (the proxy lets Next render it).
 */
export async function cachedPage(request: NextRequest): Promise<Response | null> {
  if (!isCacheable(request)) return null;
  const now = new Date();
  const [viewer, version] = await Promise.all([viewerFromHeaders(request.headers, now), committedDataVersion()]);
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
    const page = await pending;
    return page ? replay(page) : null;
  }
  const started = fill(request, version, minute);
  let release: (page: Page | null) => void = () => {};
  filling.set(key, new Promise((resolve) => (release = resolve)));
  const filled = await started;
  if (!filled) {
    filling.delete(key);
    release(null);
    return null;
  }
  void filled.kept.then((page) => {
    if (page) keepPage(key, page);
    filling.delete(key);
    release(page);
  });
  return filled.response;
}
