# The application image: one image, four roles chosen by the command (see docker-compose.yml):
#   node dist/worker.js        worker (NODE_ENV=production runs the prebuilt workflow bundle)
#   node dist/bridge/main.js   webhook bridge + start API
#   node dist/codec/main.js    codec server for the Temporal Web UI
#   node dist/sandbox/main.js  Vobiz sandbox (demo profile only)

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

# --- runtime: production dependencies and compiled output only, as the unprivileged `node` user ------------------
FROM node:20-slim
ENV NODE_ENV=production \
    WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The sandbox keeps its SQLite file here (a volume in docker-compose).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8787 8888 4010
CMD ["node", "dist/worker.js"]
