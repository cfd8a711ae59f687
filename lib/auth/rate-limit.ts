import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Sign-in attempts, limited per account (email) and per client IP. Failures
 * count against both; a success clears the account's count. In memory: one
 * server process holds them (a restart forgets them, which only helps a
 * person locked out by mistake).
 */
export const SIGN_IN_LIMITS = {
  /** Failed attempts per email within the window. */
  perAccount: { points: 5, duration: 15 * 60 },
  /** Attempts (any outcome) per IP within the window. */
  perIp: { points: 20, duration: 5 * 60 },
} as const;

const globalForLimits = globalThis as unknown as { burnrateSignInLimits?: { account: RateLimiterMemory; ip: RateLimiterMemory } };

function limiters() {
  globalForLimits.burnrateSignInLimits ??= {
    account: new RateLimiterMemory({ keyPrefix: "sign-in-account", ...SIGN_IN_LIMITS.perAccount }),
    ip: new RateLimiterMemory({ keyPrefix: "sign-in-ip", ...SIGN_IN_LIMITS.perIp }),
  };
  return globalForLimits.burnrateSignInLimits;
}

export type LimitCheck = { ok: true } | { ok: false; retryAfterSeconds: number; scope: "account" | "ip" };

function refused(error: unknown, scope: "account" | "ip"): LimitCheck {
  if (error instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)), scope };
  throw error;
}

/** Before an attempt: counts it against the IP; refuses when the IP or the account is over its limit. */
export async function checkSignInAttempt(email: string, ip: string): Promise<LimitCheck> {
  const { account, ip: perIp } = limiters();
  const accountState = await account.get(email);
  if (accountState && accountState.consumedPoints >= SIGN_IN_LIMITS.perAccount.points) {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(accountState.msBeforeNext / 1000)), scope: "account" };
  }
  try {
    await perIp.consume(ip);
  } catch (error) {
    return refused(error, "ip");
  }
  return { ok: true };
}

/** After a failed attempt: counts it against the account. */
export async function recordSignInFailure(email: string): Promise<void> {
  try {
    await limiters().account.consume(email);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
  }
}

/** After a successful sign-in: the account's failures are forgiven. */
export async function recordSignInSuccess(email: string): Promise<void> {
  await limiters().account.delete(email);
}

export function retryMessage(check: Extract<LimitCheck, { ok: false }>): string {
  const minutes = Math.ceil(check.retryAfterSeconds / 60);
  const wait = check.retryAfterSeconds < 90 ? `${check.retryAfterSeconds} seconds` : `${minutes} minutes`;
  return check.scope === "account"
    ? `Too many failed sign-ins for this account. Try again in ${wait}.`
    : `Too many sign-in attempts from your network. Try again in ${wait}.`;
}
