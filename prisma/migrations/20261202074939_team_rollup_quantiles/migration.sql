-- Team rollup rows keep their sketch's p50/p95/p99 keys while isCompact (usage-rollups.ts compactTeamRollups): rows
-- written whole carry them, appended writes clear the flag, the background roller sets them again for closed buckets.
-- Existing rows start without them (readers then use the sketch) until the roller's first tick.
-- AlterTable
ALTER TABLE "usage_rollup_team_day" ADD COLUMN     "isCompact" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "p50Key" SMALLINT,
ADD COLUMN     "p95Key" SMALLINT,
ADD COLUMN     "p99Key" SMALLINT;

-- AlterTable
ALTER TABLE "usage_rollup_team_hour" ADD COLUMN     "isCompact" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "p50Key" SMALLINT,
ADD COLUMN     "p95Key" SMALLINT,
ADD COLUMN     "p99Key" SMALLINT;
