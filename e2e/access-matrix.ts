import fs from "node:fs";
import path from "node:path";

/**
 * The authorization matrix's moving parts that don't need a browser or a
 * server: finding every page, route handler and server action in the code
 * (so a new one is covered or fails the matrix), encoding a server-action
 * call the way React's client does, reading what the server answered, and
 * pulling a form's fields out of server-rendered HTML.
 */

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Who asks: signed out, then the demo users (e2e/auth.ts). Team roles are on Research; otherViewer views Applied only. */
export const MATRIX_ROLES = ["signedOut", "otherViewer", "viewer", "editor", "teamAdmin", "admin"] as const;
export type MatrixRole = (typeof MATRIX_ROLES)[number];
export const ROLE_COLUMNS: Readonly<Record<MatrixRole, string>> = {
  signedOut: "out",
  otherViewer: "other",
  viewer: "viewer",
  editor: "editor",
  teamAdmin: "tAdmin",
  admin: "admin",
};

// ---------------------------------------------------------------------------
// Discovery

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/**
 * The URL pattern of an app/ file: route groups "(x)" dropped, dynamic
 * segments kept as written ("[id]", "[...all]"); null for files in private
 * folders ("_x"), which are not routes.
 */
export function routePattern(appRelativeFile: string): string | null {
  const segments = path.posix.dirname(appRelativeFile.split(path.sep).join("/")).split("/").filter((s) => s !== "." && s !== "");
  if (segments.some((s) => s.startsWith("_"))) return null;
  const kept = segments.filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return `/${kept.join("/")}`;
}

/** Every page (app/**\/page.tsx|jsx|ts|js) as its route pattern, sorted. */
export function discoverPages(root = ROOT): string[] {
  const app = path.join(root, "app");
  return walk(app)
    .filter((f) => /(^|[\\/])page\.(tsx|jsx|ts|js)$/.test(f))
    .map((f) => routePattern(path.relative(app, f)))
    .filter((p): p is string => p !== null)
    .sort();
}

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The HTTP methods a route module exports: `export const GET`, `export (async) function POST`, `export { x as PUT }`. */
export function exportedMethods(source: string): HttpMethod[] {
  const found = new Set<HttpMethod>();
  const methods = HTTP_METHODS.join("|");
  for (const m of source.matchAll(new RegExp(`^\\s*export\\s+(?:const|let|var|async\\s+function|function)\\s+(${methods})\\b`, "gm"))) found.add(m[1] as HttpMethod);
  for (const block of source.matchAll(/^\s*export\s*\{([^}]*)\}/gm)) {
    for (const m of block[1]!.matchAll(new RegExp(`(?:\\bas\\s+)?\\b(${methods})\\b\\s*(?:,|$)`, "g"))) found.add(m[1] as HttpMethod);
  }
  return HTTP_METHODS.filter((m) => found.has(m));
}

/** Every route handler (app/**\/route.ts|js) with the methods it exports, as "METHOD /pattern", sorted. */
export function discoverRouteHandlers(root = ROOT): string[] {
  const app = path.join(root, "app");
  return walk(app)
    .filter((f) => /(^|[\\/])route\.(ts|js)$/.test(f))
    .flatMap((f) => {
      const pattern = routePattern(path.relative(app, f));
      if (pattern === null) return [];
      const methods = exportedMethods(fs.readFileSync(f, "utf8"));
      if (methods.length === 0) throw new Error(`${path.relative(root, f)} exports no HTTP method the matrix recognizes`);
      return methods.map((m) => `${m} ${pattern}`);
    })
    .sort();
}

/** Whether a module starts with the "use server" directive (after comments and blank lines). */
export function isUseServerModule(source: string): boolean {
  const body = source.replace(/^(?:\s+|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
  return /^["']use server["']\s*;?/.test(body);
}

/** A "use server" module's exports: `export (async) function x`, `export const x`, `export { a, b as c }` (types excluded). */
export function exportedNames(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/^\s*export\s+(?:async\s+function\s*\*?|function\s*\*?|const|let|var)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]!);
  for (const block of source.matchAll(/^\s*export\s*\{([^}]*)\}\s*(?!from)/gm)) {
    for (const part of block[1]!.split(",")) {
      const name = part.trim().split(/\s+as\s+/).at(-1)?.trim();
      if (name && !part.trim().startsWith("type ")) names.add(name);
    }
  }
  return [...names].sort();
}

