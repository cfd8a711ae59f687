import { webhookUrlSchema } from "@/lib/validation/alert-webhook";

/**
 * Posts JSON to an outgoing webhook: at most WEBHOOK_TIMEOUT_MS, no
 * redirects (a Slack or Teams receiver answers directly; following one
 * would post the alert somewhere nobody configured), and the receiver's
 * answer as a value — this never throws, so a dead receiver can't fail the
 * write or the page that triggered it.
 */
export const WEBHOOK_TIMEOUT_MS = 5_000;

export type WebhookResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

export async function postWebhook({ url, body, timeoutMs = WEBHOOK_TIMEOUT_MS }: { url: string; body: unknown; timeoutMs?: number }): Promise<WebhookResult> {
  const checked = webhookUrlSchema.safeParse(url);
  if (!checked.success) return { ok: false, status: null, error: checked.error.issues[0]?.message ?? "Invalid webhook URL" };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Burnrate budget alerts" },
      body: JSON.stringify(body),
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `The receiver answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}` };
  } catch (error) {
    return { ok: false, status: null, error: describeFetchError(error, timeoutMs) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `No answer within ${timeoutMs / 1000} s`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const code = cause && "code" in cause ? String((cause as { code: unknown }).code) : null;
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `Could not reach the receiver${code ? ` (${code})` : ""}: ${message}`.slice(0, 500);
}
