-- CreateTable
CREATE TABLE "prometheus_sources" (
    "orgId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "lastScrapedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastText" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prometheus_sources_pkey" PRIMARY KEY ("orgId","name")
);
