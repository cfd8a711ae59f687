import type { Metadata } from "next";
import { connection } from "next/server";
import { redirect } from "next/navigation";
import { hasOrganization } from "@/lib/access/current-viewer";
import { setupAction } from "@/lib/actions/auth";
import { timeZoneNames } from "@/lib/domain/time-zones";
import { AuthShell } from "@/components/auth/auth-shell";
import { SetupForm } from "@/components/auth/auth-forms";

export const metadata: Metadata = { title: "Set up Burnrate" };

/** First run on an empty database: the organization and its first owner. Gone once an organization exists. */
export default async function SetupPage() {
  await connection();
  if (await hasOrganization()) redirect("/sign-in");
  return (
    <AuthShell title="Set up Burnrate" description="This database is empty. Name your organization and create the first owner's account; you can invite everyone else afterwards.">
      <SetupForm action={setupAction} zones={timeZoneNames()} defaultZone="UTC" />
    </AuthShell>
  );
}
