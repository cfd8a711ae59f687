import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ARCHITECTURE_PATH,
  CLICKHOUSE_TABLES,
  clickhouseTableDdl,
  clickhouseType,
  loadDatamodel,
  parseDatamodel,
  primaryKeyFields,
  RAW_WINDOW_ACCESS,
  RAW_WINDOW_MODULES,
  TABLE_GROWTH,
  tableName,
  TRAFFIC_TABLES,
  type DmmfModel,
} from "./scale-out";

// The schema against the scale-out target in ARCHITECTURE.md ("Past one machine"):
// raw usage windows move to ClickHouse, everything else stays in PostgreSQL.
// clickhouse.int.test.ts runs the generated DDL in ClickHouse itself.

const datamodel = loadDatamodel();
const root = path.resolve(import.meta.dirname, "..", "..");

function model(name: string): DmmfModel {
  const found = datamodel.models.find((m) => m.name === name);
  if (!found) throw new Error(`model ${name} is not in prisma/schema.prisma`);
  return found;
}

/** Backticked table names in the table rows of ARCHITECTURE.md's "Past one machine" section. */
function documentedGrowthTables(): Set<string> {
  const doc = readFileSync(ARCHITECTURE_PATH, "utf8");
  const start = doc.indexOf("\n## Past one machine");
  expect(start, 'ARCHITECTURE.md has a "## Past one machine" section').toBeGreaterThan(-1);
  const rest = doc.slice(start + 1);
  const end = rest.indexOf("\n## ", 1);
  const section = end === -1 ? rest : rest.slice(0, end);
  const names = section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => /^\| `([a-z_]+)`/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  return new Set(names);
}

describe("tables and how they grow", () => {
  it("classifies every table of the schema, and only those", () => {
    const tables = datamodel.models.map(tableName).sort();
    expect(Object.keys(TABLE_GROWTH).sort()).toEqual(tables);
  });

  it("treats every table keyed by time as growing with traffic", () => {
    const timeKeyed = datamodel.models
      .filter((m) => primaryKeyFields(m).some((f) => m.fields.find((field) => field.name === f)?.type === "DateTime"))
      .map(tableName);
    expect(timeKeyed.length).toBeGreaterThan(0);
    for (const table of timeKeyed) expect(TRAFFIC_TABLES, `${table} has a time in its key`).toContain(table);
  });

  it("lists every table that grows with traffic in ARCHITECTURE.md", () => {
    const documented = documentedGrowthTables();
    for (const table of TRAFFIC_TABLES) expect([...documented], `ARCHITECTURE.md's growth table lacks ${table}`).toContain(table);
    for (const table of documented) expect(Object.keys(TABLE_GROWTH), `ARCHITECTURE.md names ${table}, which the schema lacks`).toContain(table);
  });
});

describe("raw usage events fit ClickHouse", () => {
  it("sends exactly the per-window tables to ClickHouse", () => {
    const perWindow = Object.entries(TABLE_GROWTH)
      .filter(([, growth]) => growth === "window")
      .map(([table]) => table);
    expect(CLICKHOUSE_TABLES.map((t) => tableName(model(t.model))).sort()).toEqual(perWindow.sort());
  });

  for (const target of CLICKHOUSE_TABLES) {
    const raw = model(target.model);
    const table = tableName(raw);

    it(`${table}: key columns exist, are required scalars, and the key is (deployment, start)`, () => {
      const key = primaryKeyFields(raw);
      expect(key).toEqual(["deploymentId", "windowStart"]);
      for (const name of [...key, target.versionField, target.timeField, target.secondsField]) {
        const field = raw.fields.find((f) => f.name === name);
        expect(field, `${table}.${name} exists`).toBeDefined();
        expect(field?.kind).toBe("scalar");
        expect(field?.isRequired, `${table}.${name} is not null`).toBe(true);
        expect(field?.isList).toBe(false);
      }
    });

    it(`${table}: no uniqueness beyond the primary key (ClickHouse enforces none)`, () => {
      expect(raw.uniqueFields).toEqual([]);
      expect(raw.fields.filter((f) => f.isUnique).map((f) => f.name)).toEqual([]);
    });

    it(`${table}: no other table has a foreign key to it`, () => {
      const referencing = datamodel.models.flatMap((m) =>
        m.fields.filter((f) => f.kind === "object" && f.type === raw.name && (f.relationFromFields?.length ?? 0) > 0).map((f) => `${m.name}.${f.name}`),
      );
      expect(referencing).toEqual([]);
    });

    it(`${table}: every column maps to a ClickHouse type`, () => {
      const ddl = clickhouseTableDdl(raw, target);
      expect(ddl).toContain("ENGINE = ReplacingMergeTree(`version`, `isDeleted`)");
      expect(ddl).toContain("ORDER BY (`deploymentId`, `windowStart`)");
      expect(ddl).toContain(`toIntervalDay(${target.retentionDays})`);
    });
  }
});

