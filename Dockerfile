# syntax=docker/dockerfile:1
# The gateway runs its TypeScript sources directly on Node.js 24 (native type stripping), so the
# image needs no build step: production dependencies, the SDL and src/ are all it carries. It
# writes no files, so it runs with a read-only root filesystem (deploy/deployment.yaml).

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev drops the pinned `node` runtime package, the compiler and test tools; no dependency
# left needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY schema ./schema
COPY src ./src
# The image's `node` user, by number: Kubernetes can only check `runAsNonRoot` against a numeric
# user (a named one makes the kubelet refuse to start the container).
USER 1000:1000
# GraphQL, and Prometheus metrics (METRICS_PORT).
EXPOSE 4000 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# PARTNER_API_URL must be given at run time: production refuses to start without it.
# SIGTERM starts the shutdown sequence (README "Deployment"): in production it takes up to
# SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_TIMEOUT_MS + 5 s (26 s by default), longer than
# `docker stop`'s 10 s: run with `--stop-timeout 30`, or set SHUTDOWN_DELAY_MS=0 without a balancer.
# The same Node flags as `npm start`: a young generation of at most 2 x 8 MB keeps scavenges
# short (V8 grew it to 64 MB here, and single scavenges took 15-24 ms; bench/RESULTS.md), and
# no memory reducer: it shrinks an idle replica's heap, which then pays for it in extra full GCs
# when traffic returns (README "Performance").
CMD ["node", "--max-semi-space-size=8", "--no-memory-reducer", "src/main.ts"]
