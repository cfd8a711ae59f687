-- AlterTable
ALTER TABLE "training_runs" ADD COLUMN     "costRolledCents" BIGINT,
ADD COLUMN     "costRolledMicros" BIGINT;
