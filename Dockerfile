# hookd's container image. Multi-stage: the build stage compiles TypeScript, the dashboard and better-sqlite3 (no
# prebuilt binary is fetched: it compiles from source), the runtime stage holds only what runs.
#   docker build -t hookd .                      (podman build --format docker … works the same)
#   docker run -p 8080:8080 -v hookd-data:/data -e HOOKD_ADMIN_PASSWORD=… hookd
# BASE is any Debian bookworm image with Node 24 on PATH (and npm for the build stage); .ci/container-test builds one
# with debootstrap where no registry is reachable.
ARG BASE=node:24-bookworm-slim

FROM ${BASE} AS build
# Where node-gyp finds Node's headers when it cannot download them (.ci/container-test: /usr/local); empty: download.
ARG npm_config_nodedir=
# The registry npm ci installs from (a mirror where registry.npmjs.org is not reachable).
ARG npm_config_registry=https://registry.npmjs.org/
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# Dependencies first (their layer is reused while only the sources change); the build runs below.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY . .
RUN HOOKD_BUILD_QUIET=1 npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    HOOKD_DATA_DIR=/data \
    HOOKD_LOG_FORMAT=json
# A user of its own; /data (the SQLite database and its encryption.key) belongs to it.
RUN groupadd --system hookd \
  && useradd --system --gid hookd --home-dir /data --shell /usr/sbin/nologin hookd \
  && mkdir -p /data && chown hookd:hookd /data && chmod 700 /data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/node_modules ./node_modules
USER hookd
VOLUME ["/data"]
EXPOSE 8080
# /readyz: 200 once the store is open and reachable. Node's own fetch: the image needs no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# hookd is PID 1 and handles SIGTERM itself: it stops claiming, finishes in-flight deliveries (HOOKD_SHUTDOWN_TIMEOUT_MS)
# and exits 0; give it that long (docker stop -t, compose stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/hookd.js"]
CMD ["serve"]