export interface DiscoveredAction {
  /** Repository-relative, forward slashes: "lib/actions/teams.ts". */
  file: string;
  name: string;
}

/** Every export of every "use server" module in lib/actions (tests excluded), sorted by file then name. */
export function discoverServerActions(root = ROOT): DiscoveredAction[] {
  const dir = path.join(root, "lib", "actions");
  return walk(dir)
    .filter((f) => /\.(ts|tsx|js)$/.test(f) && !/\.test\.|\.int\.test\./.test(f))
    .filter((f) => isUseServerModule(fs.readFileSync(f, "utf8")))
    .flatMap((f) => exportedNames(fs.readFileSync(f, "utf8")).map((name) => ({ file: path.relative(root, f).split(path.sep).join("/"), name })))
    .sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

export interface ManifestAction extends DiscoveredAction {
  id: string;
  /** Page entries whose client code can call it: "app/training/[id]/page". */
  workers: string[];
}

/** The build's server actions (.next/server/server-reference-manifest.json): id, module, export and the pages that use it. */
export function readActionManifest(root = ROOT): ManifestAction[] {
  const file = path.join(root, ".next", "server", "server-reference-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const out: ManifestAction[] = [];
  for (const layer of ["node", "edge"]) {
    const entries = (manifest[layer] ?? {}) as Record<string, { workers?: Record<string, unknown>; filename?: string; exportedName?: string }>;
    for (const [id, entry] of Object.entries(entries)) {
      if (!entry.filename || !entry.exportedName) throw new Error(`server action ${id} has no filename/exportedName in the manifest`);
      out.push({ id, file: entry.filename.replace(/^\.\//, ""), name: entry.exportedName, workers: Object.keys(entry.workers ?? {}).sort() });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name));
}

/** What one list has that the other lacks, each with a message saying what to do. */
export function compareKeys({ discovered, expected, what, where }: { discovered: Iterable<string>; expected: Iterable<string>; what: string; where: string }): string[] {
  const found = new Set(discovered);
  const known = new Set(expected);
  return [
    ...[...found].filter((k) => !known.has(k)).map((k) => `${what} "${k}" has no expectation: add what each role should get to ${where}`),
    ...[...known].filter((k) => !found.has(k)).map((k) => `${what} "${k}" has an expectation in ${where} but no longer exists in the code: remove it`),
  ];
}

/** A page entry ("app/training/[id]/page", "app/(x)/y/page") as its URL pattern. */
export function workerPattern(worker: string): string | null {
  return routePattern(`${worker.replace(/^app\//, "")}.tsx`);
}

/** Fills "[name]" segments of a pattern; throws for a parameter without a value. */
export function fillPattern(pattern: string, params: Readonly<Record<string, string>>): string {
  return pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for [${name}] in ${pattern}`);
    return encodeURIComponent(value);
  });
}

// ---------------------------------------------------------------------------
// Server-action calls over HTTP

/** A FormData argument, encoded as React's client encodes one (its entries under "_<n>_"). */
export class FormArg {
  constructor(readonly entries: ReadonlyArray<readonly [string, string]>) {}
  static of(values: Readonly<Record<string, string | readonly string[]>>): FormArg {
    return new FormArg(Object.entries(values).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as const] : v.map((x) => [k, x] as const))));
  }
  with(values: Readonly<Record<string, string>>): FormArg {
    const replaced = new Set(Object.keys(values));
    return new FormArg([...this.entries.filter(([k]) => !replaced.has(k)), ...Object.entries(values)]);
  }
  get(name: string): string | undefined {
    return this.entries.find(([k]) => k === name)?.[1];
  }
}

/** JSON for one argument as React's reply encoder writes it: strings starting with "$" are escaped as "$$". */
function replyJson(value: unknown, parts: FormArg[]): unknown {
  if (value instanceof FormArg) {
    parts.push(value);
    return `$K${parts.length.toString(16)}`;
  }
  if (typeof value === "string") return value.startsWith("$") ? `$${value}` : value;
  if (value === undefined) return "$undefined";
  if (Array.isArray(value)) return value.map((v) => replyJson(v, parts));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replyJson(v, parts)]));
  return value;
}

/**
 * The body of a server-action call with these arguments (bound ones first, as
 * the client prepends them): plain JSON text when there is no FormData, else
 * multipart with each FormData's entries as "_<n>_<name>" and the argument
 * list as field "0" (verified against what Chromium sends, in the spec).
 */
export function encodeActionArgs(args: readonly unknown[]): { multipart: FormData } | { text: string } {
  const parts: FormArg[] = [];
  const root = JSON.stringify(replyJson(args, parts));
  if (parts.length === 0) return { text: root };
  const multipart = new FormData();
  parts.forEach((part, i) => {
    for (const [k, v] of part.entries) multipart.append(`_${i + 1}_${k}`, v);
  });
  multipart.append("0", root);
  return { multipart };
}

/** What a server-action call came to, read from its response. */
export type ActionOutcome =
  /** Redirected to sign in (signed out). */
  | "signIn"
  /** HTTP 404: the record doesn't exist for this person (Next's notFound()). */
  | "notFound"
  /** HTTP 403. */
  | "forbidden"
  /** A result carrying the policy's refusal: "You may not …", or a team field refusing the team. */
  | "denied"
  /** Past authorization: a redirect to somewhere else than sign-in (the action's success). */
  | "redirected"
  /** Past authorization: a saved result. */
  | "saved"
  /** Past authorization: an edit refused because the version is stale (checked after the role). */
  | "conflict"
  /** A validation result (field errors) that is not a refusal. */
  | "invalid"
  /** A result saying the record doesn't exist (200, not 404). */
  | "missing"
  | "other";

export interface ActionReading {
  outcome: ActionOutcome;
  status: number;
  detail: string;
}

/** Policy refusals as the actions word them (lib/access/policy.ts ACTION_WORDS, lib/db/mutations/records.ts teamFieldError). */
const REFUSALS = [
  /^You may not /,
  /not add or move records into it/,
  /^A team admin may change the team's monthly budget/,
  /^A team admin may invite people only/,
  /^Only an org admin may invite/,
];
/** A team field answering as for a team that doesn't exist (lib/db/mutations/records.ts TEAM_MISSING). */
const NOT_FOUND_FIELDS = [/^Team not found/];

/** The action's return value among the RSC lines of the response (the line whose JSON has a known `status`). */
function actionResult(body: string): Record<string, unknown> | null {
  for (const line of body.split("\n")) {
    const m = /^[0-9a-f]+:(\{.*\})$/.exec(line.trim());
    if (!m) continue;
    try {
      const value = JSON.parse(m[1]!) as Record<string, unknown>;
      if (typeof value.status === "string" && ["idle", "invalid", "saved", "conflict", "notFound", "denied", "testSent", "testFailed", "invited", "created", "revoked"].includes(value.status)) return value;
    } catch {
      // not a plain JSON row
    }
  }
  return null;
}

export function readActionResponse(status: number, headers: Readonly<Record<string, string>>, body: string): ActionReading {
  const redirect = headers["x-action-redirect"] ?? (status >= 300 && status < 400 ? headers["location"] : undefined);
  if (redirect !== undefined) {
    const target = redirect.split(";")[0]!;
    return { outcome: /^(https?:\/\/[^/]+)?\/sign-in(\?|$|\/)/.test(target) ? "signIn" : "redirected", status, detail: target };
  }
  if (status === 404) return { outcome: "notFound", status, detail: "404" };
  if (status === 403) return { outcome: "forbidden", status, detail: body.slice(0, 160) };
  const result = status === 200 ? actionResult(body) : null;
  if (!result) return { outcome: "other", status, detail: body.slice(0, 200) };
  const fieldErrors = (result.fieldErrors ?? {}) as Record<string, string[]>;
  const messages = Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v.join(" ")}`);
  switch (result.status) {
    case "saved":
    case "testSent":
    case "testFailed":
    case "invited":
    case "created":
    case "revoked":
      return { outcome: "saved", status, detail: String(result.status) };
    case "conflict":
      return { outcome: "conflict", status, detail: "conflict" };
    case "notFound":
      return { outcome: "missing", status, detail: String(result.message ?? "") };
    case "denied":
      return { outcome: "denied", status, detail: JSON.stringify(result.denied) };
    case "invalid": {
      const all = Object.values(fieldErrors).flat();
      const refusal = all.find((m) => REFUSALS.some((r) => r.test(m)));
      if (refusal) return { outcome: "denied", status, detail: refusal };
      const missing = all.find((m) => NOT_FOUND_FIELDS.some((r) => r.test(m)));
      if (missing) return { outcome: "missing", status, detail: missing };
      return { outcome: "invalid", status, detail: messages.join(" | ").slice(0, 200) };
    }
    default:
      return { outcome: "other", status, detail: JSON.stringify(result).slice(0, 200) };
  }
}

// ---------------------------------------------------------------------------
// Forms in server-rendered HTML

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" }[lower]!;
  });
}

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) out.set(m[1]!.toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ""));
  return out;
}

