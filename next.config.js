/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: true,
  // The pg driver and Prisma's adapter are Node libraries: load them at run
  // time instead of bundling them into server chunks.
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
};

export default nextConfig;
