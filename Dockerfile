# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production dependencies only, as non-root.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# `docker compose -f docker-compose.yml -f docker-compose.test.yml run --rm tests` runs the suite here,
# with what the tests start themselves: redis-server, nginx and Chromium.
FROM build AS test
RUN apt-get update \
  && apt-get install -y --no-install-recommends redis-server nginx openssl chromium \
  && rm -rf /var/lib/apt/lists/*
COPY . .
CMD ["npm", "test"]

FROM node:22-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
# tini forwards SIGTERM to node and reaps zombies, so graceful shutdown works as PID 1.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=production-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# A 16 MB young generation (V8's default ceiling, set so it does not move with the release), and an
# old generation that grows by half its live size between collections instead of V8's up to 4x:
# with a hundred streams open, a smaller young generation copied every stream's state every few
# hundred tokens (+20% CPU per stream); the growth limit keeps a replica under load near 125 MB
# instead of 170 (bench/README.md, "Performance work"; compare choices with bench/flags.mjs).
# No memory reducer: V8's collection of a quiet process lets the shapes of finished requests die,
# which throws away the request path's optimized code, and a light load (a stream every half second)
# never earns it back: its set-up ran in 0.55 ms instead of 0.32. Delayed five minutes, it still came
# during the benchmark's light load. The cost: after a burst, a replica keeps the burst's memory
# (about 130 MB, under the 150 of the load's peak a container is sized for) instead of going back
# to about 80 (bench/README.md, "Eighteenth pass").
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "--no-allocation-site-pretenuring", "--no-memory-reducer", "dist/src/main.js"]
