-- Data versions per kind of data (schema.prisma DataVersion): 1 records, 2 usage, 3 the audit log. Usage ingest (the API,
-- Prometheus) writes usage rollups and audit entries only, so read models that read neither — costs, runs, budgets, the
-- catalog — stay cached while windows stream in (lib/cache/read-cache.ts).
INSERT INTO "data_version" ("id", "version") VALUES (2, 0), (3, 0) ON CONFLICT ("id") DO NOTHING;

-- Bumps the version named by the trigger's argument (default 1), once per transaction and version, at commit.
CREATE OR REPLACE FUNCTION burnrate_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  domain int := coalesce(TG_ARGV[0], '1')::int;
  flag text := 'burnrate.data_version_bumped_' || domain;
BEGIN
  IF current_setting(flag, true) IS DISTINCT FROM 'yes' THEN
    PERFORM set_config(flag, 'yes', true);
    UPDATE "data_version" SET "version" = "version" + 1 WHERE "id" = domain;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER "usage_rollup_quarter_data_version" ON "usage_rollup_quarter";
CREATE CONSTRAINT TRIGGER "usage_rollup_quarter_data_version" AFTER INSERT OR UPDATE OR DELETE ON "usage_rollup_quarter" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version('2');
DROP TRIGGER "audit_entries_data_version" ON "audit_entries";
CREATE CONSTRAINT TRIGGER "audit_entries_data_version" AFTER INSERT OR UPDATE OR DELETE ON "audit_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION burnrate_bump_data_version('3');
