import { describe, expect, it } from "vitest";
import { describeDatabaseError } from "./availability";

describe("describeDatabaseError", () => {
  it("names socket and PostgreSQL errors in a few words", () => {
    expect(describeDatabaseError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe("connection refused");
    expect(describeDatabaseError(Object.assign(new Error("the database system is starting up"), { code: "57P03" }))).toBe("starting up (recovering)");
    expect(describeDatabaseError(Object.assign(new Error("terminating connection due to unexpected postmaster exit"), { code: "57P01" }))).toBe("server process died");
    expect(describeDatabaseError(new Error("timeout exceeded when trying to connect"))).toBe("timed out");
  });

  it("looks inside Prisma's wrapper, whose message starts with a blank line", () => {
    const prismaError = Object.assign(new Error("\nInvalid `prisma.$queryRaw()` invocation:\n\nRaw query failed."), {
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable", host: "10.0.0.5", port: 5432 } } },
    });
    expect(describeDatabaseError(prismaError)).toBe("server not reachable");
  });

  it("falls back to the first non-blank line, bounded", () => {
    expect(describeDatabaseError(new Error("\n\nsomething odd\nsecond line"))).toBe("something odd");
    expect(describeDatabaseError(new Error("x".repeat(1000)))).toHaveLength(200);
  });
});
