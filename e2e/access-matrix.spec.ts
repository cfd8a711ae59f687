import { randomUUID } from "node:crypto";
import type { APIRequest, APIRequestContext, APIResponse } from "@playwright/test";
import type pg from "pg";
import { DEMO_USERS, storageStateFor } from "./auth";
import {
  compareKeys,
  discoverPages,
  discoverRouteHandlers,
  discoverServerActions,
  encodeActionArgs,
  exportedMethods,
  exportedNames,
  fillPattern,
  FORBIDDEN_PAGE,
  FormArg,
  formFields,
  formSignatures,
  isUseServerModule,
  MATRIX_ROLES,
  readActionManifest,
  readActionResponse,
  ROLE_COLUMNS,
  routePattern,
  workerPattern,
  type ActionOutcome,
  type ActionReading,
  type ManifestAction,
  type MatrixRole,
} from "./access-matrix";
import { expect, quietMonth, seedTeamAndGpu, test } from "./fixtures";

/**
 * The authorization matrix (issue 13): every page, route handler and server
 * action the code has — found by reading app/ and lib/actions/ and the build's
 * server-action manifest, so a new one fails here until it has a row — is
 * requested as six people: signed out, a viewer of another team (Applied), and
 * a viewer, editor and team admin of Research, and an org admin. Research
 * records are the "own team" targets; the same requests from the Applied
 * viewer are the cross-team id guesses (IDOR), and records of Platform (a team
 * only org admins see) are tried by everyone else. Refused calls must change
 * nothing (a fingerprint of every written table is compared around each one).
 *
 * Server actions are called over HTTP as the browser calls them (Next-Action
 * header, React's reply encoding, checked against what Chromium sends).
 * Allowed calls either succeed on rows this spec creates, or are edits with a
 * stale version (a conflict is only reported after the role check) or input
 * the action rejects after its role check — each case says which.
 */

const baseURL = process.env.BASE_URL!;
const IDLE = { status: "idle" } as const;
/** An id no record has, in the form every id parser accepts (pages take up to 9 digits). */
const NO_SUCH_ID = 999_999_999;
const STAMP = Date.now().toString(36);
/** Explicitly nothing: request contexts otherwise inherit the config's storageState (the org admin's). */
const NO_COOKIES = { cookies: [], origins: [] };

// ---------------------------------------------------------------------------
// Targets: concrete records, read from the database the app serves.

interface TeamTarget {
  id: number;
  slug: string;
  runId: number;
  deploymentId: number;
  windowStart: Date;
  /** Names of the team's runs and deployments (to tell whose lines an export holds). */
  itemNames: string[];
}

interface Targets {
  orgId: number;
  month: string;
  research: TeamTarget;
  platform: TeamTarget;
  applied: TeamTarget;
  gpuTypeId: number;
  priceId: number;
}

async function teamTarget(sql: pg.Pool, orgId: number, slug: string): Promise<TeamTarget> {
  const { rows: [team] } = await sql.query<{ id: number }>(`select id from teams where "orgId" = $1 and slug = $2`, [orgId, slug]);
  if (!team) throw new Error(`the demo data has no team "${slug}"`);
  const { rows: [run] } = await sql.query<{ id: number }>(`select id from training_runs where "teamId" = $1 order by id limit 1`, [team.id]);
  const { rows: [deployment] } = await sql.query<{ id: number; start: Date }>(
    `select d.id, min(w."windowStart") as start from inference_deployments d join inference_usage_windows w on w."deploymentId" = d.id
     where d."teamId" = $1 group by d.id order by d.id limit 1`,
    [team.id],
  );
  if (!run || !deployment) throw new Error(`team "${slug}" needs a run and a deployment with usage`);
  const { rows: names } = await sql.query<{ name: string }>(
    `select name from training_runs where "teamId" = $1 union select name from inference_deployments where "teamId" = $1`,
    [team.id],
  );
  return { id: team.id, slug, runId: run.id, deploymentId: deployment.id, windowStart: deployment.start, itemNames: names.map((n) => n.name) };
}

async function loadTargets(sql: pg.Pool): Promise<Targets> {
  const { rows: [org] } = await sql.query<{ id: number }>(`select id from orgs where slug = 'demo'`);
  const orgId = org!.id;
  const { rows: [price] } = await sql.query<{ id: number; gpuTypeId: number }>(
    `select p.id, p."gpuTypeId" from gpu_prices p join gpu_types g on g.id = p."gpuTypeId" where g."orgId" = $1 order by p.id limit 1`,
    [orgId],
  );
  return {
    orgId,
    month: quietMonth().from.slice(0, 7),
    research: await teamTarget(sql, orgId, "research"),
    platform: await teamTarget(sql, orgId, "platform"),
    applied: await teamTarget(sql, orgId, "applied"),
    gpuTypeId: price!.gpuTypeId,
    priceId: price!.id,
  };
}

/** Which teams' data a role may read (lib/seed/demo-data.ts memberships). */
function readsTeam(role: MatrixRole, slug: string): boolean {
  if (role === "admin") return true;
  if (role === "signedOut") return false;
  return role === "otherViewer" ? slug === "applied" : slug === "research";
}

// ---------------------------------------------------------------------------
// One request context per role (cookies from e2e/auth.setup.ts), reused.

type Contexts = Record<MatrixRole, APIRequestContext>;

async function openContexts(playwright: { request: APIRequest }): Promise<Contexts> {
  const entries = await Promise.all(
    MATRIX_ROLES.map(async (role) => [role, await playwright.request.newContext({ baseURL, storageState: role === "signedOut" ? NO_COOKIES : storageStateFor(role) })] as const),
  );
  return Object.fromEntries(entries) as Contexts;
}

async function closeContexts(contexts: Contexts): Promise<void> {
  await Promise.all(Object.values(contexts).map((c) => c.dispose()));
}

// ---------------------------------------------------------------------------
// Reporting: a compact table per section, and every failing cell at once.

type Cells = Map<string, Map<MatrixRole, string>>;

function record(cells: Cells, row: string, role: MatrixRole, text: string): void {
  if (!cells.has(row)) cells.set(row, new Map());
  cells.get(row)!.set(role, text);
}

function table(title: string, cells: Cells): string {
  const width = Math.max(...[...cells.keys()].map((k) => k.length), 10);
  const head = `${"".padEnd(width)} | ${MATRIX_ROLES.map((r) => ROLE_COLUMNS[r].padEnd(9)).join(" | ")}`;
  const rows = [...cells].map(([k, v]) => `${k.padEnd(width)} | ${MATRIX_ROLES.map((r) => (v.get(r) ?? "").padEnd(9)).join(" | ")}`);
  return [`\n${title}`, head, "-".repeat(head.length), ...rows].join("\n");
}

function by<T>(values: Partial<Record<MatrixRole, T>> & { rest?: T }): Record<MatrixRole, T> {
  return Object.fromEntries(MATRIX_ROLES.map((r) => [r, values[r] ?? values.rest])) as Record<MatrixRole, T>;
}

// ---------------------------------------------------------------------------
// Pages

/**
 * ok 200 (and not the "You don't have access to this" page) · signIn 3xx to /sign-in · home 3xx to / ·
 * notFound 404 · refused 403 or 404: a refusal is a status, never a 200 — with or without the form.
 */
type PageWant = "ok" | "signIn" | "home" | "notFound" | "refused";

interface PageProbe {
  label: string;
  path: string;
  want: Record<MatrixRole, PageWant>;
}

const signedIn = (want: PageWant) => by<PageWant>({ signedOut: "signIn", rest: want });
/** A Research record: its team reads it, the Applied viewer gets 404. */
const readR = by<PageWant>({ signedOut: "signIn", otherViewer: "notFound", rest: "ok" });
/** A Platform record: only org admins see it. */
const readP = by<PageWant>({ signedOut: "signIn", admin: "ok", rest: "notFound" });
/** A Research record's write page: Research's writers; its viewer is refused; the Applied viewer gets 404. */
const writeR = by<PageWant>({ signedOut: "signIn", otherViewer: "notFound", viewer: "refused", rest: "ok" });
/** A "new record" page: anyone who writes some team's records. */
const writeAny = by<PageWant>({ signedOut: "signIn", otherViewer: "refused", viewer: "refused", rest: "ok" });
/** Org settings write pages (GPU catalog, prices, teams): org admins. */
const manageOrg = by<PageWant>({ signedOut: "signIn", admin: "ok", rest: "refused" });
/** Nobody: a guessed id that doesn't exist. */
const missing = by<PageWant>({ signedOut: "signIn", rest: "notFound" });

