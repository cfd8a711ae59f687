/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: true,
  // Node libraries loaded at run time instead of bundled into server chunks.
  // @datadog/sketches-js requires protobufjs lazily (only for its wire
  // format, which Burnrate does not use); bundling would resolve it eagerly.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@datadog/sketches-js"],
};

export default nextConfig;
