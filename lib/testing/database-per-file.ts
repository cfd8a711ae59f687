import { afterAll, inject } from "vitest";
import { createTestDatabase } from "./test-database";

// Runs before each integration test file: a private database cloned from the
// migrated template, so files never see each other's rows.
const adminUrl = inject("testDatabaseAdminUrl");
const database = await createTestDatabase(adminUrl, "file");
process.env.DATABASE_URL = database.url;
process.env.BURNRATE_TEST_ADMIN_URL = adminUrl;

afterAll(async () => {
  const { disconnectDb } = await import("@/lib/db/client");
  await disconnectDb();
  await database.drop();
});
