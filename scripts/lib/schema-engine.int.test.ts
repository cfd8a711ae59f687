import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, diffMigrationsToSchema, migrationStatus, readMigrations, withScratchDatabase } from "./schema-engine";

const url = () => process.env.DATABASE_URL!;
const adminUrl = () => process.env.BURNRATE_TEST_ADMIN_URL!;

describe("migrations", () => {
  it("schema.prisma and prisma/migrations describe the same database (no drift)", async () => {
    const sql = await withScratchDatabase(adminUrl(), (shadowUrl) => diffMigrationsToSchema({ url: adminUrl(), shadowUrl }));
    expect(sql, `schema.prisma has changes without a migration — run npm run db:migration -- <name>:\n${sql}`).toBe("");
  });

  it("records every migration in _prisma_migrations and applies nothing twice", async () => {
    const status = await migrationStatus(url());
    expect(status.pending).toEqual([]);
    expect(status.applied.sort()).toEqual(readMigrations().migrationDirectories.map((d) => d.path));
    expect(await applyMigrations(url())).toEqual([]);
  });

  it("refuses a database whose migrations are ahead of the code, and leaves it untouched", async () => {
    await withScratchDatabase(adminUrl(), async (scratchUrl) => {
      await applyMigrations(scratchUrl);
      const client = new pg.Client({ connectionString: scratchUrl });
      await client.connect();
      try {
        await client.query(
          `insert into _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           values ('future', 'x', '29990101000000_from_the_future', now(), now(), 1)`,
        );
        const before = await client.query("select count(*)::int as n from _prisma_migrations");
        await expect(applyMigrations(scratchUrl)).rejects.toThrow(/migrations this code does not know \(29990101000000_from_the_future\).*update the code/);
        const after = await client.query("select count(*)::int as n from _prisma_migrations");
        expect(after.rows[0].n).toBe(before.rows[0].n);
      } finally {
        await client.end();
      }
    });
  });
});

describe("price catalog constraints", () => {
  it("rejects overlapping price periods for the same GPU, provider and pricing model", async () => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      const { rows: [org] } = await client.query(`insert into orgs (slug, name) values ('p', 'P') returning id`);
      const { rows: [gpu] } = await client.query(
        `insert into gpu_types ("orgId", name, "memoryGb", "peakBf16Tflops", "memoryBandwidthGbps") values ($1, 'H100', 80, 989.5, 3350) returning id`,
        [org.id],
      );
      const insert = (from: string, to: string | null, model = "ON_DEMAND") =>
        client.query(
          `insert into gpu_prices ("gpuTypeId", provider, "pricingModel", "pricePerGpuHour", "effectiveFrom", "effectiveTo") values ($1, 'aws', $2, 2, $3, $4)`,
          [gpu.id, model, from, to],
        );
      await insert("2026-01-01", "2026-03-01");
      await insert("2026-03-01", null); // adjacent: allowed
      await insert("2026-02-01", null, "SPOT"); // another pricing model: allowed
      await expect(insert("2026-02-15", "2026-02-20")).rejects.toThrow(/gpu_prices_no_overlap/);
      await expect(insert("2026-05-01", "2026-04-01", "RESERVED")).rejects.toThrow(/gpu_prices_period_valid/);
    } finally {
      await client.end();
    }
  });
});
