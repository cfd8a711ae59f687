-- A row inserted with a watermark (an undo restoring a deleted run's snapshot,
-- a copy) would claim cost_rollup_day rows that its delete removed. Rows
-- enter unrolled; only the roller's UPDATE sets a watermark.
CREATE FUNCTION burnrate_cost_rollup_unrolled_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."costRolledTo" := NULL;
  IF TG_TABLE_NAME = 'training_runs' THEN
    NEW."costRolledCents" := NULL;
    NEW."costRolledMicros" := NULL;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "training_runs_cost_rollup_insert" BEFORE INSERT ON "training_runs"
  FOR EACH ROW WHEN (NEW."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_unrolled_insert();
CREATE TRIGGER "inference_deployments_cost_rollup_insert" BEFORE INSERT ON "inference_deployments"
  FOR EACH ROW WHEN (NEW."costRolledTo" IS NOT NULL) EXECUTE FUNCTION burnrate_cost_rollup_unrolled_insert();
