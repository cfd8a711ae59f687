import { cache } from "react";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";

/**
 * An in-process cache of read models (the figures pages show), so many people
 * reading the same dashboards don't each recompute them.
 *
 * - Key: the org's data version, the minute of `now`, the viewer's access
 *   (org, org role, team roles — what lib/access/policy.ts decides with, so
 *   two people with different team scopes never share an entry), the read
 *   model and its other arguments (scope, filters, range, zone …).
 * - Writes: every write calls `invalidateOrgData(orgId)` after its
 *   transaction has ended (lib/db/mutations/records.ts writeTransaction and
 *   the other transaction sites, and the action/route wrappers as a backstop),
 *   which bumps the org's version and drops its entries: the next read
 *   recomputes from the database. A read that started before the commit may
 *   finish after it, but it is filed under the old version, which nobody asks
 *   for any more — no figure is ever served stale after a write.
 * - Time: the read model runs with `now` floored to the minute (UTC), so one
 *   entry serves a whole minute and every section of a page — which all get
 *   the page's `now` — agrees. Costs of running items therefore advance once
 *   a minute.
 * - The cached function gets a viewer reduced to its access (no user id,
 *   name or email), so nothing personal can end up in a shared entry.
 *
 * - Other writers: every key also holds the database's committed data version
 *   (table data_version, bumped at commit by deferred triggers on every table
 *   pages read), so a write by another process or tool — a second app
 *   instance, a script, psql — is never served stale either; it costs one
 *   primary-key read per page render (React's per-request `cache`: the page's
 *   read models share the version read when its first one asked; this
 *   process's own writes also bump `orgVersions`, so an action's re-render
 *   after its write never reuses an entry from before it), or per call
 *   outside a render (route handlers, scripts).
 *
 * - Kinds of data: the versions are kept per kind (`DataDomain`: records,
 *   usage, audit; schema.prisma DataVersion), and a read model names the
 *   kinds it reads. Usage ingest (API, Prometheus) changes usage and the audit
 *   log only, so a read model of costs, runs or budgets — which read no usage
 *   — stays cached while windows stream in. A read model that names no kinds
 *   depends on all of them.
 *
 * Entries are promises, so concurrent misses for the same key compute once; a
 * failure is not kept.
 */

/** What a write changed and a read model reads (schema.prisma DataVersion ids 1, 2, 3). */
export type DataDomain = "records" | "usage" | "audit";
export const ALL_DOMAINS: readonly DataDomain[] = ["records", "usage", "audit"];
const DOMAIN_IDS: Record<DataDomain, number> = { records: 1, usage: 2, audit: 3 };
/**
 * What usage ingest (the usage API, the Prometheus import) writes: usage
 * rollups and audit entries. Its transaction also rolls pending cost rollups
 * (idempotency.ts rollCosts); those change no figure, and their tables'
 * triggers bump the records version at commit anyway.
 */
export const USAGE_WRITE: readonly DataDomain[] = ["usage", "audit"];

const MAX_ENTRIES = 500;

/**
 * The database's data version (table data_version): bumped at commit by every
 * transaction that changed what pages show, by any process or tool — another
 * app instance, a script, psql — so no entry outlives a committed write.
 */
const committedDataVersions = cache(readDataVersions);

/** The committed version of each kind of data, read now. */
export async function readDataVersions(): Promise<Record<DataDomain, string>> {
  const rows = await db().$queryRaw<{ id: number; version: string }[]>`select id, version::text as version from data_version`;
  const byId = new Map(rows.map((r) => [r.id, r.version]));
  return { records: byId.get(DOMAIN_IDS.records) ?? "0", usage: byId.get(DOMAIN_IDS.usage) ?? "0", audit: byId.get(DOMAIN_IDS.audit) ?? "0" };
}

/** One number that grows with every committed write of any kind (the page cache's key: every page reads records and usage). */
export async function readDataVersion(): Promise<string> {
  const versions = await readDataVersions();
  return String(ALL_DOMAINS.reduce((sum, domain) => sum + BigInt(versions[domain]), 0n));
}
const MINUTE_MS = 60_000;

/** This process's own writes per org and kind of data ("orgId|domain"). */
const orgVersions = new Map<string, number>();
let globalEpoch = 0;
/** Least recently used first (Map keeps insertion order; a hit re-inserts). */
const entries = new Map<string, { orgId: number; domains: readonly DataDomain[]; value: Promise<unknown> }>();
let stats = { hits: 0, misses: 0 };

/**
 * Marks what a write changed in the org as changed — by default everything
 * its pages show: call after every write has committed (or rolled back).
 * Usage ingest names ["usage", "audit"].
 */
export function invalidateOrgData(orgId: number, domains: readonly DataDomain[] = ALL_DOMAINS): void {
  for (const domain of domains) orgVersions.set(`${orgId}|${domain}`, (orgVersions.get(`${orgId}|${domain}`) ?? 0) + 1);
  for (const [key, entry] of entries) if (entry.orgId === orgId && entry.domains.some((d) => domains.includes(d))) entries.delete(key);
  // Documents (exports) read every kind.
  for (const [key, doc] of documents) if (doc.orgId === orgId) dropDocument(key);
}

/** For a write whose org isn't known (first-run setup): every org. */
export function invalidateAllData(): void {
  globalEpoch++;
  entries.clear();
  documents.clear();
  documentBytes = 0;
}

/** The part of a viewer that decides what they may see (lib/access/policy.ts reads nothing else). */
export function accessKey(viewer: Viewer): string {
  const teams = [...viewer.teamRoles.entries()].sort(([a], [b]) => a - b).map(([id, role]) => `${id}:${role}`);
  return `${viewer.orgId}|${viewer.role}|${teams.join(",")}|${viewer.orgTimeZone}|${viewer.orgName}`;
}

