import type { Viewer } from "@/lib/access/viewer";
import { restoreDeleted } from "@/lib/db/mutations/records";
import type { FormState } from "@/lib/validation/form-state";
import { recordIdArgument, toFormState } from "./form-result";

/** Where a restored record is shown. */
export function restoredRecordPath(entityType: string, id: number): string {
  switch (entityType) {
    case "trainingRun":
      return `/training/${id}`;
    case "inferenceDeployment":
    case "usageWindow":
      // A usage window's restore reports its deployment's id.
      return `/inference/${id}`;
    case "gpuType":
      return `/settings/gpu-types/${id}/edit`;
    case "gpuPrice":
      return `/settings/prices/${id}/edit`;
    default:
      return "/settings";
  }
}

export async function submitRestore({ viewer, deletedId }: { viewer: Viewer; deletedId: unknown }): Promise<FormState & { path?: string }> {
  const id = recordIdArgument(deletedId);
  if (id === null) return { status: "notFound", message: "There is nothing to undo." };
  const result = await restoreDeleted({ viewer, deletedId: id });
  if (!result.ok) return toFormState(result, () => ({ status: "idle" }));
  return { status: "saved", id: String(result.value.id), isReplay: false, path: restoredRecordPath(result.value.entityType, result.value.id) };
}
