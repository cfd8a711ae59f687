-- CreateTable
CREATE TABLE "rollup_format" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL,

    CONSTRAINT "rollup_format_pkey" PRIMARY KEY ("id")
);