/**
 * The fields a browser would submit from the first form in `html` that has a
 * field named `withField`: inputs (checked checkboxes and radios only; no
 * buttons, files or disabled fields, nor React's "$ACTION_…" fields), the
 * selected option of each select, textareas.
 */
export function formFields(html: string, withField: string): FormArg {
  for (const [form] of html.matchAll(/<form\b[\s\S]*?<\/form>/g)) {
    const entries: [string, string][] = [];
    for (const m of form.matchAll(/<(input|select|textarea)\b([^>]*)>(?:([\s\S]*?)<\/\1>)?/g)) {
      const [, tag, rawAttrs, inner] = m;
      const attrs = attributes(rawAttrs!);
      const name = attrs.get("name");
      if (!name || name.startsWith("$ACTION") || attrs.has("disabled")) continue;
      if (tag === "input") {
        const type = (attrs.get("type") ?? "text").toLowerCase();
        if (["submit", "button", "reset", "file", "image"].includes(type)) continue;
        if ((type === "checkbox" || type === "radio") && !attrs.has("checked")) continue;
        entries.push([name, attrs.get("value") ?? (type === "checkbox" || type === "radio" ? "on" : "")]);
      } else if (tag === "select") {
        const options = [...(inner ?? "").matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o) => ({ attrs: attributes(o[1]!), text: decodeEntities(o[2]!.replace(/<[^>]*>/g, "")) }));
        const chosen = options.find((o) => o.attrs.has("selected")) ?? options[0];
        if (chosen) entries.push([name, chosen.attrs.get("value") ?? chosen.text]);
      } else {
        entries.push([name, decodeEntities((inner ?? "").replace(/^\n/, ""))]);
      }
    }
    if (entries.some(([k]) => k === withField)) return new FormArg(entries);
  }
  throw new Error(`no form with a field "${withField}" in the page`);
}

