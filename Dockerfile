# Two images from one build:
#   default target (app): production code only, three roles chosen by the command (see docker-compose.yml):
#     node dist/worker.js        worker (NODE_ENV=production runs the prebuilt workflow bundle), started with the
#                                Node options its memory budget derives (the default CMD, below)
#     node dist/bridge/main.js   webhook bridge + start API
#     node dist/codec/main.js    codec server for the Temporal Web UI
#     node dist/cli/main.js      operator CLI
#   --target sandbox: the Vobiz sandbox (docker-compose's demo profile only): node dist/sandbox/main.js
# The app is compiled from src/ alone: the sandbox (sandbox/) and the local orchestration (dev/: npm start, the demo,
# the local cluster, the chaos runner) live outside it and are never copied into its build, and the packages only
# they use are devDependencies (e.g. node-sqlite3-wasm: the sandbox's database). test/unit/production-image.test.ts
# checks that production code imports nothing outside src/ and that the production dependencies are exactly what it
# imports.
#
# Base image: Node 22 LTS, pinned by digest so every build starts from the same bytes. The digest is the multi-arch
# index of node:22-slim (Node 22.23.2, Debian bookworm) as recorded by the official images' docker-library/repo-info
# (repos/node/remote/22-slim.md at commit 3179cb4d576b9929bf86873c87f279ac67661c6e). To move to a newer patch
# release, take the digest from there (or `docker buildx imagetools inspect node:22-slim`) and update both FROM lines.

# --- build: compile the production code (src/ only) and bundle the workflow code once ------------------------------
FROM node:22-slim@sha256:48e4b67d85f87bd551df43704e24d252f56cc5f8e9718841aace50f19948f0f9 AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies install without lifecycle scripts (package.json allowScripts): nothing downloads at install time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-workflows.ts ./scripts/
COPY src ./src
# dist/**.js, dist/workflow-bundle.js (WORKER_WORKFLOW_BUNDLE) and its traced twin dist/workflow-bundle.traced.js (run by a
# worker with OTEL_* set): every replica runs byte-identical workflow code.
RUN npm run build

# --- production dependencies only ---------------------------------------------------------------------------------
FROM build AS production-modules
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- the sandbox's build: sandbox/ and the src/ modules it imports, into dist-sandbox/ -----------------------------
FROM build AS sandbox-build
COPY tsconfig.sandbox.json ./
COPY sandbox ./sandbox
RUN npx tsc -p tsconfig.sandbox.json

# --- runtime base: production dependencies, as the unprivileged `node` user --------------------------------------
FROM node:22-slim@sha256:48e4b67d85f87bd551df43704e24d252f56cc5f8e9718841aace50f19948f0f9 AS runtime
# MALLOC_ARENA_MAX: two glibc malloc arenas instead of one per allocating thread; the worker's native threads (Temporal
# Core's) otherwise keep tens of MB more as its parked fleet grows (src/config/worker-memory.ts, WORKER_PROCESS_ENV).
ENV NODE_ENV=production \
    WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=production-modules --chown=node:node /app/package.json ./
COPY --from=production-modules --chown=node:node /app/node_modules ./node_modules

# --- sandbox: the Vobiz stand-in for the demo profile --------------------------------------------------------------
FROM runtime AS sandbox
COPY --from=sandbox-build --chown=node:node /app/dist-sandbox ./dist
# Its own packages (and theirs), devDependencies the production tree does not carry.
COPY --from=build --chown=node:node /app/node_modules/node-sqlite3-wasm ./node_modules/node-sqlite3-wasm
COPY --from=build --chown=node:node /app/node_modules/negotiator ./node_modules/negotiator
COPY --from=build --chown=node:node /app/node_modules/content-type ./node_modules/content-type
# The sandbox keeps its SQLite file here (a volume in docker-compose).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4010
CMD ["node", "dist/sandbox/main.js"]

# --- app (default target): production code only ------------------------------------------------------------------
FROM runtime AS app
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8787 8888 9465
# The worker with the heap limit its WORKER_MEMORY_BUDGET derives (V8 fixes it at start; src/worker/node-flags.ts).
CMD ["sh", "-c", "flags=$(node dist/worker/node-flags.js) && exec node $flags dist/worker.js"]
