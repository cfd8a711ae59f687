import { z } from "zod";
import { required, text, timeZone } from "./entities/fields";

/** Password length bounds (the same as lib/auth/server.ts gives better-auth). */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

const email = (label = "Email") =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(254, `${label} must be at most 254 characters`)
    .pipe(z.email({ error: `${label} must be an email address such as ada@example.com` }))
    .transform((value) => value.toLowerCase());

const password = z
  .string({ error: "Password is required" })
  .min(1, "Password is required")
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

const newPassword = z
  .string({ error: "Password is required" })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

export const signInSchema = z.object({ email: email(), password, next: z.string().max(2000).optional() }, { error: "Expected an email and a password" });

/** A new person's name, email and password, typed twice. */
const personFields = {
  name: required(text({ label: "Your name", max: 100 })),
  password: newPassword,
  confirmPassword: z.string({ error: "Repeat the password" }),
};

function passwordsMatch(value: { password: string; confirmPassword: string }, ctx: z.RefinementCtx) {
  if (value.password !== value.confirmPassword) ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "The two passwords differ" });
}

/** First run: the organization and its first owner. */
export const setupSchema = z
  .object(
    {
      orgName: required(text({ label: "Organization name", max: 100 })),
      timeZone: required(timeZone({ label: "Reporting time zone" })),
      email: email(),
      ...personFields,
    },
    { error: "Expected the organization and owner fields" },
  )
  .superRefine(passwordsMatch);

/** Accepting an invitation: the invitee's name and password (the email comes from the invitation). */
export const acceptInvitationSchema = z.object({ ...personFields }, { error: "Expected a name and a password" }).superRefine(passwordsMatch);

export type SetupValues = z.output<typeof setupSchema>;
