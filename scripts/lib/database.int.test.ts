import { describe, expect, it } from "vitest";
import { freePort } from "@/lib/testing/test-database";
import { assertReachable } from "./database";

describe("DATABASE_URL", () => {
  it("names the server, the reason and the fix when it is unreachable (password redacted)", async () => {
    const port = await freePort();
    const url = `postgresql://app:s3cret@127.0.0.1:${port}/burnrate`;
    const error = await assertReachable(url).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`cannot reach the database at postgresql://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}/burnrate \\(connection refused\\)`));
    expect(message).toMatch(/fix DATABASE_URL/);
    expect(message).not.toContain("s3cret");
    expect(message.split("\n")).toHaveLength(1);
  });
});
