-- A price period is [effectiveFrom, effectiveTo). Two periods for the same GPU
-- type, provider and pricing model must never overlap: overlapping periods
-- would make "the price in effect" ambiguous and could reprice past work.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE "gpu_prices"
  ADD CONSTRAINT "gpu_prices_period_valid" CHECK ("effectiveTo" IS NULL OR "effectiveTo" > "effectiveFrom");

ALTER TABLE "gpu_prices"
  ADD CONSTRAINT "gpu_prices_no_overlap" EXCLUDE USING gist (
    "gpuTypeId" WITH =,
    "provider" WITH =,
    "pricingModel" WITH =,
    tstzrange("effectiveFrom", "effectiveTo", '[)') WITH &&
  );
