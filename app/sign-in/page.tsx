import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getOptionalViewer, hasOrganization, safeNextPath } from "@/lib/access/current-viewer";
import { ORG_ROLE_LABELS, TEAM_ROLE_LABELS } from "@/lib/access/policy";
import { demoSignInAction, oidcSignInAction, signInAction } from "@/lib/actions/auth";
import { oidcSettings } from "@/lib/auth/server";
import { db } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { DEMO_USER_EMAILS } from "@/lib/seed/demo-data";
import { AuthShell } from "@/components/auth/auth-shell";
import { ButtonForm, SignInForm } from "@/components/auth/auth-forms";

export const metadata: Metadata = { title: "Sign in" };

/** A repeated parameter (better-auth appends `error=` to our `?error=sso`) counts by its first value. */
const first = (value: unknown) => (Array.isArray(value) ? value[0] : value);
const paramsSchema = z.object({
  next: z.preprocess(first, z.string().max(2000).optional()).catch(undefined),
  signedOut: z.preprocess(first, z.enum(["1", "all"]).optional()).catch(undefined),
  error: z.preprocess(first, z.string().max(100).optional()).catch(undefined),
});

/** The seeded demo users, one per role — only with the embedded demo database (npm start sets BURNRATE_DEMO_SIGN_IN=on). */
async function demoUsers() {
  if (serverEnv().BURNRATE_DEMO_SIGN_IN !== "on") return [];
  const users = await db().user.findMany({
    // The seeded demo users only (people invited later in a demo org have their own passwords).
    where: { org: { isDemo: true }, email: { in: [...DEMO_USER_EMAILS] } },
    orderBy: { id: "asc" },
    select: { email: true, name: true, role: true, memberships: { select: { role: true, team: { select: { name: true } } }, orderBy: { teamId: "asc" } } },
  });
  return users.map((u) => ({
    email: u.email,
    name: u.name,
    description:
      u.role === "MEMBER"
        ? u.memberships.map((m) => `${TEAM_ROLE_LABELS[m.role]} of ${m.team.name}`).join(", ") || "Member, no teams"
        : `Org ${ORG_ROLE_LABELS[u.role].toLowerCase()} · every team`,
  }));
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = paramsSchema.parse(await searchParams);
  const next = safeNextPath(params.next);
  if (await getOptionalViewer()) redirect((next ?? "/") as never);
  if (!(await hasOrganization())) redirect("/setup");
  const [demo, oidc] = [await demoUsers(), oidcSettings()];
  const notice =
    params.signedOut === "all"
      ? "You are signed out on every device."
      : params.signedOut === "1"
        ? "You are signed out."
        : params.error
          ? "Single sign-on didn't complete: your account may not be invited yet. Ask an admin for an invitation, or sign in with your password."
          : next
            ? "Sign in to continue."
            : null;
  return (
    <AuthShell title="Sign in to Burnrate">
      {notice ? (
        <p role="status" className="mb-3 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          {notice}
        </p>
      ) : null}
      <SignInForm action={signInAction} next={next} />
      {oidc ? (
        <div className="mt-3">
          <ButtonForm action={oidcSignInAction.bind(null, next)} label={`Sign in with ${oidc.name}`} pendingLabel="Redirecting…">
            single sign-on
          </ButtonForm>
        </div>
      ) : null}
      {demo.length ? (
        <section aria-labelledby="demo-users" className="mt-6 border-t border-slate-200 pt-4">
          <h2 id="demo-users" className="text-sm font-semibold text-slate-800">
            Demo users
          </h2>
          <p className="mb-2 text-xs text-slate-500">This is the demo database. Sign in as any role with one click to see what it may do.</p>
          <ul className="space-y-1.5">
            {demo.map((user) => (
              <li key={user.email}>
                <ButtonForm action={demoSignInAction.bind(null, user.email, next)} label={`Sign in as ${user.name}`} pendingLabel={`Signing in as ${user.name}…`}>
                  {user.description}
                </ButtonForm>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </AuthShell>
  );
}
