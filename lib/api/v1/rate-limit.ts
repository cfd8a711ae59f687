import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Per-credential request limits of API v1 (an API key, or a person's
 * session), in memory in the one server process — a restart forgets them.
 * Writes and reads are counted apart: a gateway sending usage doesn't starve
 * the dashboards' scripts of the same team. A refusal says when to retry
 * (429 + Retry-After).
 */
export const API_RATE_LIMITS = {
  /** Write requests per second per credential (a usage batch holds up to 10,000 windows). */
  write: { points: 100, duration: 1 },
  /** Read requests per second per credential (reports and exports are heavier). */
  read: { points: 20, duration: 1 },
} as const;

export type RateClass = keyof typeof API_RATE_LIMITS;

const globalForLimits = globalThis as unknown as { burnrateApiLimits?: Record<RateClass, RateLimiterMemory> };

function limiters(): Record<RateClass, RateLimiterMemory> {
  globalForLimits.burnrateApiLimits ??= {
    write: new RateLimiterMemory({ keyPrefix: "api-write", ...API_RATE_LIMITS.write }),
    read: new RateLimiterMemory({ keyPrefix: "api-read", ...API_RATE_LIMITS.read }),
  };
  return globalForLimits.burnrateApiLimits;
}

export type RateCheck = { ok: true } | { ok: false; retryAfterSeconds: number; limit: number; perSeconds: number };

/** Counts one request of `principal` ("key:12", "user:3"); refuses it when over the limit. */
export async function consumeApiRequest(principal: string, rateClass: RateClass, limiter: RateLimiterMemory = limiters()[rateClass]): Promise<RateCheck> {
  try {
    await limiter.consume(principal);
    return { ok: true };
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)), limit: limiter.points, perSeconds: limiter.duration };
    }
    throw error;
  }
}
