# Burnrate production image. `npm start` applies migrations, seeds demo data on an
# empty database and serves the production build built here.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/generate.mjs scripts/generate.mjs
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm ci
COPY . .
RUN npx next build && npx tsx -e "import('./scripts/lib/build-stamp.ts').then(m => m.markBuildCurrent(process.cwd()))"

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["npm", "start"]
