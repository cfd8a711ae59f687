// npm run db:migrate — applies pending prisma/migrations to DATABASE_URL or the embedded database.
import { openDatabase, stopOnSignals } from "./lib/database";
import { runMain } from "./lib/errors";
import { applyMigrations } from "./lib/schema-engine";

runMain(async () => {
  const db = await openDatabase();
  stopOnSignals(db.stop);
  try {
    const applied = await applyMigrations(db.url);
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
  } finally {
    await db.stop();
  }
});
