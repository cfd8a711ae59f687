import { z } from "zod";

/**
 * People and invitations: what the invite form, the role selects and the
 * invitation link carry. Values arrive as form strings; each schema parses
 * them into what the mutations in lib/db/mutations/people.ts take.
 */

export const ORG_ROLE_VALUES = ["OWNER", "ADMIN", "MEMBER"] as const;
export const TEAM_ROLE_VALUES = ["VIEWER", "EDITOR", "ADMIN"] as const;

export const INVITATION_DAYS_MIN = 1;
export const INVITATION_DAYS_MAX = 30;
export const INVITATION_DAYS_DEFAULT = 7;

/** A team role field's name in the invite form: `team.<id>` (blank: no role on that team). */
export const TEAM_ROLE_FIELD_PREFIX = "team.";

const orgRole = z.enum(ORG_ROLE_VALUES, { error: "Org role must be Owner, Admin or Member" });
const teamRole = z.enum(TEAM_ROLE_VALUES, { error: "Team role must be Viewer, Editor or Team admin" });

const email = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email({ error: "Email must be an email address such as ada@example.com" }))
  .transform((value) => value.toLowerCase());

const teamId = z.coerce.number({ error: "Unknown team" }).int("Unknown team").min(1, "Unknown team").max(2_147_483_647, "Unknown team");

export const teamRoleGrantSchema = z.object({ teamId, role: teamRole });
export type TeamRoleGrant = z.output<typeof teamRoleGrantSchema>;

export const invitationSchema = z.object(
  {
    email,
    role: orgRole.default("MEMBER"),
    teamRoles: z
      .array(teamRoleGrantSchema)
      .max(500, "Too many teams")
      .refine((grants) => new Set(grants.map((g) => g.teamId)).size === grants.length, "A team is listed twice")
      .default([]),
    expiresInDays: z.coerce
      .number({ error: `Expires in must be a whole number of days from ${INVITATION_DAYS_MIN} to ${INVITATION_DAYS_MAX}` })
      .int(`Expires in must be a whole number of days from ${INVITATION_DAYS_MIN} to ${INVITATION_DAYS_MAX}`)
      .min(INVITATION_DAYS_MIN, `Expires in must be at least ${INVITATION_DAYS_MIN} day`)
      .max(INVITATION_DAYS_MAX, `Expires in must be at most ${INVITATION_DAYS_MAX} days`)
      .default(INVITATION_DAYS_DEFAULT),
  },
  { error: "Expected an email, an org role, team roles and an expiry" },
);
export type InvitationValues = z.output<typeof invitationSchema>;
export type InvitationInput = z.input<typeof invitationSchema>;

/** The invite form's fields as the schema's input: `team.<id>` selects become `teamRoles` (blank ones dropped). */
export function invitationInputFromForm(entries: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const teamRoles: { teamId: string; role: string }[] = [];
  for (const [key, value] of entries) {
    if (typeof value !== "string") continue;
    if (key.startsWith(TEAM_ROLE_FIELD_PREFIX)) {
      if (value.trim() !== "") teamRoles.push({ teamId: key.slice(TEAM_ROLE_FIELD_PREFIX.length), role: value });
    } else if (key === "email" || key === "role") {
      input[key] = value;
    } else if (key === "expiresInDays" && value.trim() !== "") {
      input[key] = value;
    }
  }
  input.teamRoles = teamRoles;
  return input;
}

/** An org role from a role select. */
export const orgRoleFormSchema = z.object({ role: orgRole }, { error: "Expected an org role" });

/** A team role from a role select; blank removes the person from the team. */
export const teamRoleFormSchema = z.object(
  { role: z.union([teamRole, z.literal("").transform(() => null)], { error: "Team role must be Viewer, Editor, Team admin or none" }) },
  { error: "Expected a team role" },
);

/** 32 random bytes, base64url without padding. */
export const INVITATION_TOKEN_LENGTH = 43;

/** The token in an invitation link (`/invite/<token>`): base64url of a fixed length, so nothing else reaches the database. */
export const invitationTokenSchema = z
  .string()
  .length(INVITATION_TOKEN_LENGTH, "This invitation link is incomplete: copy the whole link")
  .regex(/^[A-Za-z0-9_-]+$/, "This invitation link is malformed: copy the whole link");

/** The team roles an invitation stores (`Invitation.teamRoles`), read back from JSON. */
export const storedTeamRolesSchema = z.array(z.object({ teamId: z.number().int(), role: teamRole })).catch([]);