const PAGE_EXPECTATIONS: Record<string, (t: Targets) => PageProbe[]> = {
  "/": () => [{ label: "/", path: "/", want: signedIn("ok") }],
  "/estimate": () => [{ label: "/estimate", path: "/estimate", want: signedIn("ok") }],
  "/import": () => [{ label: "/import", path: "/import", want: writeAny }],
  "/inference": () => [{ label: "/inference", path: "/inference", want: signedIn("ok") }],
  "/inference/new": () => [{ label: "/inference/new", path: "/inference/new", want: writeAny }],
  "/inference/[id]": (t) => [
    { label: "/inference/R", path: `/inference/${t.research.deploymentId}`, want: readR },
    { label: "/inference/P", path: `/inference/${t.platform.deploymentId}`, want: readP },
    { label: "/inference/none", path: `/inference/${NO_SUCH_ID}`, want: missing },
  ],
  "/inference/[id]/edit": (t) => [
    { label: "/inference/R/edit", path: `/inference/${t.research.deploymentId}/edit`, want: writeR },
    { label: "/inference/P/edit", path: `/inference/${t.platform.deploymentId}/edit`, want: readP },
  ],
  "/inference/[id]/usage/new": (t) => [
    { label: "/inference/R/usage/new", path: `/inference/${t.research.deploymentId}/usage/new`, want: writeR },
    { label: "/inference/P/usage/new", path: `/inference/${t.platform.deploymentId}/usage/new`, want: readP },
  ],
  "/inference/[id]/usage/[start]/edit": (t) => [
    { label: "/inference/R/usage/S/edit", path: `/inference/${t.research.deploymentId}/usage/${t.research.windowStart.getTime()}/edit`, want: writeR },
    { label: "/inference/P/usage/S/edit", path: `/inference/${t.platform.deploymentId}/usage/${t.platform.windowStart.getTime()}/edit`, want: readP },
  ],
  "/training": () => [{ label: "/training", path: "/training", want: signedIn("ok") }],
  "/training/new": () => [{ label: "/training/new", path: "/training/new", want: writeAny }],
  "/training/[id]": (t) => [
    { label: "/training/R", path: `/training/${t.research.runId}`, want: readR },
    { label: "/training/P", path: `/training/${t.platform.runId}`, want: readP },
    { label: "/training/none", path: `/training/${NO_SUCH_ID}`, want: missing },
  ],
  "/training/[id]/edit": (t) => [
    { label: "/training/R/edit", path: `/training/${t.research.runId}/edit`, want: writeR },
    { label: "/training/P/edit", path: `/training/${t.platform.runId}/edit`, want: readP },
  ],
  "/suggestions": () => [
    { label: "/suggestions", path: "/suggestions", want: signedIn("ok") },
    // Another team's filter is not applied (a notice says so): the page shows what the person may see.
    { label: "/suggestions?team=research", path: "/suggestions?team=research", want: signedIn("ok") },
  ],
  "/teams": () => [{ label: "/teams", path: "/teams", want: signedIn("ok") }],
  "/teams/[slug]": () => [
    { label: "/teams/research", path: "/teams/research", want: readR },
    { label: "/teams/platform", path: "/teams/platform", want: readP },
    { label: "/teams/none", path: "/teams/no-such-team", want: missing },
  ],
  "/reports": () => [{ label: "/reports", path: "/reports", want: signedIn("ok") }],
  "/reports/[month]": (t) => [{ label: "/reports/M", path: `/reports/${t.month}`, want: signedIn("ok") }],
  "/reports/[month]/[team]": (t) => [
    { label: "/reports/M/research", path: `/reports/${t.month}/research`, want: readR },
    { label: "/reports/M/platform", path: `/reports/${t.month}/platform`, want: readP },
  ],
  "/settings": () => [{ label: "/settings", path: "/settings", want: signedIn("ok") }],
  "/settings/teams/new": () => [{ label: "/settings/teams/new", path: "/settings/teams/new", want: manageOrg }],
  "/settings/teams/[slug]/edit": () => [
    // A team admin edits the team's budget (lib/db/mutations/teams.ts); its editor and viewer may not.
    { label: "/settings/teams/research/edit", path: "/settings/teams/research/edit", want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "refused", editor: "refused", rest: "ok" }) },
    { label: "/settings/teams/platform/edit", path: "/settings/teams/platform/edit", want: readP },
  ],
  "/settings/people": () => [{ label: "/settings/people", path: "/settings/people", want: manageOrg }],
  "/teams/[slug]/members": () => [
    // Team admins manage their team's members; its editor and viewer may not.
    { label: "/teams/research/members", path: "/teams/research/members", want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "refused", editor: "refused", rest: "ok" }) },
    { label: "/teams/platform/members", path: "/teams/platform/members", want: readP },
  ],
  "/teams/[slug]/api-keys": () => [
    // Team admins manage their team's API keys; its editor and viewer may not.
    { label: "/teams/research/api-keys", path: "/teams/research/api-keys", want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "refused", editor: "refused", rest: "ok" }) },
    { label: "/teams/platform/api-keys", path: "/teams/platform/api-keys", want: readP },
  ],
  // An invitation link is the credential (signed out is normal): a made-up token is a 404 for everyone.
  "/invite/[token]": () => [{ label: "/invite/bogus", path: "/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", want: by({ rest: "notFound" }) }],
  "/settings/gpu-types/new": () => [{ label: "/settings/gpu-types/new", path: "/settings/gpu-types/new", want: manageOrg }],
  "/settings/gpu-types/[id]/edit": (t) => [{ label: "/settings/gpu-types/G/edit", path: `/settings/gpu-types/${t.gpuTypeId}/edit`, want: manageOrg }],
  "/settings/prices/new": () => [{ label: "/settings/prices/new", path: "/settings/prices/new", want: manageOrg }],
  "/settings/prices/[id]/edit": (t) => [{ label: "/settings/prices/P/edit", path: `/settings/prices/${t.priceId}/edit`, want: manageOrg }],
  // Public: sign-in (signed-in people go home), and first-run setup, which is gone once an org exists.
  "/sign-in": () => [{ label: "/sign-in", path: "/sign-in", want: by({ signedOut: "ok", rest: "home" }) }],
  "/setup": () => [{ label: "/setup", path: "/setup", want: by({ rest: "signIn" }) }],
  // The API reference holds no data (like /api/v1/openapi.json, which it renders): public.
  "/docs/api": () => [{ label: "/docs/api", path: "/docs/api", want: by({ rest: "ok" }) }],
};

/**
 * A page's answer: ok, signIn, home, →path, notFound (404), forbidden (403);
 * "200-denied" for the "You don't have access to this" page served with 200
 * (not a refusal status), "200-denied+form" when it even carries a form the
 * role's layout doesn't have. A 200 "ok" is never that page.
 */
function readPage(response: APIResponse, body: string, layoutForms: ReadonlySet<string>): string {
  const status = response.status();
  // The rendered document only: Next carries app/forbidden.tsx in every page's RSC payload (<script> tags).
  const rendered = body.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
  if (status === 200 && FORBIDDEN_PAGE.test(rendered)) return formSignatures(body).every((f) => layoutForms.has(f)) ? "200-denied" : "200-denied+form";
  if (status >= 300 && status < 400) {
    const location = new URL(response.headers()["location"] ?? "", baseURL);
    if (location.pathname === "/sign-in") return "signIn";
    if (location.pathname === "/") return "home";
    return `→${location.pathname}`;
  }
  if (status === 200) return "ok";
  if (status === 404) return "notFound";
  if (status === 403) return "forbidden";
  return String(status);
}

function pageMatches(want: PageWant, got: string): boolean {
  return want === "refused" ? got === "forbidden" || got === "notFound" : want === got;
}

// ---------------------------------------------------------------------------
// Route handlers

/**
 * ok 2xx · unauthenticated 401 · forbidden 403 · notFound 404 · refused 403/404 · redirect 3xx ·
 * badRequest 400 · invalid 422 (API v1: the body names something the person can't see or write, as a field issue).
 */
type RouteWant = "ok" | "unauthenticated" | "forbidden" | "notFound" | "refused" | "redirect" | "badRequest" | "invalid";

interface RouteProbe {
  label: string;
  method: "GET" | "POST" | "PUT";
  /** Per role when each allowed write must make its own record. */
  path: string | ((role: MatrixRole) => string);
  body?: string | ((role: MatrixRole) => string);
  contentType?: string;
  /** Send a fresh Idempotency-Key (API v1 writes: a refused call must store no answer under it). */
  idempotencyKey?: boolean;
  want: Record<MatrixRole, RouteWant>;
  /** A finer check of an answer (its body and HTTP status), returning what is wrong or null. */
  check?: (role: MatrixRole, body: string, status: number) => string | null;
  /** Must create or end no session. */
  sessionsUnchanged?: boolean;
  /** Writes when allowed: the fingerprint must not change for these roles. */
  writesNothingFor?: readonly MatrixRole[];
}

const routeStatus = (status: number): string =>
  status >= 200 && status < 300
    ? "ok"
    : status >= 300 && status < 400
      ? "redirect"
      : ({ 400: "badRequest", 401: "unauthenticated", 403: "forbidden", 404: "notFound", 422: "invalid" } as Record<number, string>)[status] ?? String(status);

function routeMatches(want: RouteWant, got: string): boolean {
  return want === "refused" ? got === "forbidden" || got === "notFound" : want === got;
}

/** A tiny CSV line splitter (quoted cells may hold commas). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const csvLine = (cells: string[]) => cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(",");

/** The template's example rows with every row's team set to `slug`. */
function withTeam(template: string, slug: string): string {
  const lines = template.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l !== "");
  const header = csvCells(lines[0]!);
  const column = header.findIndex((h) => /^team/i.test(h.trim()));
  if (column < 0) throw new Error(`the import template has no team column: ${lines[0]}`);
  return [lines[0]!, ...lines.slice(1).map((l) => csvLine(csvCells(l).map((c, i) => (i === column ? slug : c))))].join("\r\n") + "\r\n";
}

/** What the API v1 write probes need: a Research deployment of the spec's own (usage goes there), and a Research run to model a new one on. */
interface ApiFixtures {
  deploymentId: number;
  run: { model: string; method: string; precision: string; gpuType: string; provider: string; pricingModel: string; startedAt: Date };
}

