import { describe, expect, it } from "vitest";
import { splitSqlScript } from "./sql-script";

describe("splitSqlScript", () => {
  it("splits at top-level semicolons only", () => {
    const script = `CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine');
-- a comment; with a semicolon
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM t WHERE x = ';';
  RETURN NEW;
END $$;
/* block; comment */ SELECT $tag$ a; b $tag$;
`;
    expect(splitSqlScript(script)).toEqual([
      `CREATE TABLE "a;b" (x text DEFAULT 'it''s; fine')`,
      `-- a comment; with a semicolon\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM t WHERE x = ';';\n  RETURN NEW;\nEND $$`,
      `/* block; comment */ SELECT $tag$ a; b $tag$`,
    ]);
  });

  it("drops empty and comment-only tails", () => {
    expect(splitSqlScript("SELECT 1;\n-- done\n")).toEqual(["SELECT 1"]);
  });
});
