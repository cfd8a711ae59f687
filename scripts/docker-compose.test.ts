import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";

// No Docker engine runs on the CI machines, so the compose file is checked by
// structure: what `docker compose up` needs to run the production shape.
const root = path.resolve(import.meta.dirname, "..");

const healthcheck = z.object({ test: z.array(z.string()).min(2), interval: z.string(), retries: z.number().int().positive() });
const composeSchema = z.object({
  services: z.object({
    postgres: z.object({
      image: z.string().regex(/^postgres:\d+/),
      environment: z.object({ POSTGRES_USER: z.string(), POSTGRES_PASSWORD: z.string(), POSTGRES_DB: z.string() }),
      volumes: z.array(z.string()).min(1),
      healthcheck,
    }),
    app: z.object({
      build: z.union([z.string(), z.object({ context: z.string() })]),
      depends_on: z.object({ postgres: z.object({ condition: z.literal("service_healthy") }) }),
      environment: z.object({ DATABASE_URL: z.string(), PORT: z.string() }),
      ports: z.array(z.string()).min(1),
      healthcheck,
    }),
  }),
  volumes: z.record(z.string(), z.unknown().nullable()),
});

describe("docker-compose.yml", () => {
  const compose = composeSchema.parse(parse(readFileSync(path.join(root, "docker-compose.yml"), "utf8")));

  it("keeps PostgreSQL's data in a named volume", () => {
    const [volumeName] = compose.services.postgres.volumes[0]!.split(":");
    expect(Object.keys(compose.volumes)).toContain(volumeName);
  });

  it("points the app at the postgres service with the same credentials", () => {
    const url = new URL(compose.services.app.environment.DATABASE_URL.replace(/\$\{POSTGRES_PASSWORD:-([^}]*)\}/, "$1"));
    const pgEnv = compose.services.postgres.environment;
    expect(url.hostname).toBe("postgres");
    expect(url.username).toBe(pgEnv.POSTGRES_USER);
    expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
    expect(compose.services.postgres.healthcheck.test.join(" ")).toContain("pg_isready");
  });

  it("builds the app from a Dockerfile that runs npm start on the app port", () => {
    const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/CMD \["npm", "start"\]/);
    expect(compose.services.app.ports).toContain(`${compose.services.app.environment.PORT}:3000`);
  });
});