function routeProbes(t: Targets, templates: { research: string }, api?: ApiFixtures): Record<string, RouteProbe[]> {
  const importQuery = "kind=training-runs&timeZone=UTC&fileName=matrix.csv";
  const platformFile = withTeam(templates.research, "platform");
  const unknownTeamFile = withTeam(templates.research, `no-such-team-${STAMP}`);
  const importers = by<RouteWant>({ signedOut: "unauthenticated", otherViewer: "forbidden", viewer: "forbidden", rest: "ok" });
  // Org-wide reads add up only the teams the person may read: no other team's run or deployment appears.
  const noLeak = (role: MatrixRole, body: string): string | null => {
    for (const team of [t.research, t.platform, t.applied]) {
      const leaked = readsTeam(role, team.slug) ? [] : team.itemNames.filter((n) => body.includes(n));
      if (leaked.length) return `holds ${team.slug}'s ${leaked.slice(0, 3).join(", ")}`;
    }
    return null;
  };
  /** A read for the whole org (only the person's teams in it), and filtered to Research and to Platform (404 for a team they can't see). */
  const scopedReads = (label: string, path: string, query = "", orgCheck: RouteProbe["check"] = noLeak): RouteProbe[] => {
    const withQuery = (extra: string) => `${path}?${[query, extra].filter(Boolean).join("&")}`;
    return [
      { label: `GET ${label} (org)`, method: "GET", path: query ? `${path}?${query}` : path, want: by({ signedOut: "unauthenticated", rest: "ok" }), check: orgCheck },
      { label: `GET ${label}?team=research`, method: "GET", path: withQuery("team=research"), want: by({ signedOut: "unauthenticated", otherViewer: "notFound", rest: "ok" }) },
      { label: `GET ${label}?team=platform`, method: "GET", path: withQuery("team=platform"), want: by({ signedOut: "unauthenticated", admin: "ok", rest: "notFound" }) },
    ];
  };
  const exportsFor = (file: string): RouteProbe[] => scopedReads(file, `/api/reports/${t.month}/${file}`);
  const json = (value: unknown) => JSON.stringify(value);
  const need = (): ApiFixtures => {
    if (!api) throw new Error("the API v1 write probes need the route test's fixtures");
    return api;
  };
  /** Research's writers write; its viewer is refused (403); a team the person can't see is "not found", a field issue (422). */
  const runWriters = by<RouteWant>({ signedOut: "unauthenticated", otherViewer: "invalid", viewer: "forbidden", rest: "ok" });
  const externalId = (role: MatrixRole) => `matrix-api-${role}-${STAMP}`;
  return {
    "GET /api/health": [{ label: "GET /api/health", method: "GET", path: "/api/health", want: by({ rest: "ok" }) }],
    // Only the OIDC callback is mounted (scripts/e2e.ts configures SSO against e2e/fake-oidc): a forged callback
    // (unknown state) is sent away without a session; better-auth's other endpoints don't exist.
    "GET /api/auth/[...all]": [
      {
        label: "GET /api/auth/callback/oidc (forged)",
        method: "GET",
        path: "/api/auth/callback/oidc?code=x&state=y",
        want: by({ rest: "redirect" }),
        sessionsUnchanged: true,
      },
      { label: "GET /api/auth/get-session", method: "GET", path: "/api/auth/get-session", want: by({ rest: "notFound" }) },
    ],
    "POST /api/auth/[...all]": [
      {
        label: "POST /api/auth/sign-in/email",
        method: "POST",
        path: "/api/auth/sign-in/email",
        body: JSON.stringify({ email: DEMO_USERS.viewer.email, password: "burnrate-demo-password" }),
        contentType: "application/json",
        want: by({ rest: "notFound" }),
      },
    ],
    "GET /api/imports/templates/[kind]": [
      {
        label: "GET templates/training-runs",
        method: "GET",
        path: "/api/imports/templates/training-runs",
        want: importers,
        // The example row names a team the person may import into: never one they can't see.
        check: (role, body) => (role === "admin" || role === "signedOut" ? null : [t.platform, t.applied].find((team) => new RegExp(`(^|,)${team.slug}(,|$)`, "m").test(body))?.slug ?? null),
      },
    ],
    // A preview of a row in Platform: Research's writers get it back as a row error (the team isn't theirs), an org admin as valid.
    "POST /api/imports/preview": [
      {
        label: "POST preview (Platform row)",
        method: "POST",
        path: `/api/imports/preview?${importQuery}`,
        body: platformFile,
        contentType: "text/csv",
        want: importers,
        check: (role, body) => {
          if (role !== "editor" && role !== "teamAdmin" && role !== "admin") return null;
          const preview = JSON.parse(body) as { status: string; errorCount: number; errors: unknown[] };
          if (preview.status !== "checked") return `status ${preview.status}`;
          if (role === "admin") return preview.errorCount === 0 ? null : `admin's Platform row has errors: ${JSON.stringify(preview.errors).slice(0, 200)}`;
          return preview.errorCount > 0 && /team/i.test(JSON.stringify(preview.errors)) ? null : "a Platform row passed for a Research member";
        },
      },
    ],
    // Commit: Research's writers commit the Platform row (refused row by row: nothing written); the org admin a row
    // naming a team that doesn't exist (refused after the role check). Nothing is written for anyone.
    "POST /api/imports/commit": [
      {
        label: "POST commit (Platform row)",
        method: "POST",
        path: `/api/imports/commit?${importQuery}`,
        body: platformFile,
        contentType: "text/csv",
        want: by({ signedOut: "unauthenticated", otherViewer: "forbidden", viewer: "forbidden", admin: "ok", rest: "ok" }),
        writesNothingFor: ["signedOut", "otherViewer", "viewer", "editor", "teamAdmin"],
        check: (role, body) => {
          if (role !== "editor" && role !== "teamAdmin") return null;
          const last = JSON.parse(body.trim().split("\n").at(-1)!) as { type: string; result?: { status: string } };
          return last.type === "result" && last.result?.status === "invalid-rows" ? null : `ended ${JSON.stringify(last).slice(0, 160)}`;
        },
      },
      {
        label: "POST commit (unknown team row)",
        method: "POST",
        path: `/api/imports/commit?${importQuery}`,
        body: unknownTeamFile,
        contentType: "text/csv",
        want: importers,
        writesNothingFor: MATRIX_ROLES,
        check: (role, body) => {
          if (role !== "admin") return null;
          const last = JSON.parse(body.trim().split("\n").at(-1)!) as { type: string; result?: { status: string } };
          return last.type === "result" && last.result?.status === "invalid-rows" ? null : `ended ${JSON.stringify(last).slice(0, 160)}`;
        },
      },
    ],
    "GET /api/reports/[month]/lines.csv": exportsFor("lines.csv"),
    "GET /api/reports/[month]/focus.csv": exportsFor("focus.csv"),
    "GET /api/reports/[month]/report.json": exportsFor("report.json"),
    // --- API v1 with a session (API keys have their own tests: lib/api/v1/*.int.test.ts, e2e/api-keys.spec.ts)
    "GET /api/v1/openapi.json": [{ label: "GET v1 openapi.json", method: "GET", path: "/api/v1/openapi.json", want: by({ rest: "ok" }) }],
    "GET /api/v1/reports/[month]": scopedReads("v1 reports/M", `/api/v1/reports/${t.month}`),
    "GET /api/v1/reports/[month]/lines.csv": scopedReads("v1 lines.csv", `/api/v1/reports/${t.month}/lines.csv`),
    "GET /api/v1/reports/[month]/focus.csv": scopedReads("v1 focus.csv", `/api/v1/reports/${t.month}/focus.csv`),
    // By item over 90 days: the labels are the runs' and deployments' names, which the leak check looks for.
    // (And they are there: whoever reads Research finds one of its items, so the leak check is not vacuous.)
    "GET /api/v1/rollups": scopedReads("v1 rollups", "/api/v1/rollups", "range=90d&unit=month&groupBy=item", (role, body) => {
      const leak = noLeak(role, body);
      if (leak || !readsTeam(role, "research")) return leak;
      return t.research.itemNames.some((n) => body.includes(n)) ? null : "lists none of research's runs or deployments by name";
    }),
    "GET /api/v1/suggestions": [
      ...scopedReads("v1 suggestions", "/api/v1/suggestions", "status=all"),
      // A misspelt filter is refused, never dropped (which would widen the read to every team).
      { label: "GET v1 suggestions?teams=platform", method: "GET", path: "/api/v1/suggestions?teams=platform", want: by({ signedOut: "unauthenticated", rest: "badRequest" }) },
    ],
    "PUT /api/v1/runs/[externalId]": [
      {
        // A complete new run in Research under an external id of each role's own: created (201) by its writers only.
        label: "PUT v1 runs/<new> (team research)",
        method: "PUT",
        path: (role) => `/api/v1/runs/${externalId(role)}`,
        body: (role) => {
          const run = need().run;
          return json({
            team: "research",
            name: `matrix-api-${role}-${STAMP}`,
            model: run.model,
            method: run.method,
            precision: run.precision,
            gpuType: run.gpuType,
            provider: run.provider,
            pricingModel: run.pricingModel,
            gpuCount: 1,
            startedAt: run.startedAt.toISOString(),
            endedAt: new Date(run.startedAt.getTime() + 3_600_000).toISOString(),
            status: "SUCCEEDED",
          });
        },
        contentType: "application/json",
        idempotencyKey: true,
        want: runWriters,
        writesNothingFor: ["signedOut", "otherViewer", "viewer"],
        check: (role, body, status) => {
          if (role === "signedOut" || role === "otherViewer" || role === "viewer") return null;
          const result = JSON.parse(body) as { action?: string; team?: string; externalId?: string };
          return status === 201 && result.action === "created" && result.team === "research" && result.externalId === externalId(role) ? null : `not a created Research run (HTTP ${status}): ${body.slice(0, 160)}`;
        },
      },
      {
        // Platform is only the org admin's: for everyone else it doesn't exist (a field issue, the same as a made-up slug).
        label: "PUT v1 runs/<new> (team platform)",
        method: "PUT",
        path: () => `/api/v1/runs/matrix-api-platform-${STAMP}`,
        body: () => json({ team: "platform" }),
        contentType: "application/json",
        idempotencyKey: true,
        // The admin sees Platform and gets past the team: then the run's required fields are missing (422, nothing written).
        want: by({ signedOut: "unauthenticated", rest: "invalid" }),
        writesNothingFor: MATRIX_ROLES,
        check: (role, body) => {
          const issues = JSON.stringify((JSON.parse(body) as { error?: { issues?: unknown } }).error?.issues ?? []);
          if (role === "admin") return /"path":"team"/.test(issues) ? `the org admin was refused Platform: ${issues.slice(0, 160)}` : null;
          return /"path":"team"/.test(issues) ? null : `expected a team issue, got ${body.slice(0, 160)}`;
        },
      },
    ],
    "POST /api/v1/usage-windows": [
      {
        // One window per writer (a minute each, from the Research deployment's first usage on) on the spec's own Research deployment.
        label: "POST v1 usage-windows (R deployment)",
        method: "POST",
        path: "/api/v1/usage-windows",
        body: (role) =>
          json({
            windows: [
              {
                deploymentId: need().deploymentId,
                windowStart: new Date(t.research.windowStart.getTime() + MATRIX_ROLES.indexOf(role) * 60_000).toISOString(),
                windowSeconds: 60,
                requests: 10,
                inputTokens: 1000,
                outputTokens: 500,
              },
            ],
          }),
        contentType: "application/json",
        idempotencyKey: true,
        // The deployment is "not found" for the Applied viewer and not writable for Research's viewer: both issues of the item (422).
        want: by({ signedOut: "unauthenticated", otherViewer: "invalid", viewer: "invalid", rest: "ok" }),
        writesNothingFor: ["signedOut", "otherViewer", "viewer"],
        check: (role, body) => {
          if (role === "signedOut") return null;
          const parsed = JSON.parse(body) as { inserted?: number; error?: { issues?: { path: string; message: string }[] } };
          if (role === "otherViewer") return parsed.error?.issues?.[0]?.message.startsWith("No deployment") ? null : `expected "no deployment", got ${body.slice(0, 160)}`;
          if (role === "viewer") return /not record its usage/.test(parsed.error?.issues?.[0]?.message ?? "") ? null : `expected "may not record", got ${body.slice(0, 160)}`;
          return parsed.inserted === 1 ? null : `expected one window inserted, got ${body.slice(0, 160)}`;
        },
      },
    ],
    "POST /api/v1/prometheus/scrapes": [
      {
        // Text that is not an exposition: refused before anything is read or written, whoever sends it.
        label: "POST v1 prometheus/scrapes (garbage)",
        method: "POST",
        path: "/api/v1/prometheus/scrapes",
        body: () =>
          json({
            source: `matrix-${STAMP}`,
            server: "vllm",
            scrapedAt: new Date(Date.now() - 60_000).toISOString(),
            exposition: "<html>502 Bad Gateway</html>",
            deployments: [{ modelName: "matrix-model", deploymentId: t.research.deploymentId }],
          }),
        contentType: "application/json",
        idempotencyKey: true,
        want: by({ signedOut: "unauthenticated", rest: "invalid" }),
        writesNothingFor: MATRIX_ROLES,
        check: (_, body) => (/"path":"exposition"/.test(body) ? null : `expected an exposition issue, got ${body.slice(0, 160)}`),
      },
    ],
  };
}