/** The viewer the cached computation sees: access only. */
function accessViewer(viewer: Viewer): Viewer {
  return { userId: 0, orgId: viewer.orgId, orgName: viewer.orgName, orgTimeZone: viewer.orgTimeZone, role: viewer.role, teamRoles: new Map(viewer.teamRoles), name: "", email: "" };
}

export const floorToMinute = (now: Date) => new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);

function argsKey(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return `D${raw.getTime()}`;
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Map) return [...v.entries()].sort();
    if (v instanceof Set) return [...v].sort();
    if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return v;
  });
}

/** The entry's key (versions read first), and the arguments the cached computation gets: access-only viewer, `now` floored to the minute. */
async function cacheKey<A extends { viewer: Viewer; now?: Date }>(name: string, args: A, domains: readonly DataDomain[] = ALL_DOMAINS): Promise<{ key: string; computeArgs: A }> {
  const { viewer, now, ...rest } = args;
  const minute = now ? floorToMinute(now) : undefined;
  // Read first: a transaction bumps them as it commits, so an entry computed before a commit is never under the versions read after it.
  const versions = await committedDataVersions();
  const version = domains.map((d) => `${d}:${versions[d]}:${orgVersions.get(`${viewer.orgId}|${d}`) ?? 0}`).join(",");
  const key = [viewer.orgId, version, globalEpoch, minute?.getTime() ?? "-", accessKey(viewer), name, argsKey(rest)].join("\u0000");
  return { key, computeArgs: { ...args, viewer: accessViewer(viewer), ...(minute ? { now: minute } : {}) } };
}

/**
 * A read model taking `{ viewer, now?, … }`, cached as described above. The
 * other arguments must be plain data (they are part of the key).
 */
export function cachedReadModel<A extends { viewer: Viewer; now?: Date }, R>(
  name: string,
  read: (args: A) => Promise<R>,
  /** The kinds of data it reads (all when left out). Name fewer only when none of its queries reads the others. */
  domains: readonly DataDomain[] = ALL_DOMAINS,
): (args: A) => Promise<R> {
  return async (args: A) => {
    const { key, computeArgs } = await cacheKey(name, args, domains);
    const found = entries.get(key);
    if (found) {
      stats.hits++;
      entries.delete(key);
      entries.set(key, found);
      return found.value as Promise<R>;
    }
    stats.misses++;
    const value = read(computeArgs);
    const entry = { orgId: args.viewer.orgId, domains, value };
    entries.set(key, entry);
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    return value;
  };
}

// ---------------------------------------------------------------------------
// Encoded documents (report exports): the bytes of a generated file, under the
// same key and invalidation as the read models, so a second download of a
// month's export in the same minute, with no write in between, is the first
// one's bytes. Only complete documents are kept (not one the client cancelled
// or that failed), each up to MAX_DOCUMENT_BYTES and all together up to
// MAX_DOCUMENTS_BYTES; a larger export streams from the database every time.

const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
const MAX_DOCUMENTS_BYTES = 128 * 1024 * 1024;
const documents = new Map<string, { orgId: number; chunks: Uint8Array[]; bytes: number }>();
let documentBytes = 0;
let documentStats = { hits: 0, misses: 0 };

function dropDocument(key: string): void {
  const doc = documents.get(key);
  if (!doc) return;
  documents.delete(key);
  documentBytes -= doc.bytes;
}

function keepDocument(key: string, orgId: number, chunks: Uint8Array[], bytes: number): void {
  dropDocument(key);
  documents.set(key, { orgId, chunks, bytes });
  documentBytes += bytes;
  while (documentBytes > MAX_DOCUMENTS_BYTES) dropDocument(documents.keys().next().value!);
}

/**
 * A generated document's byte stream taking `{ viewer, now?, … }`, cached as
 * the read models are (same key, same invalidation); see above for what is
 * kept. `name` and the other arguments must identify the document's bytes.
 */
export async function cachedDocument<A extends { viewer: Viewer; now?: Date }>(name: string, args: A, produce: (args: A) => ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const { key, computeArgs } = await cacheKey(name, args);
  const found = documents.get(key);
  if (found) {
    documentStats.hits++;
    documents.delete(key);
    documents.set(key, found);
    let next = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next < found.chunks.length) controller.enqueue(found.chunks[next++]!.slice());
        else controller.close();
      },
    });
  }
  documentStats.misses++;
  const orgId = args.viewer.orgId;
  // Filed under the versions read before the document was produced: a write meanwhile moves readers to a new key.
  const reader = produce(computeArgs).getReader();
  let chunks: Uint8Array[] | null = [];
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        if (chunks) keepDocument(key, orgId, chunks, bytes);
        controller.close();
        return;
      }
      if (chunks) {
        bytes += value.byteLength;
        if (bytes > MAX_DOCUMENT_BYTES) chunks = null;
        else chunks.push(value.slice());
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      chunks = null;
      return reader.cancel(reason);
    },
  });
}

/** Counters for tests and benchmarks. */
export function readCacheStats(): { hits: number; misses: number; entries: number; documents: { hits: number; misses: number; entries: number; bytes: number } } {
  return { ...stats, entries: entries.size, documents: { ...documentStats, entries: documents.size, bytes: documentBytes } };
}

/** Empties the cache (tests). */
export function clearReadCache(): void {
  entries.clear();
  stats = { hits: 0, misses: 0 };
  documents.clear();
  documentBytes = 0;
  documentStats = { hits: 0, misses: 0 };
}
