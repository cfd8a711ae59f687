import { describe, expect, it } from "vitest";
import { alertWebhookFormSchema, maskWebhookUrl, WEBHOOK_URL_MAX } from "./alert-webhook";

const parse = (alertWebhookUrl: unknown) => {
  const result = alertWebhookFormSchema.safeParse({ alertWebhookUrl });
  return result.success ? { ok: result.data.alertWebhookUrl } : { error: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
};

describe("alert webhook URL", () => {
  it.each([
    ["an https Slack URL", "https://hooks.slack.com/services/T0/B0/x", { ok: "https://hooks.slack.com/services/T0/B0/x" }],
    ["a local http receiver", "http://127.0.0.1:8080/hook", { ok: "http://127.0.0.1:8080/hook" }],
    ["surrounding spaces, trimmed", "  https://example.com/h  ", { ok: "https://example.com/h" }],
    ["empty: webhook off", "", { ok: null }],
    ["only spaces: webhook off", "   ", { ok: null }],
    ["ftp", "ftp://example.com/h", { error: ["alertWebhookUrl: Webhook URL must start with http:// or https://"] }],
    ["javascript:", "javascript:alert(1)", { error: ["alertWebhookUrl: Webhook URL must start with http:// or https://"] }],
    ["no scheme", "hooks.slack.com/services/x", { error: ["alertWebhookUrl: Webhook URL must be a full address like https://hooks.slack.com/services/…"] }],
    ["a space inside", "https://exa mple.com", { error: ["alertWebhookUrl: Webhook URL must not contain spaces or control characters"] }],
    ["a control character", "https://example.com/\u0007", { error: ["alertWebhookUrl: Webhook URL must not contain spaces or control characters"] }],
    ["too long", `https://example.com/${"a".repeat(WEBHOOK_URL_MAX)}`, { error: ["alertWebhookUrl: Webhook URL must be at most 2,000 characters"] }],
    ["not text", 42, { error: ["alertWebhookUrl: Webhook URL must be text"] }],
  ])("%s", (_label, input, expected) => {
    expect(parse(input)).toEqual(expected);
  });

  it("masks all but the origin and the last four characters for the audit log", () => {
    expect(maskWebhookUrl("https://hooks.slack.com/services/T0/B0/secretXYZ")).toBe("https://hooks.slack.com/…tXYZ");
    expect(maskWebhookUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080/");
    expect(maskWebhookUrl(null)).toBeNull();
  });
});
