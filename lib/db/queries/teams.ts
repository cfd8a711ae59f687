import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "../client";

/** A team of the viewer's org by slug; null when there is none. */
export async function teamBySlug({ viewer, slug }: { viewer: Viewer; slug: string }) {
  return db().team.findFirst({
    where: { orgId: viewer.orgId, slug },
    select: { id: true, slug: true, name: true, timeZone: true, monthlyBudgetUsd: true },
  });
}
