import "server-only";
import { cache } from "react";
import { connection } from "next/server";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { loadViewer, type Viewer } from "./viewer";

/**
 * The viewer for this request, resolved once. Awaiting `connection()` marks
 * every page that reads data as dynamic, so nothing is prerendered at build.
 */
export const getViewer = cache(async (): Promise<Viewer> => {
  await connection();
  return loadViewer({ client: db(), orgSlug: serverEnv().BURNRATE_ORG });
});
