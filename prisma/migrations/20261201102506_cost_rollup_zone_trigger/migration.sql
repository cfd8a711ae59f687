-- A zone added to rollup_time_zones has no cost_rollup_day rows yet, while
-- every rolled item's watermark says its rows exist "in every rollup zone".
-- Forget all cost rollups in the same statement: the ledger computes live
-- until the roller (lib/db/mutations/cost-rollups.ts) rolls items up again in
-- every zone. Zones are added rarely (a team or org in a new zone).
CREATE FUNCTION burnrate_cost_rollup_forget_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- INSERT … ON CONFLICT DO NOTHING fires the statement trigger with no rows.
  IF EXISTS (SELECT 1 FROM added) THEN
    UPDATE "training_runs" SET "costRolledTo" = NULL WHERE "costRolledTo" IS NOT NULL;
    UPDATE "inference_deployments" SET "costRolledTo" = NULL WHERE "costRolledTo" IS NOT NULL;
    DELETE FROM "cost_rollup_day";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "rollup_time_zones_cost_rollup" AFTER INSERT ON "rollup_time_zones"
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION burnrate_cost_rollup_forget_all();
