import { readFileSync } from "node:fs";
import path from "node:path";
import { getDMMF, type GetDMMFError } from "@prisma/get-dmmf";

/**
 * The path past one machine (ARCHITECTURE.md, "Past one machine"), written
 * down so tests can hold the schema to it: raw usage events move to
 * ClickHouse, everything else stays in PostgreSQL. scale-out.test.ts and
 * clickhouse.int.test.ts check the schema, the code and the doc against it.
 */

const root = path.resolve(import.meta.dirname, "..", "..");
export const SCHEMA_PATH = path.join(root, "prisma", "schema.prisma");
export const ARCHITECTURE_PATH = path.join(root, "ARCHITECTURE.md");

/**
 * How each table grows. "window": one row per raw usage window (traffic).
 * "bucket": one row per owner and time bucket (traffic-driven rollups).
 * "record": one row per thing people or jobs create (runs, audit entries…).
 * "config": bounded by the size of the org (people, teams, catalog).
 */
export type Growth = "window" | "bucket" | "record" | "config";

export const TABLE_GROWTH: Record<string, Growth> = {
  orgs: "config",
  users: "config",
  team_memberships: "config",
  auth_sessions: "record",
  auth_accounts: "config",
  auth_verifications: "record",
  invitations: "record",
  instance_secrets: "config",
  data_version: "config",
  teams: "config",
  gpu_types: "config",
  gpu_prices: "config",
  training_runs: "record",
  inference_deployments: "record",
  inference_usage_windows: "window",
  usage_rollup_quarter: "bucket",
  usage_rollup_team_hour: "bucket",
  usage_rollup_day: "bucket",
  usage_rollup_month: "bucket",
  usage_rollup_team_day: "bucket",
  cost_rollup_day: "bucket",
  rollup_time_zones: "config",
  audit_entries: "record",
  deleted_records: "record",
  idempotency_keys: "record",
  import_batches: "record",
  api_keys: "config",
  /** One row per API write sent with an Idempotency-Key, pruned after 24 hours. */
  api_idempotency: "record",
  prometheus_sources: "config",
  rollup_format: "config",
  month_closures: "record",
  month_close_lines: "record",
  suggestion_states: "record",
  budget_alerts: "record",
};

/** Tables that grow with traffic: ARCHITECTURE.md's growth table must list each. */
export const TRAFFIC_TABLES = Object.entries(TABLE_GROWTH)
  .filter(([, growth]) => growth === "window" || growth === "bucket")
  .map(([table]) => table);

/**
 * Raw usage events bound for ClickHouse (ReplacingMergeTree keyed by the
 * table's primary key, `version` deciding which copy of a resent row wins).
 */
export const CLICKHOUSE_TABLES = [
  { model: "InferenceUsageWindow", versionField: "version", timeField: "windowStart", secondsField: "windowSeconds", retentionDays: 35 },
] as const;

/**
 * The only application modules (lib/, app/, components/) that may read or
 * write raw usage windows. Dashboards read the rollups; a query that reads
 * raw windows for a range of time would be a full scan of the largest table
 * and, past one machine, a cross-engine read. Everything here touches one
 * deployment's windows by primary-key range.
 */
export const RAW_WINDOW_MODULES: Record<string, string> = {
  "lib/db/mutations/usage-windows.ts": "write path: the usage form's create, edit and delete",
  "lib/db/mutations/usage-window-rules.ts": "write path: overlap and period checks on one deployment's windows",
  "lib/db/mutations/record-batch.ts": "write path: the one batch write path (CSV import, API, Prometheus) — stored windows by key, inserts, updates, the overlap rule",
  "lib/db/mutations/rollup-format.ts": "upgrade check: whether any stored window changed rollup format (once per upgrade)",
  "lib/db/mutations/records.ts": "write path: delete with undo copies a deployment's windows to deleted_records and back",
  "lib/db/mutations/usage-rollups.ts": "rollup builder: raw windows → 15-minute rows",
  "lib/seed/write.ts": "write path: demo seed bulk insert",
  "lib/db/queries/inference-records.ts": "one deployment's records page and usage form (by key range, paged)",
  "lib/db/queries/import-references.ts": "import template: one deployment's stored span",
  "lib/db/queries/suggestions.ts": "longest stretch without usage records, per deployment over a suggestion's period",
};