/** Between two API v1 calls of one person: 20 reads a second is the limit, this makes at most ~14. */
const API_CALL_SPACING_MS = 70;
/** Idempotency keys the spec sends (its allowed writes' answers are stored under them; removed afterwards). */
const API_KEY_PREFIX = `matrix-${STAMP}-`;

async function prepareApiFixtures(sql: pg.Pool, t: Targets): Promise<ApiFixtures> {
  // A copy of Research's deployment without usage: the allowed usage writes land there, and deleting it through the app refreshes the rollups.
  const deploymentId = await copyRow(sql, "inference_deployments", t.research.deploymentId, { name: `matrix-api-${STAMP}`, version: 1 });
  const { rows: [run] } = await sql.query<ApiFixtures["run"]>(
    `select r.model, r.method::text as method, r.precision::text as precision, g.name as "gpuType", r.provider, r."pricingModel"::text as "pricingModel", r."startedAt"
     from training_runs r join gpu_types g on g.id = r."gpuTypeId" where r.id = $1`,
    [t.research.runId],
  );
  return { deploymentId, run: run! };
}

/** Removes what the allowed API v1 writes made; returns what went wrong. */
async function cleanUpApi(sql: pg.Pool, t: Targets, admin: APIRequestContext, api: ApiFixtures): Promise<string[]> {
  const problems: string[] = [];
  // Through the app, so the team's usage rollups lose the windows too (a plain delete would leave them in).
  const remove = readActionManifest().find((a) => a.name === "deleteInferenceDeploymentAction");
  if (!remove) problems.push("cleanup: deleteInferenceDeploymentAction is not in the build's manifest");
  else {
    const reading = await callAction(admin, { id: remove.id, page: actionPage(t, remove), args: [api.deploymentId, { status: "idle" }, FormArg.of({})] });
    if (reading.outcome !== "redirected" && reading.outcome !== "saved") problems.push(`cleanup: deleting the spec's API deployment answered ${reading.outcome} (${reading.detail})`);
  }
  await sql.query(`delete from deleted_records where "entityType" = 'inferenceDeployment' and "entityId" = $1`, [String(api.deploymentId)]);
  await sql.query(`delete from inference_deployments where id = $1`, [api.deploymentId]);
  // Runs: their cost rollups go with them (a trigger).
  await sql.query(`delete from training_runs where "teamId" = $1 and "externalId" like $2`, [t.research.id, `matrix-api-%-${STAMP}`]);
  await sql.query(`delete from api_idempotency where key like $1`, [`${API_KEY_PREFIX}%`]);
  await sql.query(`delete from prometheus_sources where name = $1`, [`matrix-${STAMP}`]);
  return problems;
}

// ---------------------------------------------------------------------------
// State: what a refused call must leave untouched.

async function sessionCount(sql: pg.Pool): Promise<number> {
  return Number((await sql.query<{ n: string }>(`select count(*) as n from auth_sessions`)).rows[0]!.n);
}

/**
 * Every table a person's action writes (sessions and budget alerts aside: reads slide sessions, views evaluate
 * alerts). Usage windows — the one large table — only of the deployments the calls name (by primary key: a
 * scan of all of them took most of the action test's time).
 */
async function fingerprint(sql: pg.Pool, deploymentIds: readonly number[] = []): Promise<string> {
  const { rows: [row] } = await sql.query<{ f: string }>(`select json_build_object(
    'audit', (select count(*) from audit_entries),
    'deleted', (select count(*) || '/' || count("restoredAt") from deleted_records),
    'orgs', (select count(*) || '/' || coalesce(string_agg(coalesce("alertWebhookUrl", '-') || name || "timeZone", ',' order by id), '') from orgs),
    'users', (select count(*) || '/' || coalesce(max("updatedAt")::text, '') || '/' || coalesce(string_agg(role::text, ',' order by id), '') from users),
    'memberships', (select count(*) || '/' || coalesce(string_agg(role::text, ',' order by "userId", "teamId"), '') from team_memberships),
    'invitations', (select count(*) || '/' || count("revokedAt") || '/' || count("acceptedAt") from invitations),
    'apiKeys', (select count(*) || '/' || count("revokedAt") from api_keys),
    'teams', (select count(*) || '/' || coalesce(sum(version), 0) from teams),
    'gpuTypes', (select count(*) || '/' || coalesce(sum(version), 0) from gpu_types),
    'gpuPrices', (select count(*) || '/' || coalesce(sum(version), 0) from gpu_prices),
    'runs', (select count(*) || '/' || coalesce(sum(version), 0) from training_runs),
    'deployments', (select count(*) || '/' || coalesce(sum(version), 0) from inference_deployments),
    'windows', (select count(*) || '/' || coalesce(sum(version), 0) from inference_usage_windows where "deploymentId" = any($1::int[])),
    'closures', (select count(*) || '/' || count("reopenedAt") from month_closures),
    'suggestions', (select count(*) || '/' || coalesce(max("updatedAt")::text, '') from suggestion_states),
    'imports', (select count(*) from import_batches),
    'apiIdempotency', (select count(*) from api_idempotency),
    'prometheusSources', (select count(*) || '/' || coalesce(max("updatedAt")::text, '') from prometheus_sources)
  )::text as f`, [deploymentIds]);
  return row!.f;
}

function fingerprintDiff(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, unknown>;
  const b = JSON.parse(after) as Record<string, unknown>;
  return Object.keys(b).filter((k) => String(a[k]) !== String(b[k])).map((k) => `${k} ${String(a[k])} → ${String(b[k])}`).join("; ");
}

// ---------------------------------------------------------------------------
// Server actions

/**
 * signIn 3xx to /sign-in · notFound the record doesn't exist for them (404, or a "doesn't exist" result) ·
 * denied the policy's refusal (a result naming what it takes, or 403) · refused either ·
 * saved success (a saved result or the success redirect) · conflict a stale version, reported only after
 * the role check · invalid input rejected (for allowed roles: after the role check, as each probe says).
 */
type ActionWant = "signIn" | "notFound" | "denied" | "refused" | "saved" | "conflict" | "invalid";

const ACTION_WANTS: Record<ActionWant, readonly ActionOutcome[]> = {
  signIn: ["signIn"],
  notFound: ["notFound", "missing"],
  denied: ["denied", "forbidden"],
  refused: ["notFound", "missing", "denied", "forbidden"],
  saved: ["saved", "redirected"],
  conflict: ["conflict"],
  invalid: ["invalid"],
};
const REFUSED_OUTCOMES: readonly ActionOutcome[] = ["signIn", "notFound", "missing", "denied", "forbidden"];

interface ActionProbe {
  label: string;
  /** The bound arguments then the call's own, per role. */
  args: (role: MatrixRole) => unknown[];
  want: Record<MatrixRole, ActionWant>;
  /** The same call for a record id that doesn't exist: the Applied viewer must not tell it from the Research one. */
  noSuchIdArgs?: () => unknown[];
  /** What to do with a success (remember ids to clean up or restore). */
  onRedirect?: (role: MatrixRole, location: string) => void;
}

/** A write the Research team's writers may make; its viewer is refused; the Applied viewer gets not-found. */
const onR = (allowed: ActionWant) => by<ActionWant>({ signedOut: "signIn", otherViewer: "refused", viewer: "denied", rest: allowed });
/** On a Platform record: only the org admin. */
const onP = (allowed: ActionWant) => by<ActionWant>({ signedOut: "signIn", admin: allowed, rest: "notFound" });
/** An org-level write (catalog, prices, teams, month closing, webhook): org admins. */
const orgAdmin = (allowed: ActionWant) => by<ActionWant>({ signedOut: "signIn", admin: allowed, rest: "denied" });
/** Public (sign-in, setup): answers everyone alike. */
const publicAction = (outcome: ActionWant) => by<ActionWant>({ rest: outcome });

interface Fixtures {
  forms: {
    runR: FormArg;
    runP: FormArg;
    deploymentR: FormArg;
    deploymentP: FormArg;
    usageR: FormArg;
    usageP: FormArg;
    teamR: FormArg;
    gpuType: FormArg;
    price: FormArg;
  };
  /** Rows this spec made for the allowed roles to delete (Research ones per writer, Platform ones for the admin). */
  own: Record<"editor" | "teamAdmin" | "admin", { runId: number; deploymentId: number; windowStart: Date }>;
  platformRunId: number;
  platformDeploymentId: number;
  team: { teamId: number; gpuId: number; priceId: number };
  /** Deleted-record ids of each writer's own run, filled by the delete probe, for the restore probe. */
  deletedRuns: Partial<Record<MatrixRole, number>>;
  createdRuns: number[];
  createdDeployments: number[];
  /** A member of the org with no team, for the people actions. */
  personId: number;
  /** Pending invitations to Research (one each for the team admin and org admin to revoke) and to Platform. */
  invitations: { teamAdmin: number; admin: number; platform: number };
  /** An API key of Research (the team admin revokes it, the org admin finds it revoked) and one of Platform. */
  apiKeys: { research: number; platform: number };
}

const stale = (form: FormArg) => form.with({ _version: String(Number(form.get("_version") ?? "1") + 1000) });
const fresh = (form: FormArg, values: Record<string, string> = {}) =>
  new FormArg(form.entries.filter(([k]) => k !== "_version")).with({ _idempotencyKey: randomUUID(), ...values });
const writers = ["editor", "teamAdmin", "admin"] as const;
const ownOf = (f: Fixtures, role: MatrixRole) => f.own[(writers as readonly string[]).includes(role) ? (role as (typeof writers)[number]) : "editor"];
const idFrom = (location: string, re: RegExp) => Number(re.exec(location)?.[1] ?? NaN);

