"use server";

import { headers } from "next/headers";
import type { Route } from "next";
import { redirect } from "next/navigation";
import { hasOrganization, safeNextPath } from "@/lib/access/current-viewer";
import { refuseCrossSiteAction } from "@/lib/access/request-origin-guard";
import { clientIp } from "@/lib/auth/client-ip";
import { checkSignInAttempt, recordSignInFailure, recordSignInSuccess, retryMessage } from "@/lib/auth/rate-limit";
import { getAuth, OIDC_PROVIDER_ID, oidcSettings } from "@/lib/auth/server";
import { sessionFromHeaders } from "@/lib/auth/session";
import { startSession } from "@/lib/auth/sign-in";
import { db } from "@/lib/db/client";
import { createFirstOrganization } from "@/lib/db/mutations/first-run";
import { serverEnv } from "@/lib/env";
import { DEMO_PASSWORD, DEMO_USER_EMAILS } from "@/lib/seed/demo-data";
import { setupSchema, signInSchema } from "@/lib/validation/auth";
import { FORM_ERRORS_KEY, fieldErrors, type FieldErrors } from "@/lib/validation/entities/field-errors";

/** A refused form keeps what was typed (never the password): React resets the form after an action. */
export type AuthFormState = { status: "idle" } | { status: "invalid"; fieldErrors: FieldErrors; values?: Record<string, string> };

const formError = (message: string, values?: Record<string, string>): AuthFormState => ({ status: "invalid", fieldErrors: { [FORM_ERRORS_KEY]: [message] }, values });

/** The text fields of a form, without passwords, to put back after a refusal. */
function typedValues(formData: FormData, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, String(formData.get(name) ?? "").slice(0, 300)]));
}

const WRONG_CREDENTIALS = "That email and password don't match an account.";

/** Email and password sign-in, rate-limited per account and per IP. */
export async function signInAction(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  const parsed = signInSchema.safeParse({ email: formData.get("email"), password: formData.get("password"), next: formData.get("next") ?? undefined });
  const values = typedValues(formData, ["email"]);
  if (!parsed.success) return { status: "invalid", fieldErrors: fieldErrors(parsed), values };
  const { email, password, next } = parsed.data;
  const requestHeaders = await headers();
  const limit = await checkSignInAttempt(email, clientIp((name) => requestHeaders.get(name)));
  if (!limit.ok) return formError(retryMessage(limit), values);
  if (!(await startSession(email, password))) {
    await recordSignInFailure(email);
    return formError(WRONG_CREDENTIALS, values);
  }
  await recordSignInSuccess(email);
  redirect((safeNextPath(next) ?? "/") as Route);
}

/** One-click sign-in as a seeded demo user: only on the embedded demo database (BURNRATE_DEMO_SIGN_IN=on, set by npm start). */
export async function demoSignInAction(email: string, next: string | null, _previous: AuthFormState, _formData: FormData): Promise<AuthFormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  if (serverEnv().BURNRATE_DEMO_SIGN_IN !== "on") return formError("Demo sign-in is off on this server.");
  const user = typeof email === "string" ? await db().user.findFirst({ where: { email: { in: [...DEMO_USER_EMAILS].filter((e) => e === email.toLowerCase()) }, org: { isDemo: true } }, select: { email: true } }) : null;
  if (!user) return formError("No such demo user.");
  if (!(await startSession(user.email, DEMO_PASSWORD))) return formError("That demo user's password was changed: sign in with the form.");
  redirect((safeNextPath(next) ?? "/") as Route);
}

/** SSO: off to the OIDC provider; it returns to /api/auth/callback/oidc, then to `next`. */
export async function oidcSignInAction(next: string | null, _previous: AuthFormState, _formData: FormData): Promise<AuthFormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  if (!oidcSettings()) return formError("Single sign-on is not configured on this server.");
  const auth = await getAuth();
  let url: string | undefined;
  try {
    const result = await auth.api.signInSocial({
      body: { provider: OIDC_PROVIDER_ID, callbackURL: safeNextPath(next) ?? "/", errorCallbackURL: "/sign-in?error=sso", disableRedirect: true },
      headers: await headers(),
    });
    url = result.url;
  } catch {
    return formError("The single sign-on provider could not be reached. Try again, or sign in with your password.");
  }
  if (!url) return formError("The single sign-on provider could not be reached. Try again, or sign in with your password.");
  redirect(url as never);
}

/** Ends this session. */
export async function signOutAction(): Promise<void> {
  const refused = await refuseCrossSiteAction();
  if (refused) return;
  const auth = await getAuth();
  await auth.api.signOut({ headers: await headers() }).catch(() => undefined);
  redirect("/sign-in?signedOut=1");
}

/** Ends every session of the signed-in person, on every device. */
export async function signOutEverywhereAction(): Promise<void> {
  const refused = await refuseCrossSiteAction();
  if (refused) return;
  const session = await sessionFromHeaders(await headers());
  if (session) await db().session.deleteMany({ where: { userId: session.userId } });
  const auth = await getAuth();
  await auth.api.signOut({ headers: await headers() }).catch(() => undefined);
  redirect("/sign-in?signedOut=all");
}

/** First run: creates the organization and its owner, then signs the owner in. Refused once any organization exists. */
export async function setupAction(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const refused = await refuseCrossSiteAction();
  if (refused) return refused;
  if (await hasOrganization()) return formError("Burnrate is already set up: sign in instead.");
  const parsed = setupSchema.safeParse(Object.fromEntries(["orgName", "timeZone", "name", "email", "password", "confirmPassword"].map((k) => [k, formData.get(k) ?? undefined])));
  if (!parsed.success) return { status: "invalid", fieldErrors: fieldErrors(parsed), values: typedValues(formData, ["orgName", "timeZone", "name", "email"]) };
  const created = await createFirstOrganization(db(), parsed.data);
  if (!created.ok) return formError("Burnrate is already set up: sign in instead.");
  if (!(await startSession(parsed.data.email, parsed.data.password))) return formError("Your organization was created, but signing in failed: sign in with your new password.");
  redirect("/settings?notice=welcome");
}
