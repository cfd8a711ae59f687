-- CreateTable
CREATE TABLE "data_version" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "data_version_pkey" PRIMARY KEY ("id")
);

INSERT INTO "data_version" ("id", "version") VALUES (1, 0);

-- Bumped once per committing transaction that changed any table pages read,
-- at commit time (deferred), so the row is locked only while committing and a
-- reader that sees the new version also sees the new data.
CREATE FUNCTION burnrate_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('burnrate.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
    PERFORM set_config('burnrate.data_version_bumped', 'yes', true);
    UPDATE "data_version" SET "version" = "version" + 1 WHERE "id" = 1;
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER "orgs_data_version" AFTER INSERT OR UPDATE OR DELETE ON "orgs" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "users_data_version" AFTER INSERT OR UPDATE OR DELETE ON "users" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "team_memberships_data_version" AFTER INSERT OR UPDATE OR DELETE ON "team_memberships" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "teams_data_version" AFTER INSERT OR UPDATE OR DELETE ON "teams" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "gpu_types_data_version" AFTER INSERT OR UPDATE OR DELETE ON "gpu_types" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "gpu_prices_data_version" AFTER INSERT OR UPDATE OR DELETE ON "gpu_prices" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "training_runs_data_version" AFTER INSERT OR UPDATE OR DELETE ON "training_runs" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "inference_deployments_data_version" AFTER INSERT OR UPDATE OR DELETE ON "inference_deployments" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
-- Raw usage windows carry no trigger (they are to move to ClickHouse, ARCHITECTURE.md "Past one machine"); every change
-- to them rewrites their 15-minute rollup rows in the same transaction, which bump the version instead.
CREATE CONSTRAINT TRIGGER "usage_rollup_quarter_data_version" AFTER INSERT OR UPDATE OR DELETE ON "usage_rollup_quarter" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "month_closures_data_version" AFTER INSERT OR UPDATE OR DELETE ON "month_closures" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "suggestion_states_data_version" AFTER INSERT OR UPDATE OR DELETE ON "suggestion_states" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "budget_alerts_data_version" AFTER INSERT OR UPDATE OR DELETE ON "budget_alerts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "audit_entries_data_version" AFTER INSERT OR UPDATE OR DELETE ON "audit_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
CREATE CONSTRAINT TRIGGER "deleted_records_data_version" AFTER INSERT OR UPDATE OR DELETE ON "deleted_records" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version();
