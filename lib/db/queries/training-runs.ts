import "server-only";
import type { Viewer } from "@/lib/access/viewer";
import { db } from "@/lib/db/client";

export async function listTrainingRuns({ viewer, limit = 500 }: { viewer: Viewer; limit?: number }) {
  return db().trainingRun.findMany({
    where: { team: { orgId: viewer.orgId } },
    select: {
      id: true,
      name: true,
      model: true,
      method: true,
      precision: true,
      gpuCount: true,
      provider: true,
      pricingModel: true,
      startedAt: true,
      endedAt: true,
      status: true,
      team: { select: { slug: true, name: true } },
      gpuType: { select: { name: true } },
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: limit,
  });
}

export type TrainingRunListRow = Awaited<ReturnType<typeof listTrainingRuns>>[number];
