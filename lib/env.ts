import { z } from "zod";

/** The environment the app server needs, validated once at first use. */
const serverEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set — start the app with `npm start`, which provides one" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://"),
  BURNRATE_ORG: z.string().trim().min(1).default("demo"),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (cached) return cached;
  const parsed = serverEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment: ${issue.path.join(".")}: ${issue.message}`);
  }
  cached = parsed.data;
  return cached;
}

/**
 * Where people reach Burnrate (BURNRATE_PUBLIC_URL, e.g. https://burnrate.example.com),
 * which state-changing requests must come from. Defaults to http://localhost:PORT
 * (PORT defaults to 3000); a localhost URL also admits 127.0.0.1 and [::1] on that port.
 * Read on its own (no DATABASE_URL needed), so the proxy and next.config can use it.
 */
const publicUrlEnvSchema = z.object({
  PORT: z.coerce.number({ error: "PORT must be a whole number from 1 to 65535" }).int().min(1).max(65535).default(3000),
  BURNRATE_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "BURNRATE_PUBLIC_URL must be an http:// or https:// URL, e.g. https://burnrate.example.com" })
    .optional(),
});

export function publicUrlFrom(env: Record<string, string | undefined>): URL {
  const parsed = publicUrlEnvSchema.safeParse({ PORT: env.PORT || undefined, BURNRATE_PUBLIC_URL: env.BURNRATE_PUBLIC_URL || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment: ${issue.path.join(".")}: ${issue.message}`);
  }
  return new URL(parsed.data.BURNRATE_PUBLIC_URL ?? `http://localhost:${parsed.data.PORT}`);
}

let cachedPublicUrl: URL | undefined;

/** The public URL of this server (see publicUrlFrom), validated once. */
export function publicUrl(): URL {
  cachedPublicUrl ??= publicUrlFrom(process.env);
  return cachedPublicUrl;
}