describe("ClickHouse column types", () => {
  const sample = parseDatamodel(
    `
      datasource db {
        provider = "postgresql"
      }
      enum Kind {
        A
        B
      }
      model Sample {
        id      Int       @id
        small   Int       @db.SmallInt
        big     BigInt
        at      DateTime  @db.Timestamptz(3)
        maybeAt DateTime? @db.Timestamptz(3)
        money   Decimal   @db.Decimal(18, 6)
        pct     Decimal?  @db.Decimal(5, 2)
        keys    Int[]     @db.SmallInt
        counts  Int[]
        wide    BigInt[]
        name    String?
        flag    Boolean
        kind    Kind
        bare    Decimal
        doc     Json
      }`,
  );
  const field = (name: string) => sample.models[0]!.fields.find((f) => f.name === name)!;

  it.each([
    ["id", "Int32"],
    ["small", "Int16"],
    ["big", "Int64"],
    ["at", "DateTime64(3, 'UTC')"],
    ["maybeAt", "Nullable(DateTime64(3, 'UTC'))"],
    ["money", "Decimal(18, 6)"],
    ["pct", "Nullable(Decimal(5, 2))"],
    ["keys", "Array(Int16)"],
    ["counts", "Array(Int32)"],
    ["wide", "Array(Int64)"],
    ["name", "Nullable(String)"],
    ["flag", "Bool"],
    ["kind", "LowCardinality(String)"],
  ])("%s → %s", (name, type) => {
    expect(clickhouseType(field(name))).toBe(type);
  });

  it("refuses what it cannot map exactly", () => {
    expect(() => clickhouseType(field("bare"))).toThrow(/@db.Decimal/);
    expect(() => clickhouseType(field("doc"))).toThrow(/no ClickHouse mapping for Prisma type Json/);
  });
});

describe("who reads raw usage windows", () => {
  function sourceFiles(dir: string): string[] {
    return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
      .filter((file) => !file.startsWith("lib/db/generated/") && !file.startsWith("lib/testing/"));
  }
  const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const readers = ["lib", "app", "components"]
    .flatMap(sourceFiles)
    .filter((file) => RAW_WINDOW_ACCESS.test(withoutComments(readFileSync(path.join(root, file), "utf8"))))
    .sort();

  it("only the write path, the rollup builder and per-deployment record views touch inference_usage_windows", () => {
    // A dashboard or report reading raw windows for a range of time scans the
    // largest table (and, past one machine, another engine): read the rollups.
    const unexpected = readers.filter((file) => !(file in RAW_WINDOW_MODULES));
    expect(unexpected, "read usage_rollup_* instead, or add the module to RAW_WINDOW_MODULES with its reason").toEqual([]);
  });

  it("keeps the allow-list exact", () => {
    expect(readers.length).toBeGreaterThan(0);
    const stale = Object.keys(RAW_WINDOW_MODULES).filter((file) => !readers.includes(file));
    expect(stale, "these modules no longer touch raw windows: drop them from RAW_WINDOW_MODULES").toEqual([]);
  });
});
