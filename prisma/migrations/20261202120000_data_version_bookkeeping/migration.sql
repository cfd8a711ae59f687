-- The cost rollups' bookkeeping on runs and deployments — how far each item's cost is rolled (costRolledTo) and a
-- rolled run's lifetime total (costRolledCents, costRolledMicros) — changes no figure: the ledger answers the same with
-- or without it (cost-rollups.int). An update that changes only those columns therefore bumps no data version; the
-- background roller moves serving deployments' watermarks forward every few hours, and each move evicted every cached
-- cost, budget and report (lib/cache/read-cache.ts).
CREATE OR REPLACE FUNCTION burnrate_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  domain int := coalesce(TG_ARGV[0], '1')::int;
  flag text := 'burnrate.data_version_bumped_' || domain;
BEGIN
  IF current_setting(flag, true) IS DISTINCT FROM 'yes' THEN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME IN ('training_runs', 'inference_deployments')
      AND to_jsonb(OLD) - ARRAY['costRolledTo', 'costRolledCents', 'costRolledMicros'] = to_jsonb(NEW) - ARRAY['costRolledTo', 'costRolledCents', 'costRolledMicros'] THEN
      RETURN NULL;
    END IF;
    PERFORM set_config(flag, 'yes', true);
    UPDATE "data_version" SET "version" = "version" + 1 WHERE "id" = domain;
  END IF;
  RETURN NULL;
END $$;
