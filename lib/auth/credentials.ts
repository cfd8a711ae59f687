import "server-only";
import { hashPassword } from "better-auth/crypto";
import type { Prisma } from "@/lib/db/generated/client";

/**
 * The credential account row for a new person (better-auth's format: providerId
 * "credential", accountId = user id, scrypt hash by better-auth's own hasher),
 * to create in the same transaction as the user.
 */
export async function credentialAccount(userId: number, password: string): Promise<Prisma.AccountUncheckedCreateInput> {
  return { userId, accountId: String(userId), providerId: "credential", password: await hashPassword(password) };
}