/** Table name, Prisma delegate (`db().inferenceUsageWindow`) or relation in a select/include. */
export const RAW_WINDOW_ACCESS = /\binference_usage_windows\b|\binferenceUsageWindow\b|\busageWindows\s*:\s*(?:true|\{)/;

export type DmmfDocument = Exclude<ReturnType<typeof getDMMF>, GetDMMFError>;
export type DmmfModel = DmmfDocument["datamodel"]["models"][number];
export type DmmfField = DmmfModel["fields"][number];

/** A Prisma schema parsed by Prisma's own parser (WebAssembly; no engine download). */
export function parseDatamodel(schema: string, source = "schema"): DmmfDocument["datamodel"] {
  const result = getDMMF({ datamodel: schema });
  if ("reason" in result) throw new Error(`getDMMF failed on ${source}: ${result.reason}: ${result.error.message}`, { cause: result.error });
  return result.datamodel;
}

export function loadDatamodel(schemaPath = SCHEMA_PATH): DmmfDocument["datamodel"] {
  return parseDatamodel(readFileSync(schemaPath, "utf8"), schemaPath);
}

export function tableName(model: DmmfModel): string {
  return model.dbName ?? model.name;
}

/** Primary-key field names: `@@id([...])` or the single `@id` field. */
export function primaryKeyFields(model: DmmfModel): string[] {
  if (model.primaryKey) return [...model.primaryKey.fields];
  return model.fields.filter((f) => f.isId).map((f) => f.name);
}

/** ClickHouse column type of a scalar Prisma field (PostgreSQL native type where it matters). */
export function clickhouseType(field: DmmfField): string {
  const [nativeName, nativeArgs = []] = (field.nativeType ?? []) as [string?, string[]?];
  let base: string;
  switch (field.kind === "enum" ? "enum" : field.type) {
    case "Int":
      base = nativeName === "SmallInt" ? "Int16" : "Int32";
      break;
    case "BigInt":
      base = "Int64";
      break;
    case "Boolean":
      base = "Bool";
      break;
    case "String":
      base = "String";
      break;
    case "enum":
      base = "LowCardinality(String)";
      break;
    case "DateTime": {
      // timestamptz(p) is an instant: ClickHouse keeps instants as UTC DateTime64 of the same precision.
      const precision = nativeName === "Timestamptz" || nativeName === "Timestamp" ? (nativeArgs[0] ?? "6") : "3";
      base = `DateTime64(${precision}, 'UTC')`;
      break;
    }
    case "Decimal": {
      if (nativeName !== "Decimal" || nativeArgs.length !== 2) throw new Error(`${field.name}: Decimal needs @db.Decimal(p, s) to map to ClickHouse`);
      base = `Decimal(${nativeArgs[0]}, ${nativeArgs[1]})`;
      break;
    }
    default:
      throw new Error(`${field.name}: no ClickHouse mapping for Prisma type ${field.type}${nativeName ? ` @db.${nativeName}` : ""}`);
  }
  if (field.isList) return `Array(${base})`; // Prisma lists are never null; ClickHouse arrays cannot be Nullable.
  return field.isRequired ? base : `Nullable(${base})`;
}

function defaultClause(field: DmmfField): string {
  if (!field.hasDefaultValue) return "";
  const value: unknown = field.default;
  if (typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value))) return ` DEFAULT ${value}`;
  if (typeof value === "boolean") return ` DEFAULT ${value}`;
  // autoincrement(), now(), dbgenerated(): ClickHouse has no sequences and the writer sets instants itself.
  throw new Error(`${field.name}: default ${JSON.stringify(value)} has no ClickHouse equivalent; the writer must send the value`);
}

/** The ClickHouse-only tombstone column: a delete is a newer version of the row with isDeleted = 1. */
export const DELETED_COLUMN = "isDeleted";

/**
 * CREATE TABLE for a raw-event model: every scalar column mapped, plus the
 * tombstone column; ReplacingMergeTree(version, isDeleted) ordered by the
 * model's primary key, so a resent or edited row replaces the stored one
 * (a higher version wins; on equal versions the last insert wins); monthly
 * partitions; rows expire `retentionDays` after the window ends.
 */
export function clickhouseTableDdl(
  model: DmmfModel,
  options: { versionField: string; retentionDays: number; timeField: string; secondsField: string },
): string {
  const key = primaryKeyFields(model);
  const version = model.fields.find((f) => f.name === options.versionField);
  if (!version || version.type !== "Int" || !version.isRequired || version.isList) {
    throw new Error(`${model.name}.${options.versionField} must be a required Int to version a ReplacingMergeTree`);
  }
  // ReplacingMergeTree takes an unsigned version (UInt*, Date, DateTime); record versions start at 1.
  const typeOf = (f: DmmfField) => (f === version ? "UInt32" : clickhouseType(f));
  const columns = model.fields
    .filter((f) => f.kind === "scalar" || f.kind === "enum")
    .map((f) => `  \`${f.dbName ?? f.name}\` ${typeOf(f)}${defaultClause(f)}`);
  columns.push(`  \`${DELETED_COLUMN}\` UInt8 DEFAULT 0`);
  const quoted = (name: string) => `\`${name}\``;
  return [
    `CREATE TABLE ${quoted(tableName(model))}`,
    "(",
    columns.join(",\n"),
    ")",
    `ENGINE = ReplacingMergeTree(${quoted(options.versionField)}, ${quoted(DELETED_COLUMN)})`,
    `PARTITION BY toYYYYMM(${quoted(options.timeField)})`,
    `ORDER BY (${key.map(quoted).join(", ")})`,
    `TTL ${quoted(options.timeField)} + toIntervalSecond(${quoted(options.secondsField)}) + toIntervalDay(${options.retentionDays})`,
  ].join("\n");
}