function actionProbes(t: Targets, f: Fixtures): Record<string, ActionProbe[]> {
  const R = t.research;
  const P = t.platform;
  const iso = (d: Date) => d.toISOString();
  const noForm = () => FormArg.of({});
  return {
    // --- public
    signInAction: [{ label: "empty form", args: () => [IDLE, noForm()], want: publicAction("invalid") }],
    demoSignInAction: [{ label: "unknown demo user", args: () => [`nobody-${STAMP}@matrix.invalid`, null, IDLE, noForm()], want: publicAction("invalid") }],
    oidcSignInAction: [{ label: "SSO not configured", args: () => [null, IDLE, noForm()], want: publicAction("invalid") }],
    setupAction: [
      {
        label: "org exists",
        args: () => [IDLE, FormArg.of({ orgName: "Matrix", timeZone: "UTC", name: "M", email: `setup-${STAMP}@matrix.invalid`, password: "matrix-password-123", confirmPassword: "matrix-password-123" })],
        want: publicAction("invalid"),
      },
    ],
    // signOutAction / signOutEverywhereAction: their own test below (they end sessions).

    // --- org admin
    alertWebhookAction: [
      {
        // Members send a valid URL (refused before parsing); the admin an invalid one (the role is checked first: lib/actions/handlers/alert-webhook.ts).
        label: "save URL",
        args: (role) => [IDLE, FormArg.of({ alertWebhookUrl: role === "admin" ? "not a url" : "https://hooks.example.test/matrix", _intent: "save" })],
        want: orgAdmin("invalid"),
      },
    ],
    closeMonthAction: [
      // The role is checked before the month (lib/db/mutations/month-closures.ts): members try a past month, the admin one not over yet.
      { label: "close", args: (role) => [role === "admin" ? "2099-01" : "2001-01", IDLE, noForm()], want: orgAdmin("invalid") },
    ],
    reopenMonthAction: [{ label: "reopen (never closed)", args: () => ["2001-01", IDLE, noForm()], want: orgAdmin("invalid") }],
    saveGpuTypeAction: [
      { label: "edit (stale version)", args: () => [t.gpuTypeId, IDLE, stale(f.forms.gpuType)], want: orgAdmin("conflict") },
      // Role checked up front (orgWriteTransaction); the admin's copy repeats an existing name.
      { label: "create (name taken)", args: () => [null, IDLE, fresh(f.forms.gpuType)], want: orgAdmin("invalid") },
    ],
    saveGpuPriceAction: [
      { label: "edit (stale version)", args: () => [t.priceId, IDLE, stale(f.forms.price)], want: orgAdmin("conflict") },
      { label: "create (overlapping period)", args: () => [null, IDLE, fresh(f.forms.price)], want: orgAdmin("invalid") },
    ],
    deleteGpuPriceAction: [{ label: "delete (spec's price)", args: () => [f.team.priceId, IDLE, noForm()], want: orgAdmin("saved") }],
    deleteGpuTypeAction: [{ label: "delete (spec's GPU type)", args: () => [f.team.gpuId, IDLE, noForm()], want: orgAdmin("saved") }],
    saveTeamAction: [
      {
        // A team admin may save its own team's form when only the budget differs (here: nothing does).
        label: "edit research (stale version)",
        args: () => [R.id, IDLE, stale(f.forms.teamR)],
        want: by({ signedOut: "signIn", otherViewer: "refused", viewer: "denied", editor: "denied", rest: "conflict" }),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, stale(f.forms.teamR)],
      },
      { label: "create (slug taken)", args: () => [null, IDLE, fresh(f.forms.teamR)], want: orgAdmin("invalid") },
    ],
    deleteTeamAction: [{ label: "delete (spec's team)", args: () => [f.team.teamId, IDLE, noForm()], want: orgAdmin("saved") }],

    // --- team records
    saveTrainingRunAction: [
      { label: "edit R (stale version)", args: () => [R.runId, IDLE, stale(f.forms.runR)], want: onR("conflict"), noSuchIdArgs: () => [NO_SUCH_ID, IDLE, stale(f.forms.runR)] },
      { label: "edit P (stale version)", args: () => [P.runId, IDLE, stale(f.forms.runP)], want: onP("conflict") },
      {
        label: "create in R",
        args: (role) => [null, IDLE, fresh(f.forms.runR, { name: `matrix-${role}-${STAMP}` })],
        want: onR("saved"),
        onRedirect: (_, location) => f.createdRuns.push(idFrom(location, /\/training\/(\d+)/)),
      },
      {
        label: "create in P",
        args: (role) => [null, IDLE, fresh(f.forms.runP, { name: `matrix-${role}-${STAMP}` })],
        want: onP("saved"),
        onRedirect: (_, location) => f.createdRuns.push(idFrom(location, /\/training\/(\d+)/)),
      },
    ],
    deleteTrainingRunAction: [
      {
        // Refused roles try the editor's run (before the editor deletes it); each writer deletes its own.
        label: "delete R (spec's run)",
        args: (role) => [ownOf(f, role).runId, IDLE, noForm()],
        want: onR("saved"),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, noForm()],
        onRedirect: (role, location) => (f.deletedRuns[role] = idFrom(location, /deleted=(\d+)/)),
      },
      { label: "delete P (spec's run)", args: () => [f.platformRunId, IDLE, noForm()], want: onP("saved") },
    ],
    restoreDeletedAction: [
      {
        label: "undo R run delete",
        args: (role) => [f.deletedRuns[(writers as readonly string[]).includes(role) ? role : "editor"] ?? NO_SUCH_ID, IDLE, noForm()],
        want: onR("saved"),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, noForm()],
      },
    ],
    saveInferenceDeploymentAction: [
      { label: "edit R (stale version)", args: () => [R.deploymentId, IDLE, stale(f.forms.deploymentR)], want: onR("conflict"), noSuchIdArgs: () => [NO_SUCH_ID, IDLE, stale(f.forms.deploymentR)] },
      { label: "edit P (stale version)", args: () => [P.deploymentId, IDLE, stale(f.forms.deploymentP)], want: onP("conflict") },
      {
        label: "create in R",
        args: (role) => [null, IDLE, fresh(f.forms.deploymentR, { name: `matrix-${role}-${STAMP}` })],
        want: onR("saved"),
        onRedirect: (_, location) => f.createdDeployments.push(idFrom(location, /\/inference\/(\d+)/)),
      },
      {
        label: "create in P",
        args: (role) => [null, IDLE, fresh(f.forms.deploymentP, { name: `matrix-${role}-${STAMP}` })],
        want: onP("saved"),
        onRedirect: (_, location) => f.createdDeployments.push(idFrom(location, /\/inference\/(\d+)/)),
      },
    ],
    saveUsageWindowAction: [
      {
        label: "edit R (stale version)",
        args: () => [R.deploymentId, iso(R.windowStart), "org", IDLE, stale(f.forms.usageR)],
        want: onR("conflict"),
        noSuchIdArgs: () => [NO_SUCH_ID, iso(R.windowStart), "org", IDLE, stale(f.forms.usageR)],
      },
      { label: "edit P (stale version)", args: () => [P.deploymentId, iso(P.windowStart), "org", IDLE, stale(f.forms.usageP)], want: onP("conflict") },
      // A new period over the recorded one: writers get the overlap as a field error.
      { label: "create R (start taken)", args: () => [R.deploymentId, null, "org", IDLE, fresh(f.forms.usageR)], want: onR("invalid") },
    ],
    deleteUsageWindowAction: [
      {
        label: "delete R (spec's usage)",
        args: (role) => [ownOf(f, role).deploymentId, iso(ownOf(f, role).windowStart), IDLE, noForm()],
        want: onR("saved"),
        noSuchIdArgs: () => [NO_SUCH_ID, iso(f.own.editor.windowStart), IDLE, noForm()],
      },
    ],
    deleteInferenceDeploymentAction: [
      {
        label: "delete R (spec's deployment)",
        args: (role) => [ownOf(f, role).deploymentId, IDLE, noForm()],
        want: onR("saved"),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, noForm()],
      },
      { label: "delete P (spec's deployment)", args: () => [f.platformDeploymentId, IDLE, noForm()], want: onP("saved") },
    ],
    inviteAction: [
      // Allowed inviters get past the role check to "this email already has an account" (nothing written).
      {
        label: "org invite (email taken)",
        args: () => [null, IDLE, FormArg.of({ email: DEMO_USERS.viewer.email, role: "MEMBER", [`team.${R.id}`]: "VIEWER", expiresInDays: "7" })],
        want: by({ signedOut: "signIn", teamAdmin: "invalid", admin: "invalid", rest: "denied" }),
      },
      {
        label: "team invite R (email taken)",
        args: () => [R.id, IDLE, FormArg.of({ email: DEMO_USERS.viewer.email, [`team.${R.id}`]: "VIEWER", expiresInDays: "7" })],
        want: by({ signedOut: "signIn", teamAdmin: "invalid", admin: "invalid", rest: "denied" }),
      },
      {
        label: "team invite P (email taken)",
        args: () => [P.id, IDLE, FormArg.of({ email: DEMO_USERS.viewer.email, [`team.${P.id}`]: "VIEWER", expiresInDays: "7" })],
        want: by({ signedOut: "signIn", admin: "invalid", rest: "denied" }),
      },
    ],
    revokeInvitationAction: [
      {
        // Someone who could not have sent it is told it doesn't exist; the team admin and org admin each revoke their own.
        label: "revoke R invitation",
        args: (role) => [role === "admin" ? f.invitations.admin : f.invitations.teamAdmin, IDLE, noForm()],
        want: by({ signedOut: "signIn", teamAdmin: "saved", admin: "saved", rest: "notFound" }),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, noForm()],
      },
      { label: "revoke P invitation", args: () => [f.invitations.platform, IDLE, noForm()], want: onP("saved") },
    ],
    setTeamRoleAction: [
      {
        label: "R role for a member",
        args: () => [R.id, f.personId, IDLE, FormArg.of({ role: "VIEWER" })],
        want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "denied", editor: "denied", rest: "saved" }),
        noSuchIdArgs: () => [NO_SUCH_ID, f.personId, IDLE, FormArg.of({ role: "VIEWER" })],
      },
      { label: "P role for a member", args: () => [P.id, f.personId, IDLE, FormArg.of({ role: "VIEWER" })], want: onP("saved") },
    ],
    createApiKeyAction: [
      {
        label: "create in R",
        args: (role) => [R.id, IDLE, FormArg.of({ name: `matrix-${role}-${STAMP}`, scope: "RUNS_WRITE" })],
        want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "denied", editor: "denied", rest: "saved" }),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, FormArg.of({ name: `matrix-none-${STAMP}`, scope: "RUNS_WRITE" })],
      },
      { label: "create in P", args: (role) => [P.id, IDLE, FormArg.of({ name: `matrix-${role}-${STAMP}`, scope: "RUNS_WRITE" })], want: onP("saved") },
    ],
    revokeApiKeyAction: [
      {
        // Revoking a revoked key answers as a revoke (nothing changes), so the org admin after the team admin is "saved" too.
        label: "revoke R key",
        args: () => [f.apiKeys.research, IDLE, noForm()],
        want: by({ signedOut: "signIn", otherViewer: "notFound", viewer: "denied", editor: "denied", rest: "saved" }),
        noSuchIdArgs: () => [NO_SUCH_ID, IDLE, noForm()],
      },
      { label: "revoke P key", args: () => [f.apiKeys.platform, IDLE, noForm()], want: onP("saved") },
    ],
    setOrgRoleAction: [{ label: "member stays member", args: () => [f.personId, IDLE, FormArg.of({ role: "MEMBER" })], want: orgAdmin("saved") }],
    removePersonAction: [{ label: "remove the spec's member", args: () => [f.personId, IDLE, noForm()], want: orgAdmin("saved") }],
    acceptInvitationAction: [
      {
        label: "unknown link",
        args: () => ["A".repeat(43), IDLE, FormArg.of({ name: "Matrix", password: "matrix-password-123", confirmPassword: "matrix-password-123" })],
        want: publicAction("invalid"),
      },
    ],
    decideSuggestionAction: [
      {
        // Reopening a suggestion nobody decided writes nothing, but is checked against the item's team first.
        label: "reopen on R deployment",
        args: () => [IDLE, FormArg.of({ suggestionKey: `idle-capacity:deployment:${R.deploymentId}`, decision: "reopen", _timeZone: "UTC" })],
        want: onR("saved"),
        noSuchIdArgs: () => [IDLE, FormArg.of({ suggestionKey: `idle-capacity:deployment:${NO_SUCH_ID}`, decision: "reopen", _timeZone: "UTC" })],
      },
      {
        label: "reopen on P deployment",
        args: () => [IDLE, FormArg.of({ suggestionKey: `idle-capacity:deployment:${P.deploymentId}`, decision: "reopen", _timeZone: "UTC" })],
        want: onP("saved"),
      },
    ],
  };
}

