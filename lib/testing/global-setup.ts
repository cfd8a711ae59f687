import type { TestProject } from "vitest/node";
import { createTemplate, startTestServer } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseAdminUrl: string;
  }
}

/** One PostgreSQL server per test run; each test file gets its own database. */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  await createTemplate(server.adminUrl);
  project.provide("testDatabaseAdminUrl", server.adminUrl);
  return () => server.stop();
}
