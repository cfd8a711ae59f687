import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API key tokens: `brk_<8 hex>_<43 base64url>`. The first part ("brk_3f9a1c2e",
 * 4 random bytes) is the key's visible prefix: stored in clear, unique, shown
 * in lists and the audit log, and used to find the key. The rest is 32 random
 * bytes. Only the SHA-256 of the whole token is stored; a fast hash is right
 * for 256 random bits (nothing to brute-force, unlike a password).
 */

const PREFIX_PATTERN = /^brk_[0-9a-f]{8}$/;
const TOKEN_PATTERN = /^(brk_[0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKeyToken {
  /** The whole token: shown once, never stored. */
  token: string;
  prefix: string;
  secretHash: string;
}

export function hashApiKeyToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateApiKeyToken(): NewApiKeyToken {
  const prefix = `brk_${randomBytes(4).toString("hex")}`;
  const token = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, prefix, secretHash: hashApiKeyToken(token) };
}

/** The prefix of a well-formed token, or null (then no key is looked up at all). */
export function apiKeyTokenPrefix(token: string): string | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? match[1]! : null;
}

export function isApiKeyPrefix(value: string): boolean {
  return PREFIX_PATTERN.test(value);
}

/** Constant-time comparison of a presented token with a stored hash. */
export function apiKeyTokenMatches(token: string, secretHash: string): boolean {
  const presented = Buffer.from(hashApiKeyToken(token), "hex");
  const stored = Buffer.from(secretHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
