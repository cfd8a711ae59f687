-- CreateIndex
CREATE INDEX "training_runs_teamId_model_idx" ON "training_runs"("teamId", "model");
