// A signed-in session for benchmark scripts, which measure pages as a person
// would see them but don't go through the sign-in form: a session row for the
// org's owner (or first admin) and its cookie, signed with the installation's
// key by better-call (better-auth's own cookie signer).
import { randomBytes } from "node:crypto";
import { serializeSignedCookie } from "better-call";
import pg from "pg";

/** The Cookie header value for a new 12-hour session of `email`, or of the org's owner/admin when no email is given. */
export async function benchSessionCookie(databaseUrl: string, { orgSlug, email }: { orgSlug?: string; email?: string } = {}): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // No org named: the first org's owner (or admin).
    const user = await client.query<{ id: number }>(
      `select u.id from users u join orgs o on o.id = u."orgId"
       where ($1::text is null or o.slug = $1) and ($2::text is null and u.role in ('OWNER', 'ADMIN') or u.email = $2)
       order by o.id, u.role, u.id limit 1`,
      [orgSlug ?? null, email ?? null],
    );
    if (!user.rows[0]) throw new Error(`no ${email ?? "owner or admin"} in org "${orgSlug ?? "(first)"}"`);
    const secret =
      process.env.BURNRATE_AUTH_SECRET ||
      (
        await client.query<{ value: string }>(
          `insert into instance_secrets (key, value) values ('auth', $1) on conflict (key) do update set key = excluded.key returning value`,
          [randomBytes(32).toString("base64url")],
        )
      ).rows[0]!.value;
    const token = randomBytes(24).toString("base64url");
    await client.query(`insert into auth_sessions (token, "userId", "expiresAt", "updatedAt") values ($1, $2, now() + interval '12 hours', now())`, [token, user.rows[0].id]);
    const serialized = await serializeSignedCookie("burnrate.session_token", token, secret);
    return serialized.split(";")[0]!;
  } finally {
    await client.end();
  }
}
