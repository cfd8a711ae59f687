import type { PrismaClient } from "@/lib/db/create-client";
import { credentialAccount } from "@/lib/auth/credentials";
import { prismaRunner } from "@/lib/db/sql";
import { slugFromName } from "@/lib/validation/settings-forms";
import type { SetupValues } from "@/lib/validation/auth";
import { auditSnapshot, writeAuditEntries } from "./audit";

export type FirstRunResult = { ok: true; orgId: number; userId: number } | { ok: false; reason: "exists" };

/** Serializes concurrent first-run submissions (two tabs, a double click). */
const FIRST_RUN_LOCK = 7_231_001;

/**
 * Creates the first organization and its owner (with a password) in one
 * transaction — only while no organization exists, so the setup page can
 * never be used to take over an installed Burnrate.
 */
export async function createFirstOrganization(client: PrismaClient, values: SetupValues): Promise<FirstRunResult> {
  const account = await credentialAccount(0, values.password);
  return client.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(${FIRST_RUN_LOCK})`;
    if ((await tx.org.count()) > 0) return { ok: false, reason: "exists" } as const;
    const org = await tx.org.create({ data: { slug: slugFromName(values.orgName) || "org", name: values.orgName, timeZone: values.timeZone } });
    const user = await tx.user.create({ data: { orgId: org.id, email: values.email, name: values.name, role: "OWNER" } });
    await tx.account.create({ data: { ...account, userId: user.id, accountId: String(user.id) } });
    await writeAuditEntries(prismaRunner(tx), { viewer: { orgId: org.id, userId: user.id, name: user.name }, source: "setup" }, [
      { entityType: "org", entityId: String(org.id), action: "CREATE", before: null, after: auditSnapshot({ name: org.name, slug: org.slug, timeZone: org.timeZone }) },
      { entityType: "user", entityId: String(user.id), action: "CREATE", before: null, after: auditSnapshot({ email: user.email, name: user.name, role: user.role }) },
    ]);
    return { ok: true, orgId: org.id, userId: user.id } as const;
  });
}
