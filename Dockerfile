# syntax=docker/dockerfile:1
# media-task-subgraph: build with every dependency, run with production dependencies only.
#   docker build -t media-task-subgraph .
#   docker run -p 4001:4001 --env-file .env media-task-subgraph
# test/kit/dockerfile.docker.ts replays these steps without Docker (npm run test:docker, run by .ci/run).
# No install script runs (--ignore-scripts): nothing this package needs relies on one.
# npm's cache is a BuildKit cache mount, so it stays out of the image's layers without a `npm cache clean`
# (which the replay would run against the developer's own cache).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
# Read at run time from the package root: the SDL (src/schema.ts) and the dashboard's files (src/dashboard/routes.ts).
COPY schema ./schema
COPY public ./public
COPY LICENSE ./
USER node
EXPOSE 4001
# Node 20 has fetch built in: no curl in the image just for this.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4001) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/index.js"]
