import { z } from "zod";

/**
 * The org's budget-alert webhook: an absolute http(s) URL with a host, at most
 * 2,000 characters, no spaces or control characters. An empty field clears it
 * (alerts are still recorded and shown, just not posted).
 */
export const WEBHOOK_URL_MAX = 2_000;

const LABEL = "Webhook URL";

export const webhookUrlSchema = z
  .string({ error: `${LABEL} must be text` })
  .superRefine((value, ctx) => {
    const message = webhookUrlProblem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });

function webhookUrlProblem(value: string): string | null {
  if (value.length > WEBHOOK_URL_MAX) return `${LABEL} must be at most ${WEBHOOK_URL_MAX.toLocaleString("en-US")} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return `${LABEL} must not contain spaces or control characters`;
  if (!URL.canParse(value)) return `${LABEL} must be a full address like https://hooks.slack.com/services/…`;
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${LABEL} must start with http:// or https://`;
  if (url.hostname === "") return `${LABEL} must name a host`;
  return null;
}

/** The settings form: a URL, or empty to turn the webhook off. */
export const alertWebhookFormSchema = z.object(
  {
    alertWebhookUrl: z.preprocess(
      (value) => (typeof value === "string" ? value.trim() : value),
      z
        .string({ error: `${LABEL} must be text` })
        .superRefine((value, ctx) => {
          const message = value === "" ? null : webhookUrlProblem(value);
          if (message) ctx.addIssue({ code: "custom", message });
        })
        .transform((value) => (value === "" ? null : value)),
    ),
  },
  { error: "Expected the webhook form's fields" },
);

export type AlertWebhookValues = z.output<typeof alertWebhookFormSchema>;

/**
 * How a webhook URL appears where not only admins read it (the audit log):
 * origin and the last four characters, since a Slack incoming-webhook URL
 * is itself the secret.
 */
export function maskWebhookUrl(url: string | null): string | null {
  if (url === null) return null;
  const parsed = new URL(url);
  const rest = url.slice(parsed.origin.length);
  return rest.length > 4 ? `${parsed.origin}/…${rest.slice(-4)}` : url;
}
