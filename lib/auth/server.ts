import "server-only";
import { randomBytes } from "node:crypto";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { serverOriginPolicy } from "@/lib/access/request-origin-guard";
import { db } from "@/lib/db/client";
import { publicUrl, serverEnv } from "@/lib/env";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/validation/auth";

/** The OIDC provider's id in URLs (/api/auth/callback/oidc) and account rows. */
export const OIDC_PROVIDER_ID = "oidc";

export interface OidcSettings {
  name: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
}

/** OIDC sign-in when BURNRATE_OIDC_* are set (issuer or discovery URL, client id and secret), else null. */
export function oidcSettings(): OidcSettings | null {
  const env = serverEnv();
  const discoveryUrl =
    env.BURNRATE_OIDC_DISCOVERY_URL ?? (env.BURNRATE_OIDC_ISSUER ? `${env.BURNRATE_OIDC_ISSUER.replace(/\/+$/, "")}/.well-known/openid-configuration` : undefined);
  if (!discoveryUrl || !env.BURNRATE_OIDC_CLIENT_ID || !env.BURNRATE_OIDC_CLIENT_SECRET) return null;
  return { name: env.BURNRATE_OIDC_NAME, discoveryUrl, clientId: env.BURNRATE_OIDC_CLIENT_ID, clientSecret: env.BURNRATE_OIDC_CLIENT_SECRET };
}

/** The session-signing key: BURNRATE_AUTH_SECRET, else one generated on first use and kept in the database. */
async function authSecret(): Promise<string> {
  const fromEnv = serverEnv().BURNRATE_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const client = db();
  await client.instanceSecret.createMany({ data: [{ key: "auth", value: randomBytes(32).toString("base64url") }], skipDuplicates: true });
  const row = await client.instanceSecret.findUniqueOrThrow({ where: { key: "auth" } });
  return row.value;
}

function createAuth(secret: string) {
  const env = serverEnv();
  const url = publicUrl();
  const oidc = oidcSettings();
  return betterAuth({
    appName: "Burnrate",
    baseURL: url.origin,
    basePath: "/api/auth",
    secret,
    database: prismaAdapter(db(), { provider: "postgresql" }),
    trustedOrigins: [...serverOriginPolicy().origins],
    telemetry: { enabled: false },
    // People are created by first-run setup and invitations (lib/db/mutations/people.ts), never by sign-up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: PASSWORD_MIN, maxPasswordLength: PASSWORD_MAX },
    session: {
      // The row's expiresAt is the idle deadline; lib/auth/session.ts slides it and enforces the absolute limit.
      expiresIn: env.BURNRATE_SESSION_IDLE_MINUTES * 60,
      disableSessionRefresh: true,
      cookieCache: { enabled: false },
    },
    account: {
      // An SSO sign-in attaches to the invited person with the same (verified) email.
      accountLinking: { enabled: true, trustedProviders: [OIDC_PROVIDER_ID] },
    },
    // Sign-in is rate limited per account and per IP in lib/auth/rate-limit.ts (our server actions); the few
    // HTTP endpoints mounted (the OIDC callback) get better-auth's own per-IP limit as well.
    rateLimit: { enabled: true, window: 60, max: 60, storage: "memory" },
    advanced: {
      cookiePrefix: "burnrate",
      useSecureCookies: url.protocol === "https:",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      database: { generateId: "serial" },
    },
    plugins: [
      ...(oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: OIDC_PROVIDER_ID,
                  name: oidc.name,
                  discoveryUrl: oidc.discoveryUrl,
                  clientId: oidc.clientId,
                  clientSecret: oidc.clientSecret,
                  scopes: ["openid", "email", "profile"],
                  pkce: true,
                  // Only invited people (who already have a user row) may sign in with SSO.
                  disableImplicitSignUp: true,
                },
              ],
            }),
          ]
        : []),
      // Last, so cookies set by auth.api calls inside server actions reach the browser.
      nextCookies(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { burnrateAuth?: Promise<Auth> };

/** The better-auth instance (one per server process). */
export function getAuth(): Promise<Auth> {
  globalForAuth.burnrateAuth ??= authSecret().then(createAuth, (error: unknown) => {
    globalForAuth.burnrateAuth = undefined;
    throw error;
  });
  return globalForAuth.burnrateAuth;
}

/** The session cookie's name (the `__Secure-` prefix over HTTPS). */
export function sessionCookieName(): string {
  return `${publicUrl().protocol === "https:" ? "__Secure-" : ""}burnrate.session_token`;
}
