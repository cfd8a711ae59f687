// Runs `prisma generate` offline. The Prisma 7 CLI wants a native schema-engine
// binary before any command, and downloads it from Prisma's servers; generate
// never runs it, so a placeholder executable is enough.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `npm ci --dry-run` runs lifecycle scripts too, with nothing installed:
// generating then would only fail on the missing CLI, so a dry run skips it.
if (process.env.npm_config_dry_run === "true") process.exit(0);

const dir = join(tmpdir(), "burnrate-prisma");
mkdirSync(dir, { recursive: true });
const placeholder = join(dir, "schema-engine-placeholder");
writeFileSync(placeholder, "#!/bin/sh\necho 'schema-engine placeholder: use npm run db:migrate' >&2\nexit 1\n");
chmodSync(placeholder, 0o755);

const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--no-hints"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