/** The order actions run in: a writer's usage goes before its deployment, a run's delete before its undo, prices before their GPU type before the team. */
const ACTION_ORDER = [
  "signInAction",
  "demoSignInAction",
  "oidcSignInAction",
  "setupAction",
  "alertWebhookAction",
  "closeMonthAction",
  "reopenMonthAction",
  "saveGpuTypeAction",
  "saveGpuPriceAction",
  "saveTeamAction",
  "saveTrainingRunAction",
  "deleteTrainingRunAction",
  "restoreDeletedAction",
  "saveInferenceDeploymentAction",
  "saveUsageWindowAction",
  "deleteUsageWindowAction",
  "deleteInferenceDeploymentAction",
  "decideSuggestionAction",
  "inviteAction",
  "revokeInvitationAction",
  "setTeamRoleAction",
  "createApiKeyAction",
  "revokeApiKeyAction",
  "setOrgRoleAction",
  "removePersonAction",
  "acceptInvitationAction",
  "deleteGpuPriceAction",
  "deleteGpuTypeAction",
  "deleteTeamAction",
];
/** Actions with a test of their own (they end sessions). */
const SESSION_ACTIONS = ["signOutAction", "signOutEverywhereAction"];

const PAGE_PARAMS = (t: Targets, pattern: string): Record<string, string> => ({
  id: pattern.startsWith("/training")
    ? String(t.research.runId)
    : pattern.startsWith("/inference")
      ? String(t.research.deploymentId)
      : pattern.startsWith("/settings/gpu-types")
        ? String(t.gpuTypeId)
        : String(t.priceId),
  start: String(t.research.windowStart.getTime()),
  slug: "research",
  month: t.month,
  team: "research",
  token: "no-such-invitation",
});

/** A page the action's client code lives on (the manifest's workers): where the browser would post it. */
function actionPage(t: Targets, action: ManifestAction): string {
  const patterns = action.workers.map(workerPattern).filter((p): p is string => p !== null);
  if (patterns.length === 0) throw new Error(`${action.name} is used by no page (workers: ${action.workers.join(", ")})`);
  const pattern = [...patterns].sort((a, b) => (a.match(/\[/g)?.length ?? 0) - (b.match(/\[/g)?.length ?? 0) || a.localeCompare(b))[0]!;
  return fillPattern(pattern, PAGE_PARAMS(t, pattern));
}

async function callAction(context: APIRequestContext, { id, page, args, forwardedFor }: { id: string; page: string; args: unknown[]; forwardedFor?: string }): Promise<ActionReading & { location?: string }> {
  const encoded = encodeActionArgs(args);
  const headers: Record<string, string> = { "next-action": id, origin: baseURL, accept: "text/x-component", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) };
  const response = await context.post(page, {
    headers: "text" in encoded ? { ...headers, "content-type": "text/plain;charset=UTF-8" } : headers,
    ...("text" in encoded ? { data: encoded.text } : { multipart: encoded.multipart }),
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  const reading = readActionResponse(response.status(), response.headers(), await response.text());
  return { ...reading, location: reading.outcome === "redirected" ? reading.detail : undefined };
}

// ---------------------------------------------------------------------------
// Rows this spec owns

async function copyRow(sql: pg.Pool, table: string, id: number, overrides: Record<string, string | number>): Promise<number> {
  const { rows: columns } = await sql.query<{ column_name: string; udt_name: string }>(
    `select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = $1 and column_name <> 'id' order by ordinal_position`,
    [table],
  );
  const values: (string | number)[] = [id];
  const select = columns.map(({ column_name: c, udt_name: type }) => {
    if (!(c in overrides)) return `"${c}"`;
    values.push(overrides[c]!);
    return `$${values.length}::${type === "OrgRole" || type === "TeamRole" ? `"${type}"` : type}`;
  });
  const { rows: [row] } = await sql.query<{ id: number }>(
    `insert into ${table} (${columns.map((c) => `"${c.column_name}"`).join(", ")}) select ${select.join(", ")} from ${table} where id = $1 returning id`,
    values,
  );
  return row!.id;
}

/** A copy of a deployment with a copy of its first usage window (raw only: the delete that removes it refreshes the rollups). */
async function copyDeploymentWithUsage(sql: pg.Pool, source: TeamTarget, name: string): Promise<{ deploymentId: number; windowStart: Date }> {
  const deploymentId = await copyRow(sql, "inference_deployments", source.deploymentId, { name, version: 1 });
  const { rows: columns } = await sql.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'inference_usage_windows' order by ordinal_position`,
  );
  const list = columns.map((c) => `"${c.column_name}"`);
  await sql.query(
    `insert into inference_usage_windows (${list.join(", ")}) select ${list.map((c) => (c === '"deploymentId"' ? "$2::int4" : c)).join(", ")}
     from inference_usage_windows where "deploymentId" = $1 and "windowStart" = $3`,
    [source.deploymentId, deploymentId, source.windowStart],
  );
  return { deploymentId, windowStart: source.windowStart };
}

async function scrape(admin: APIRequestContext, path: string, field = "_version"): Promise<FormArg> {
  const response = await admin.get(path, { maxRedirects: 0 });
  if (response.status() !== 200) throw new Error(`${path} answered ${response.status()} to the org admin`);
  return formFields(await response.text(), field);
}

async function prepareFixtures(sql: pg.Pool, t: Targets, admin: APIRequestContext): Promise<Fixtures> {
  const paths = {
    runR: `/training/${t.research.runId}/edit`,
    runP: `/training/${t.platform.runId}/edit`,
    deploymentR: `/inference/${t.research.deploymentId}/edit`,
    deploymentP: `/inference/${t.platform.deploymentId}/edit`,
    usageR: `/inference/${t.research.deploymentId}/usage/${t.research.windowStart.getTime()}/edit`,
    usageP: `/inference/${t.platform.deploymentId}/usage/${t.platform.windowStart.getTime()}/edit`,
    teamR: `/settings/teams/research/edit`,
    gpuType: `/settings/gpu-types/${t.gpuTypeId}/edit`,
    price: `/settings/prices/${t.priceId}/edit`,
  };
  const forms = Object.fromEntries(await Promise.all(Object.entries(paths).map(async ([key, path]) => [key, await scrape(admin, path)] as const))) as Fixtures["forms"];
  const own = {} as Fixtures["own"];
  for (const role of writers) {
    const runId = await copyRow(sql, "training_runs", t.research.runId, { name: `matrix-own-${role}-${STAMP}`, version: 1 });
    own[role] = { runId, ...(await copyDeploymentWithUsage(sql, t.research, `matrix-own-${role}-${STAMP}`)) };
  }
  const platformRunId = await copyRow(sql, "training_runs", t.platform.runId, { name: `matrix-own-platform-${STAMP}`, version: 1 });
  const platformDeploymentId = await copyRow(sql, "inference_deployments", t.platform.deploymentId, { name: `matrix-own-platform-${STAMP}`, version: 1 });
  const seeded = await seedTeamAndGpu(sql, "matrix");
  const { rows: [price] } = await sql.query<{ id: number }>(`select id from gpu_prices where "gpuTypeId" = $1`, [seeded.gpuId]);
  const { rows: [person] } = await sql.query<{ id: number }>(
    `insert into users ("orgId", email, name, role, "emailVerified", "updatedAt") values ($1, $2, 'Matrix Member', 'MEMBER', true, now()) returning id`,
    [t.orgId, `matrix-member-${STAMP}@burnrate.test`],
  );
  const invite = async (who: string, teamId: number) =>
    (
      await sql.query<{ id: number }>(
        `insert into invitations ("orgId", email, role, "teamRoles", "tokenHash", "createdById", "expiresAt")
         values ($1, $2, 'MEMBER', $3::jsonb, $4, (select id from users where email = $5), now() + interval '7 days') returning id`,
        [t.orgId, `matrix-invite-${who}-${STAMP}@burnrate.test`, JSON.stringify([{ teamId, role: "VIEWER" }]), randomUUID().replaceAll("-", "") + who, DEMO_USERS.admin.email],
      )
    ).rows[0]!.id;
  const apiKey = async (who: string, teamId: number) =>
    (
      await sql.query<{ id: number }>(
        `insert into api_keys ("orgId", "teamId", name, prefix, "secretHash", scopes) values ($1, $2, $3, $4, $5, '{RUNS_WRITE}') returning id`,
        [t.orgId, teamId, `matrix-key-${who}-${STAMP}`, `brk_${randomUUID().slice(0, 8)}`, randomUUID().replaceAll("-", "")],
      )
    ).rows[0]!.id;
  return {
    forms,
    own,
    platformRunId,
    platformDeploymentId,
    team: { teamId: seeded.teamId, gpuId: seeded.gpuId, priceId: price!.id },
    deletedRuns: {},
    createdRuns: [],
    createdDeployments: [],
    personId: person!.id,
    invitations: { teamAdmin: await invite("team-admin", t.research.id), admin: await invite("admin", t.research.id), platform: await invite("platform", t.platform.id) },
    apiKeys: { research: await apiKey("research", t.research.id), platform: await apiKey("platform", t.platform.id) },
  };
}

async function cleanUp(sql: pg.Pool, f: Fixtures): Promise<void> {
  const runs = [...Object.values(f.own).map((o) => o.runId), f.platformRunId, ...f.createdRuns.filter(Number.isFinite)];
  const deployments = [...Object.values(f.own).map((o) => o.deploymentId), f.platformDeploymentId, ...f.createdDeployments.filter(Number.isFinite)];
  await sql.query(`delete from training_runs where id = any($1::int[])`, [runs]);
  // Only the spec's deployments; their raw usage (none left after the deletes above ran) goes with them.
  await sql.query(`delete from inference_deployments where id = any($1::int[])`, [deployments]);
  await sql.query(`delete from gpu_prices where "gpuTypeId" = $1`, [f.team.gpuId]);
  await sql.query(`delete from gpu_types where id = $1`, [f.team.gpuId]);
  await sql.query(`delete from teams where id = $1`, [f.team.teamId]);
  await sql.query(`delete from invitations where id = any($1::int[])`, [Object.values(f.invitations)]);
  await sql.query(`delete from api_keys where id = any($1::int[]) or name like $2`, [Object.values(f.apiKeys), `matrix-%-${STAMP}`]);
  await sql.query(`delete from users where id = $1`, [f.personId]);
}

// ===========================================================================

test("the discovery reads route groups, private folders, route exports and \"use server\" modules as Next does", () => {
  expect(routePattern("(marketing)/pricing/[plan]/page.tsx")).toBe("/pricing/[plan]");
  expect(routePattern("page.tsx")).toBe("/");
  expect(routePattern("api/auth/[...all]/route.ts")).toBe("/api/auth/[...all]");
  expect(routePattern("_budgets/page.tsx"), "private folders are not routes").toBeNull();
  expect(exportedMethods("export const GET = guardedRoute(x);\nexport async function POST() {}\nconst h = 1;\nexport { h as DELETE };\nexport const dynamic = 'force-dynamic';")).toEqual(["GET", "POST", "DELETE"]);
  expect(isUseServerModule('// why\n/* more */\n"use server";\nexport async function a() {}')).toBe(true);
  expect(isUseServerModule('import "server-only";\n"use server";')).toBe(false);
  expect(exportedNames("export const aAction = guardedAction(x);\nexport async function bAction() {}\nexport type C = 1;\nexport interface D {}\nexport { e as eAction };")).toEqual(["aAction", "bAction", "eAction"]);
});

test("the matrix covers exactly what the code has: pages, route handlers and server actions (source and build agree)", () => {
  const problems = [
    ...compareKeys({ discovered: discoverPages(), expected: Object.keys(PAGE_EXPECTATIONS), what: "page", where: "PAGE_EXPECTATIONS in e2e/access-matrix.spec.ts" }),
    ...compareKeys({
      discovered: discoverRouteHandlers(),
      expected: Object.keys(routeProbes({ month: "2000-01" } as Targets, { research: "team\r\nx\r\n" })),
      what: "route handler",
      where: "routeProbes() in e2e/access-matrix.spec.ts",
    }),
  ];
  const source = discoverServerActions();
  const built = readActionManifest();
  problems.push(
    ...compareKeys({
      discovered: source.map((a) => `${a.file}#${a.name}`),
      expected: built.map((a) => `${a.file}#${a.name}`),
      what: "server action (source vs .next/server/server-reference-manifest.json)",
      where: "the build — rebuild, or export it from a \"use server\" module under lib/actions",
    }),
    ...compareKeys({
      discovered: source.map((a) => a.name),
      expected: [...ACTION_ORDER, ...SESSION_ACTIONS],
      what: "server action",
      where: "actionProbes() and ACTION_ORDER in e2e/access-matrix.spec.ts",
    }),
  );
  const names = source.map((a) => a.name);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length) problems.push(`server action names must be unique for the matrix: ${repeated.join(", ")}`);
  expect(problems, problems.join("\n")).toEqual([]);
  console.log(`discovered ${discoverPages().length} pages, ${discoverRouteHandlers().length} route handler methods, ${source.length} server actions`);
});

