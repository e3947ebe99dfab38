# syntax=docker/dockerfile:1
# One image recipe for every service under services/, chosen by two build args. Built from the
# repository root, as docker-compose.yml does:
#   docker build --build-arg SERVICE=orders-service --build-arg PORT=8001 -t shop/orders-service .
# SERVICE is the service's folder under services/ and PORT the port it listens on (api-gateway
# 8000, orders-service 8001, payments-service 8002). The services have no build step: Node 24 runs
# the TypeScript sources directly (type stripping). The one thing built is the storefront, the page
# the gateway serves at `/`, in a stage of its own.

# --- dependencies: only the production dependencies of the service and its workspace packages ---
FROM node:24-bookworm-slim AS deps
# An ARG is visible only in the stage that declares it, so each stage declares what it uses.
ARG SERVICE
ARG PORT
WORKDIR /app
ENV NODE_ENV=production
# Without the args the COPY below would fail on "services//package.json"; say what is missing.
RUN test -n "$SERVICE" && test -n "$PORT" || { \
      echo 'Dockerfile: pass --build-arg SERVICE=<folder under services/> --build-arg PORT=<port>' >&2; \
      exit 1; \
    }
# The manifests alone, so this layer is rebuilt only when dependencies change. npm ci installs
# what the lock file pins for this workspace (and, through the @shop/* links, for the packages it
# uses); --omit=dev leaves out the root's dev dependencies, among them the `node` binary package.
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/platform/package.json packages/platform/
COPY services/${SERVICE}/package.json services/${SERVICE}/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace=services/${SERVICE} --include-workspace-root=false \
      --ignore-scripts --no-audit --no-fund

# --- storefront: the page the gateway serves, built by Vite from apps/storefront ---
# Building needs the storefront's dev dependencies (Vite); they stay in this stage, and only the
# built files (dist/) reach the image. A COPY --from cannot depend on a build arg, so every image
# gets the folder, but only the gateway's installs, builds and fills it: for the others it is empty.
FROM node:24-bookworm-slim AS storefront
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/storefront/package.json apps/storefront/
RUN --mount=type=cache,target=/root/.npm \
    if [ "$SERVICE" = api-gateway ]; then \
      npm ci --workspace=apps/storefront --include-workspace-root=false \
        --ignore-scripts --no-audit --no-fund; \
    fi
COPY apps/storefront apps/storefront
RUN mkdir -p apps/storefront/dist && \
    if [ "$SERVICE" = api-gateway ]; then npm run build --workspace=apps/storefront; fi

# --- runtime ---
FROM node:24-bookworm-slim
ARG SERVICE
ARG PORT
WORKDIR /app
# SERVICE_ENTRY bakes the entry point into the image: CMD cannot expand a build arg itself.
# METRICS_HOST is left at its default, loopback: the metrics listener (PORT + 100) is opened to a
# scraper only where the deployment says so (docker-compose.yml does, on its private network).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    SERVICE_ENTRY=services/${SERVICE}/src/server.ts
# node_modules/@shop/* are relative symlinks into packages/ and services/, so the sources must sit
# at the same paths as in the repository. Files stay owned by root: the service only reads them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/contracts/src packages/contracts/src
COPY packages/platform/package.json packages/platform/
COPY packages/platform/migrations packages/platform/migrations
# src includes the embedded transport's migrations (src/transport/embedded/migrations).
COPY packages/platform/src packages/platform/src
# The service's folder as a whole: package.json, src and, where the service has them, migrations
# (the gateway has none). .dockerignore keeps its test folder and anything installed out.
COPY services/${SERVICE} services/${SERVICE}
# The gateway serves these at `/` (services/api-gateway/src/http/storefront.ts); elsewhere it is empty.
COPY --from=storefront /app/apps/storefront/dist apps/storefront/dist

# The official image's unprivileged `node` user, by number so that Kubernetes' runAsNonRoot can
# verify it.
USER 1000:1000
EXPOSE ${PORT}
# The slim image has no curl: probe /health with Node's own fetch. HEALTHCHECK expands no
# variables at build time, so the probe reads the port the service was started with.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The exec form expands no variables, and the shell form (`CMD node "$SERVICE_ENTRY"`) would leave
# /bin/sh as PID 1, which does not pass SIGTERM on: `docker stop` would wait out the grace period
# and kill node without its graceful shutdown. So a shell expands the path and `exec` replaces
# itself with node, which becomes PID 1 and gets SIGTERM directly (as with the old exec form).
# --import loads the tracing instrumentations before the service's modules (they patch node:http and
# pg as those load); with no OTEL_EXPORTER_OTLP_*ENDPOINT set it loads nothing more.
CMD ["sh", "-c", "exec node --import ./packages/platform/src/telemetry/instrument.ts \"$SERVICE_ENTRY\""]
