# Two images from one build:
#   default target (app): production code only, three roles chosen by the command (see docker-compose.yml):
#     node dist/worker.js        worker (NODE_ENV=production runs the prebuilt workflow bundle)
#     node dist/bridge/main.js   webhook bridge + start API
#     node dist/codec/main.js    codec server for the Temporal Web UI
#     node dist/cli/main.js      operator CLI
#   --target sandbox: the Vobiz sandbox (docker-compose's demo profile only): node dist/sandbox/main.js
# The app image carries neither the sandbox (src/sandbox) nor the local orchestration (src/dev: npm start, the
# demo, the local cluster); test/unit/production-image.test.ts checks that no production entry point imports them.

# --- build: compile TypeScript and bundle the workflow code once -------------------------------------------------
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies install without lifecycle scripts (package.json allowScripts): nothing downloads at install time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle-workflows.ts ./scripts/
COPY src ./src
# dist/**.js and dist/workflow-bundle.js (WORKER_WORKFLOW_BUNDLE): every replica runs byte-identical workflow code.
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund
# The production tree: everything but the sandbox and the local orchestration. Copied out here, in the build stage,
# because deleting files in a later layer would still ship them in the layer below.
RUN mkdir -p /out && cp -a dist /out/dist && rm -rf /out/dist/sandbox /out/dist/dev

# --- runtime base: production dependencies, as the unprivileged `node` user --------------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules

# --- sandbox: the Vobiz stand-in for the demo profile (needs the whole compiled tree) -----------------------------
FROM runtime AS sandbox
COPY --from=build --chown=node:node /app/dist ./dist
# The sandbox keeps its SQLite file here (a volume in docker-compose).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4010
CMD ["node", "dist/sandbox/main.js"]

# --- app (default target): production code only ------------------------------------------------------------------
FROM runtime AS app
COPY --from=build --chown=node:node /out/dist ./dist
USER node
EXPOSE 8787 8888
CMD ["node", "dist/worker.js"]