test("pages: each role gets the page, sign-in, or a refusal that doesn't leak other teams' records", async ({ sql, playwright }) => {
  test.setTimeout(180_000);
  const t = await loadTargets(sql);
  const contexts = await openContexts(playwright);
  const cells: Cells = new Map();
  const failures: string[] = [];
  try {
    // The forms every page of a role has (the layout's, e.g. sign-out): a refusing page may carry those and no other.
    const layoutForms = Object.fromEntries(
      await Promise.all(MATRIX_ROLES.map(async (role) => [role, new Set(formSignatures(await (await contexts[role].get("/reports", { maxRedirects: 0 })).text()))] as const)),
    ) as Record<MatrixRole, Set<string>>;
    const probes = discoverPages().flatMap((pattern) => PAGE_EXPECTATIONS[pattern]?.(t) ?? []);
    for (const probe of probes) {
      await Promise.all(
        MATRIX_ROLES.map(async (role) => {
          const response = await contexts[role].get(probe.path, { maxRedirects: 0, failOnStatusCode: false });
          const got = readPage(response, await response.text(), layoutForms[role]);
          const ok = pageMatches(probe.want[role], got);
          record(cells, probe.label, role, `${ok ? "" : "✗"}${got}`);
          if (!ok) {
            const why = got.startsWith("200-denied")
              ? ` — the "You don't have access to this" page with HTTP 200${got.endsWith("+form") ? " and a form" : ""}; a refusal must answer 403 (Next's forbidden(), experimental.authInterrupts) or 404`
              : "";
            failures.push(`page ${probe.path} as ${role}: expected ${probe.want[role]}, got ${got} (HTTP ${response.status()})${why}`);
          }
        }),
      );
    }
  } finally {
    await closeContexts(contexts);
  }
  console.log(table("Pages (ok 200 · signIn → /sign-in · home → / · notFound 404 · forbidden 403 · 200-denied = refusal page served 200; ✗ = not as expected)", cells));
  expect(failures, failures.join("\n")).toEqual([]);
});

test("route handlers: 401 signed out, 403/404 out of scope, and exports hold only the teams the person reads", async ({ sql, playwright }) => {
  test.setTimeout(180_000);
  const t = await loadTargets(sql);
  const contexts = await openContexts(playwright);
  const cells: Cells = new Map();
  const failures: string[] = [];
  const api = await prepareApiFixtures(sql, t);
  try {
    const template = await contexts.editor.get("/api/imports/templates/training-runs");
    expect(template.status(), "the editor's import template").toBe(200);
    const probes = routeProbes(t, { research: await template.text() }, api);
    // API v1 limits each person to 20 reads a second (lib/api/v1/rate-limit.ts): a person's v1 calls are spaced to stay under it.
    const lastApiCall = new Map<MatrixRole, number>();
    const deployments = [t.research.deploymentId, api.deploymentId];
    for (const key of discoverRouteHandlers()) {
      for (const probe of probes[key] ?? []) {
        // Sequential: commits must be compared with the database one at a time.
        for (const role of MATRIX_ROLES) {
          const path = typeof probe.path === "function" ? probe.path(role) : probe.path;
          const data = typeof probe.body === "function" ? probe.body(role) : probe.body;
          const before = probe.writesNothingFor?.includes(role) ? await fingerprint(sql, deployments) : null;
          const sessionsBefore = probe.sessionsUnchanged ? await sessionCount(sql) : null;
          if (path.startsWith("/api/v1/")) {
            const wait = (lastApiCall.get(role) ?? 0) + API_CALL_SPACING_MS - Date.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            lastApiCall.set(role, Date.now());
          }
          const response = await contexts[role].fetch(path, {
            method: probe.method,
            headers: {
              ...(probe.method !== "GET" ? { origin: baseURL } : {}),
              ...(probe.contentType ? { "content-type": probe.contentType } : {}),
              ...(probe.idempotencyKey ? { "idempotency-key": `${API_KEY_PREFIX}${randomUUID()}` } : {}),
            },
            ...(data !== undefined ? { data } : {}),
            maxRedirects: 0,
            failOnStatusCode: false,
          });
          const body = await response.text();
          const got = routeStatus(response.status());
          let problem = routeMatches(probe.want[role], got) ? null : `expected ${probe.want[role]}, got ${got} (HTTP ${response.status()}: ${body.slice(0, 160)})`;
          if (!problem && (got === "ok" || got === "invalid") && probe.check) problem = probe.check(role, body, response.status());
          if (!problem && sessionsBefore !== null && (await sessionCount(sql)) !== sessionsBefore) problem = "created or ended a session";
          if (!problem && before !== null) {
            const diff = fingerprintDiff(before, await fingerprint(sql, deployments));
            if (diff) problem = `wrote: ${diff}`;
          }
          const shown: Record<string, string> = { unauthenticated: "401", forbidden: "403", notFound: "404", redirect: "3xx", badRequest: "400", invalid: "422" };
          record(cells, probe.label, role, `${problem ? "✗" : ""}${shown[got] ?? got}`);
          if (problem) failures.push(`${probe.method} ${path} as ${role}: ${problem}`);
        }
      }
    }
  } finally {
    failures.push(...(await cleanUpApi(sql, t, contexts.admin, api)));
    await closeContexts(contexts);
  }
  console.log(table("Route handlers (ok 2xx; ✗ = not as expected or body check failed)", cells));
  expect(failures, failures.join("\n")).toEqual([]);
});

