# syntax=docker/dockerfile:1
# One image per app of the monorepo:
#   docker build -t innovation-procurement/platform .
#   docker build --build-arg APP=tenders -t innovation-procurement/tenders .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY package.json package-lock.json ./
# npm ci rejects this lockfile (it lacks other platforms' optional binaries, npm/cli#4828);
# npm install keeps to the locked versions all the same.
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund --loglevel=error
COPY nx.json tsconfig.base.json tsconfig.json .swcrc jest.preset.js ./
COPY apps ./apps
COPY libs ./libs
# Every app at once: the stage does not depend on APP, so all images share this layer.
RUN npx nx run-many -t build --outputStyle=static
RUN npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM ${NODE_IMAGE} AS runtime
ARG APP=platform
ENV NODE_ENV=production \
    APP=${APP} \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Fail the build, not the first start, when APP names no app.
RUN test -f "dist/apps/${APP}/src/main.js" \
    || { echo "no app named '${APP}' (dist/apps/${APP}/src/main.js missing)" >&2; exit 1; } \
 && mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node is PID 1 and receives SIGTERM itself, for a graceful shutdown.
ENTRYPOINT ["/bin/sh", "-c", "exec node --enable-source-maps \"dist/apps/${APP}/src/main.js\" \"$@\"", "--"]
