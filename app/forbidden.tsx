import { Forbidden } from "@/components/ui/forbidden";

/** A page refused by lib/access/policy.ts with kind "forbidden" (status 403; see app/_access/denied.tsx). */
export default function ForbiddenPage() {
  return <Forbidden message="Your role doesn't allow this page: changing records takes an editor role on the team, and settings an org admin." />;
}