/**
 * What each form on a page submits to, as comparable text: its field names
 * (React's "$ACTION_…" fields aside) and the server action it calls (from
 * "$ACTION_ID_<id>", or the id in a bound action's "$ACTION_<n>:0" value).
 */
export function formSignatures(html: string): string[] {
  return [...html.matchAll(/<form\b[\s\S]*?<\/form>/g)].map(([form]) => {
    const names: string[] = [];
    for (const m of form.matchAll(/<(?:input|select|textarea|button)\b([^>]*)>/g)) {
      const attrs = attributes(m[1]!);
      const name = attrs.get("name");
      if (!name) continue;
      const id = /^\$ACTION_ID_(\w+)$/.exec(name)?.[1] ?? (/^\$ACTION_\d+:0$/.test(name) ? /"id":"(\w+)"/.exec(attrs.get("value") ?? "")?.[1] : undefined);
      if (id) names.push(`action:${id}`);
      else if (!name.startsWith("$ACTION")) names.push(name);
    }
    return [...new Set(names)].sort().join(",");
  });
}

/** The "You don't have access to this" page (components/ui/forbidden.tsx via app/forbidden.tsx, status 403); a 200 showing it is a bug. */
export const FORBIDDEN_PAGE = /You don(?:&#x27;|&#39;|')t have access to this/;
