// POST /api/v1/usage-windows — a batch of usage windows, all or nothing (lib/api/v1/operations.ts describes it).
import { db } from "@/lib/db/client";
import { prismaRunner } from "@/lib/db/sql";
import { postUsageWindowsOperation } from "@/lib/api/v1/operations";
import { apiWriteTransaction } from "@/lib/api/v1/idempotency";
import { v1Invalid } from "@/lib/api/v1/responses";
import { apiRoute } from "@/lib/api/v1/route";
import { readUsageBatch, writeUsageBatch } from "@/lib/api/v1/usage-windows";
import { MAX_USAGE_BODY_BYTES } from "@/lib/api/v1/usage-windows-schema";
import { USAGE_WRITE } from "@/lib/cache/read-cache";

export const dynamic = "force-dynamic";

export const POST = apiRoute(
  postUsageWindowsOperation,
  async ({ viewer, body, idempotency }) => {
    const now = new Date();
    const read = await readUsageBatch(prismaRunner(db()), viewer, body, now);
    if (!read.ok) return v1Invalid(read.issues);
    return apiWriteTransaction({ orgId: viewer.orgId, idempotency, domains: USAGE_WRITE }, (run) => writeUsageBatch(run, viewer, read.rows, "api"));
  },
  { rateClass: "write", maxBodyBytes: MAX_USAGE_BODY_BYTES, writes: USAGE_WRITE },
);
