/** Where people reach Burnrate (see lib/env.ts publicUrlFrom): BURNRATE_PUBLIC_URL, else http://localhost:PORT. */
const publicUrl = new URL(process.env.BURNRATE_PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`);
const loopback = ["localhost", "127.0.0.1", "[::1]"];
const publicHosts = loopback.includes(publicUrl.hostname) ? loopback.map((hostname) => `${hostname}${publicUrl.port ? `:${publicUrl.port}` : ""}`) : [publicUrl.host];

/** On every response; pages get their nonce-based CSP from proxy.ts, the rest this strict one. */
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ...(publicUrl.protocol === "https:" ? [{ key: "Strict-Transport-Security", value: "max-age=31536000" }] : []),
];
const noContentCsp = { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" };

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: true,
  // Node libraries loaded at run time instead of bundled into server chunks.
  // @datadog/sketches-js requires protobufjs lazily (only for its wire
  // format, which Burnrate does not use); bundling would resolve it eagerly.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@datadog/sketches-js"],
  experimental: {
    // forbidden() from next/navigation: a refused page answers 403 with app/forbidden.tsx.
    authInterrupts: true,
    serverActions: {
      // Record forms are a few kB; CSV imports go to /api/imports, which has its own limit.
      bodySizeLimit: "256kb",
      // Next's own check admits an Origin equal to the Host; these are the public URL's
      // hosts (a reverse proxy that forwards its own Host). Every action also checks
      // Origin against the public URL itself (lib/access/request-origin-guard.ts).
      allowedOrigins: publicHosts,
    },
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: [noContentCsp] },
      { source: "/_next/static/:path*", headers: [noContentCsp] },
    ];
  },
};

export default nextConfig;
