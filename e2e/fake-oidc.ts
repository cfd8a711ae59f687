// A minimal OpenID Connect provider for the SSO browser test: discovery, an
// authorization page where the tester types who they are, the code exchange
// (client secret and PKCE checked), an RS256 ID token with the nonce, userinfo
// and JWKS. Real protocol over HTTP, so better-auth's client runs unchanged.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export const FAKE_OIDC_CLIENT = { id: "burnrate-e2e", secret: "e2e-client-secret", name: "Test SSO" } as const;

interface PendingCode {
  email: string;
  clientId: string;
  redirectUri: string;
  nonce: string | null;
  codeChallenge: string | null;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(request: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function json(response: http.ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

export async function startFakeOidc(port: number): Promise<{ issuer: string; close: () => Promise<void> }> {
  const issuer = `http://127.0.0.1:${port}`;
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "e2e-key", alg: "RS256", use: "sig" };
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, string>();
  const claimsFor = (email: string) => ({ sub: createHash("sha256").update(email).digest("hex").slice(0, 24), email, email_verified: true, name: email.split("@")[0]! });

  const server = http.createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", issuer);
      if (url.pathname === "/.well-known/openid-configuration") {
        return json(response, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        });
      }
      if (url.pathname === "/jwks") return json(response, 200, { keys: [jwk] });
      if (url.pathname === "/authorize" && request.method === "GET") {
        if (url.searchParams.get("client_id") !== FAKE_OIDC_CLIENT.id) return json(response, 400, { error: "unauthorized_client" });
        const hidden = [...url.searchParams].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("");
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return response.end(
          `<!doctype html><title>Test SSO</title><h1>Test SSO</h1><form method="post" action="/authorize">${hidden}<label>IdP email <input name="email" type="email"></label><button>Continue</button></form>`,
        );
      }
      if (url.pathname === "/authorize" && request.method === "POST") {
        const form = await readForm(request);
        const code = randomBytes(16).toString("hex");
        codes.set(code, {
          email: form.get("email")!.toLowerCase(),
          clientId: form.get("client_id")!,
          redirectUri: form.get("redirect_uri")!,
          nonce: form.get("nonce"),
          codeChallenge: form.get("code_challenge"),
        });
        const back = new URL(form.get("redirect_uri")!);
        back.searchParams.set("code", code);
        if (form.get("state")) back.searchParams.set("state", form.get("state")!);
        back.searchParams.set("iss", issuer);
        response.writeHead(302, { location: back.toString() });
        return response.end();
      }
      if (url.pathname === "/token" && request.method === "POST") {
        const form = await readForm(request);
        const basic = request.headers.authorization?.startsWith("Basic ") ? Buffer.from(request.headers.authorization.slice(6), "base64").toString("utf8").split(":").map(decodeURIComponent) : null;
        const [clientId, clientSecret] = basic ?? [form.get("client_id"), form.get("client_secret")];
        if (clientId !== FAKE_OIDC_CLIENT.id || clientSecret !== FAKE_OIDC_CLIENT.secret) return json(response, 401, { error: "invalid_client" });
        const pending = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!pending || pending.redirectUri !== form.get("redirect_uri")) return json(response, 400, { error: "invalid_grant" });
        if (pending.codeChallenge) {
          const verifier = form.get("code_verifier") ?? "";
          if (createHash("sha256").update(verifier).digest("base64url") !== pending.codeChallenge) return json(response, 400, { error: "invalid_grant", error_description: "PKCE" });
        }
        const accessToken = randomBytes(16).toString("hex");
        accessTokens.set(accessToken, pending.email);
        const idToken = await new SignJWT({ ...claimsFor(pending.email), ...(pending.nonce ? { nonce: pending.nonce } : {}) })
          .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
          .setIssuer(issuer)
          .setAudience(FAKE_OIDC_CLIENT.id)
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey);
        return json(response, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid email profile" });
      }
      if (url.pathname === "/userinfo") {
        const email = accessTokens.get(request.headers.authorization?.replace(/^Bearer /, "") ?? "");
        return email ? json(response, 200, claimsFor(email)) : json(response, 401, { error: "invalid_token" });
      }
      json(response, 404, { error: "not_found" });
    } catch (error) {
      json(response, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
