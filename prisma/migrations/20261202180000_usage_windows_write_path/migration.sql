-- The raw usage table takes every window the API, the CSV import and the
-- Prometheus import write, 1,000 or more a batch. Two of its per-row costs
-- bought nothing the write path doesn't already guarantee:
--
-- 1. The foreign key to inference_deployments checked each inserted window
--    on its own (a lookup and a row lock per window, ~4 ms a batch of 1,000).
--    Every writer now locks the batch's deployments once (`for key share`, in
--    lib/db/mutations/usage-rollups.ts) and refuses windows of a deployment
--    that is gone, with the same SQLSTATE (23503) the key gave; a delete of a
--    deployment waits for those locks. The cascade becomes the trigger below,
--    so deleting a deployment (or its team) still deletes its windows.
--    ClickHouse, the scale-out target for this table, has no foreign keys
--    either (ARCHITECTURE.md).
--    The same goes for usage_rollup_quarter's key (a batch adds ~300 rows
--    there, ~3 ms of checks): the trigger deletes those rows too.
-- 2. The index on "windowStart" alone: every read of raw windows is one
--    deployment's key range (the primary key), and retention would delete
--    per deployment by the same key.
ALTER TABLE "inference_usage_windows" DROP CONSTRAINT "inference_usage_windows_deploymentId_fkey";
ALTER TABLE "usage_rollup_quarter" DROP CONSTRAINT "usage_rollup_quarter_deploymentId_fkey";
DROP INDEX "inference_usage_windows_windowStart_idx";

CREATE FUNCTION burnrate_delete_deployment_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM inference_usage_windows WHERE "deploymentId" = OLD.id;
  DELETE FROM usage_rollup_quarter WHERE "deploymentId" = OLD.id;
  RETURN OLD;
END
$$;

CREATE TRIGGER inference_deployments_delete_usage
  AFTER DELETE ON inference_deployments
  FOR EACH ROW EXECUTE FUNCTION burnrate_delete_deployment_usage();
