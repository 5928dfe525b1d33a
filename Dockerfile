# otc-backup-bot: build with dev dependencies, run with production ones only.
# Not built in CI (no Docker engine there); test/packaging/ checks this file's shape.

# ---- build: compile src/ to dist/
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm run build` compiles through scripts/build-if-needed.js, which marks the build complete.
COPY scripts ./scripts
RUN npm run build

# ---- deps: production dependencies only
FROM build AS deps
RUN npm prune --omit=dev

# ---- runtime
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
# npm start and npm run check (docker compose exec bot npm run check) run dist/ as built.
COPY scripts ./scripts
# The bot needs no root: a fixed, unprivileged user (the base image's `node`, uid 1000).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Liveness only: /readyz is for the load balancer (it fails while the database is away, which a
# restart does not fix). Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself; the bot handles it (stops taking work, drains,
# exits 0). No npm or shell in between to swallow the signal. The same V8 flags as `npm start`
# (package.json; README, Performance): the heap grows by half, not up to 4x, under a burst.
CMD ["node", "--heap-growing-percent=50", "dist/main.js"]
