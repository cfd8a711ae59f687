import { defineConfig } from "prisma/config";

// Used by the official Prisma CLI where it can reach its engines. Burnrate's
// own scripts (scripts/migrate.ts, scripts/create-migration.ts) do the same
// work offline with the WebAssembly schema engine.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx scripts/seed.ts",
  },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/burnrate",
  },
});
