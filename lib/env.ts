import { z } from "zod";

/** The environment the app server needs, validated once at first use. */
const serverEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set — start the app with `npm start`, which provides one" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://"),
  /** Signs session cookies. Unset: a random key is generated once and kept in the database (instance_secrets). */
  BURNRATE_AUTH_SECRET: z.string().min(32, "BURNRATE_AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  /** A session ends after this many minutes without a request (default 8 hours). */
  BURNRATE_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(8 * 60),
  /** A session ends this many hours after sign-in, however active (default 7 days). */
  BURNRATE_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(7 * 24),
  /** Set by `npm start` when it runs the embedded demo database: the sign-in page may offer the demo users. */
  BURNRATE_DEMO_SIGN_IN: z.enum(["on", "off"]).default("off"),
  /** Optional OIDC single sign-on: all of issuer (or discovery URL), client id and client secret. */
  BURNRATE_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "BURNRATE_OIDC_ISSUER must be an http(s) URL" }).optional(),
  BURNRATE_OIDC_DISCOVERY_URL: z.url({ protocol: /^https?$/, error: "BURNRATE_OIDC_DISCOVERY_URL must be an http(s) URL" }).optional(),
  BURNRATE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  BURNRATE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The button's label, e.g. "Okta" (default "SSO"). */
  BURNRATE_OIDC_NAME: z.string().trim().min(1).max(40).default("SSO"),
  /** The background cost roller (lib/db/cost-roller.ts); "off" leaves rolling to writes (figures stay right, reads slower). */
  BURNRATE_COST_ROLLER: z.enum(["on", "off"], { error: 'BURNRATE_COST_ROLLER must be "on" or "off"' }).default("on"),
  /** The page cache (lib/cache/page-cache.ts); "off" renders every dashboard request (figures are the same, pages cost more CPU). */
  BURNRATE_PAGE_CACHE: z.enum(["on", "off"], { error: 'BURNRATE_PAGE_CACHE must be "on" or "off"' }).default("on"),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (cached) return cached;
  // Empty variables count as unset (docker-compose passes `VAR=` through).
  const parsed = serverEnvSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")));
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