test("server actions: refused roles change nothing; allowed roles get past the role check", async ({ sql, playwright, page }) => {
  test.setTimeout(240_000);
  const t = await loadTargets(sql);
  const manifest = new Map(readActionManifest().map((a) => [a.name, a]));
  const contexts = await openContexts(playwright);
  const f = await prepareFixtures(sql, t, contexts.admin);
  const cells: Cells = new Map();
  const failures: string[] = [];
  try {
    // One real browser call, captured and aborted (nothing is saved), proves the encoding and the manifest's id.
    const save = manifest.get("saveTrainingRunAction")!;
    let captured: { id: string; fields: [string, string][] } | null = null;
    await page.route("**/*", async (route) => {
      const request = route.request();
      const id = request.headers()["next-action"];
      if (request.method() !== "POST" || !id) return route.continue();
      const form = await new Response(new Uint8Array(request.postDataBuffer() ?? Buffer.alloc(0)), { headers: { "content-type": request.headers()["content-type"]! } }).formData();
      captured = { id, fields: [...form.entries()].map(([k, v]) => [k, String(v)]) };
      return route.abort();
    });
    await page.goto(`/training/${t.research.runId}/edit`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => captured !== null, { message: "the browser's server-action call" }).toBe(true);
    await page.unrouteAll({ behavior: "ignoreErrors" });
    const browser = captured! as { id: string; fields: [string, string][] };
    expect(browser.id, "the browser calls the action id the manifest names").toBe(save.id);
    const root = JSON.parse(browser.fields.find(([k]) => k === "0")![1]) as unknown[];
    expect(root[0], "the bound run id comes first").toBe(t.research.runId);
    expect(root.at(-1), "the FormData is referenced as $K1").toBe("$K1");
    const browserFields = browser.fields.filter(([k]) => k !== "0");
    expect(browserFields.every(([k]) => k.startsWith("_1_")), `form fields are sent as "_1_<name>": ${browserFields.map(([k]) => k).join(", ")}`).toBe(true);
    // The browser also sends the form's progressive-enhancement fields ("$ACTION_…", React's own); the action ignores them.
    const mine = encodeActionArgs([t.research.runId, root[1], f.forms.runR]);
    expect("multipart" in mine && [...mine.multipart.keys()].sort(), "our encoding and the scraped form match the browser's fields").toEqual(
      browser.fields.map(([k]) => k).filter((k) => !k.startsWith("_1_$ACTION")).sort(),
    );
    expect(browserFields.find(([k]) => k === "_1__version")?.[1]).toBe(f.forms.runR.get("_version"));

    const probes = actionProbes(t, f);
    // The database as the previous call left it (nothing else writes meanwhile: one worker, and sessions and budget alerts aren't in it).
    const deployments = [t.research.deploymentId, t.platform.deploymentId, f.platformDeploymentId, ...Object.values(f.own).map((o) => o.deploymentId)];
    const snapshot = () => fingerprint(sql, deployments);
    let state = await snapshot();
    const timing = { calls: 0, callMs: 0, fingerprintMs: 0 };
    const timed = async <T>(key: "callMs" | "fingerprintMs", work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        timing[key] += performance.now() - start;
      }
    };
    for (const name of ACTION_ORDER) {
      const action = manifest.get(name);
      if (!action) {
        failures.push(`${name}: not in the build's server-reference manifest`);
        continue;
      }
      const pagePath = actionPage(t, action);
      if (!probes[name]?.length) failures.push(`${name}: in ACTION_ORDER but actionProbes() has no call for it`);
      for (const probe of probes[name] ?? []) {
        const row = `${name} · ${probe.label}`;
        let otherViewerReading: ActionReading | null = null;
        for (const role of MATRIX_ROLES) {
          const before = state;
          const reading = await timed("callMs", () => callAction(contexts[role], { id: action.id, page: pagePath, args: probe.args(role) }));
          const after = await timed("fingerprintMs", snapshot);
          state = after;
          timing.calls++;
          const want = probe.want[role];
          let problem = ACTION_WANTS[want].includes(reading.outcome) ? null : `expected ${want}, got ${reading.outcome} (HTTP ${reading.status}: ${reading.detail})`;
          const changed = fingerprintDiff(before, after);
          if ([...REFUSED_OUTCOMES, "conflict", "invalid"].includes(reading.outcome) && changed) problem = `${problem ? `${problem}; ` : ""}answered ${reading.outcome} but wrote: ${changed}`;
          if (reading.location && probe.onRedirect) probe.onRedirect(role, reading.location);
          if (role === "otherViewer") otherViewerReading = reading;
          record(cells, row, role, `${problem ? "✗" : ""}${reading.outcome === "redirected" ? "saved" : reading.outcome}`);
          if (problem) failures.push(`${row} as ${role}: ${problem}`);
        }
        // IDOR: a Research id must answer the Applied viewer exactly as an id that doesn't exist.
        if (probe.noSuchIdArgs && otherViewerReading) {
          const before = state;
          const none = await timed("callMs", () => callAction(contexts.otherViewer, { id: action.id, page: pagePath, args: probe.noSuchIdArgs!() }));
          state = await timed("fingerprintMs", snapshot);
          timing.calls++;
          const changed = fingerprintDiff(before, state);
          if (none.outcome !== otherViewerReading.outcome || none.status !== otherViewerReading.status || changed) {
            failures.push(
              `${row}: the Applied viewer can tell a Research id (${otherViewerReading.outcome}, HTTP ${otherViewerReading.status}: ${otherViewerReading.detail}) from a missing one (${none.outcome}, HTTP ${none.status}: ${none.detail})${changed ? `; wrote ${changed}` : ""}`,
            );
          }
        }
      }
    }
    console.log(`${timing.calls} action calls: ${Math.round(timing.callMs)} ms in the app, ${Math.round(timing.fingerprintMs)} ms comparing the database`);
  } finally {
    await cleanUp(sql, f);
    await closeContexts(contexts);
  }
  console.log(
    table(
      "Server actions (saved = success · conflict = stale version, after the role check · invalid = rejected input · denied = policy refusal · notFound/missing = 404 or a not-found result; ✗ = not as expected)",
      cells,
    ),
  );
  expect(failures, failures.join("\n")).toEqual([]);
});

test("sign-out actions end only the caller's sessions, for every role", async ({ sql, playwright }) => {
  test.setTimeout(120_000);
  const manifest = new Map(readActionManifest().map((a) => [a.name, a]));
  const signIn = manifest.get("signInAction")!;
  const cells: Cells = new Map();
  const failures: string[] = [];
  const clones: number[] = [];
  const sessionsOf = async (userId: number) => Number((await sql.query<{ n: string }>(`select count(*) as n from auth_sessions where "userId" = $1`, [userId])).rows[0]!.n);
  const allSessions = async () => Number((await sql.query<{ n: string }>(`select count(*) as n from auth_sessions`)).rows[0]!.n);
  try {
    for (const name of SESSION_ACTIONS) {
      const action = manifest.get(name);
      if (!action) {
        failures.push(`${name}: not in the build's server-reference manifest`);
        continue;
      }
      for (const role of MATRIX_ROLES) {
        const context = await playwright.request.newContext({ baseURL, storageState: NO_COOKIES });
        try {
          let userId: number | null = null;
          if (role !== "signedOut") {
            // A throwaway user with this role's org role, team roles and password (the demo users' saved sessions stay untouched).
            const email = `matrix-${name.toLowerCase()}-${role.toLowerCase()}-${STAMP}@burnrate.test`;
            const source = DEMO_USERS[role].email;
            const { rows: [user] } = await sql.query<{ id: number }>(
              `insert into users ("orgId", email, name, role, "emailVerified", "updatedAt") select "orgId", $2, name || ' (matrix)', role, true, now() from users where email = $1 returning id`,
              [source, email],
            );
            userId = user!.id;
            clones.push(userId);
            await sql.query(`insert into team_memberships ("userId", "teamId", role) select $2::int, "teamId", role from team_memberships where "userId" = (select id from users where email = $1)`, [source, userId]);
            await sql.query(
              `insert into auth_accounts ("userId", "accountId", "providerId", password, "updatedAt") select $2::int, $3::text, 'credential', password, now() from auth_accounts where "providerId" = 'credential' and "userId" = (select id from users where email = $1)`,
              [source, userId, String(userId)],
            );
            // Two sessions: one on another "device", and this context's (each from its own address, clear of the per-IP limit others rely on).
            for (const device of [1, 2]) {
              const target = device === 1 ? await playwright.request.newContext({ baseURL, storageState: NO_COOKIES }) : context;
              const signedIn = await callAction(target, {
                id: signIn.id,
                page: "/sign-in",
                args: [IDLE, FormArg.of({ email, password: "burnrate-demo-password" })],
                forwardedFor: `198.51.100.${10 + clones.length * 2 + device}`,
              });
              if (target !== context) await target.dispose();
              if (signedIn.outcome !== "redirected") throw new Error(`signing in ${email} failed: ${signedIn.outcome} ${signedIn.detail}`);
            }
            expect(await sessionsOf(userId)).toBe(2);
          }
          const othersBefore = (await allSessions()) - (userId === null ? 0 : await sessionsOf(userId));
          const reading = await callAction(context, { id: action.id, page: "/", args: [] });
          const left = userId === null ? 0 : await sessionsOf(userId);
          const othersAfter = (await allSessions()) - left;
          const expectedLeft = userId === null ? 0 : name === "signOutAction" ? 1 : 0;
          const problems = [
            reading.outcome === "signIn" ? null : `expected a redirect to /sign-in, got ${reading.outcome} (${reading.detail})`,
            left === expectedLeft ? null : `${left} of the caller's sessions left, expected ${expectedLeft}`,
            othersAfter === othersBefore ? null : `other people's sessions went from ${othersBefore} to ${othersAfter}`,
          ].filter(Boolean);
          if (role !== "signedOut") {
            const home = await context.get("/", { maxRedirects: 0 });
            if (readPage(home, await home.text(), new Set()) !== "signIn") problems.push(`the signed-out cookie still opens / (${home.status()})`);
          }
          record(cells, name, role, `${problems.length ? "✗" : ""}${reading.outcome}/${left}`);
          for (const p of problems) failures.push(`${name} as ${role}: ${p}`);
        } finally {
          await context.dispose();
        }
      }
    }
  } finally {
    if (clones.length) await sql.query(`delete from users where id = any($1::int[])`, [clones]);
  }
  console.log(table("Sign-out actions (outcome / the caller's sessions left)", cells));
  expect(failures, failures.join("\n")).toEqual([]);
});
