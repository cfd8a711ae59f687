import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { getOptionalViewer } from "@/lib/access/current-viewer";
import { canAnyTeam, ORG_ROLE_LABELS, seesAllTeams, TEAM_ROLE_LABELS } from "@/lib/access/policy";
import { visibleTeamNames } from "@/lib/db/queries/viewer-teams";
import { MainNav } from "@/components/layout/main-nav";
import { UserMenu } from "@/components/layout/user-menu";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Burnrate", template: "%s · Burnrate" },
  description: "What your GPU training and LLM inference cost, and what you get for it.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await getOptionalViewer();
  if (!viewer) {
    // Signed out: sign-in, first-run setup and invitation pages, without navigation.
    return (
      <html lang="en">
        <body>
          <main id="main" className="min-w-0 px-4 py-5">
            {children}
          </main>
        </body>
      </html>
    );
  }
  const teamNames = await visibleTeamNames(viewer);
  const roleLine = seesAllTeams(viewer)
    ? `Org ${ORG_ROLE_LABELS[viewer.role].toLowerCase()}`
    : [...viewer.teamRoles].map(([teamId, role]) => `${TEAM_ROLE_LABELS[role]} · ${teamNames.get(teamId) ?? `team ${teamId}`}`).join(", ") || "Member, no teams yet";
  return (
    <html lang="en">
      <body>
        <a href="#main" data-print="hide" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        {/* A top bar below 1536 px, where a sidebar would take the width that wide tables need; a sidebar above. */}
        <div className="2xl:flex 2xl:min-h-screen">
          <aside data-print="hide" className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-200 bg-white px-3 py-2 2xl:block 2xl:w-52 2xl:shrink-0 2xl:border-b-0 2xl:border-r 2xl:py-3">
            <Link href="/" className="flex items-center gap-2 px-3 py-1.5 text-base font-semibold tracking-tight 2xl:mb-3 2xl:py-0">
              <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm bg-orange-500" />
              Burnrate
            </Link>
            <MainNav canImport={canAnyTeam(viewer, "team:write")} />
            <UserMenu viewer={viewer} roleLine={roleLine} />
          </aside>
          <main id="main" className="min-w-0 flex-1 px-4 py-5 md:px-8">
            {children}
          </main>
        </div>
      </body>
    </html>
  );
}
