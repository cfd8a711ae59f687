-- Day rollups (usage_rollup_day, usage_rollup_team_day) are kept for sealed
-- local days only: the days of a zone that start before "daysSealedTo". A
-- write to a later day (today's live traffic) adds to the 15-minute and
-- team-hour rows only, and readers take those days from the 15-minute rows
-- (lib/db/queries/usage-ledger.ts). The background roller seals each day
-- once it has ended (lib/db/mutations/usage-rollups.ts sealUsageDays),
-- building its day rows from the 15-minute rows. Months are sealed from day
-- rows, so "monthsSealedTo" never passes "daysSealedTo".
ALTER TABLE "rollup_time_zones" ADD COLUMN "daysSealedTo" TIMESTAMPTZ(3);

-- Existing zones: every day before today (local) stays sealed, with the day
-- rows it has; today's and later days' rows are dropped (their figures come
-- from the 15-minute rows until the roller seals them).
UPDATE "rollup_time_zones"
SET "daysSealedTo" = date_trunc('day', now() AT TIME ZONE "timeZone") AT TIME ZONE "timeZone";

DELETE FROM "usage_rollup_day" d USING "rollup_time_zones" z
WHERE d."timeZone" = z."timeZone" AND d."bucketStart" >= z."daysSealedTo";

DELETE FROM "usage_rollup_team_day" d USING "rollup_time_zones" z
WHERE d."timeZone" = z."timeZone" AND d."bucketStart" >= z."daysSealedTo";
