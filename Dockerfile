# Darkroom container image.
#
# CPU (default):
#   docker build -t darkroom .
#   docker run --env-file .env -v darkroom-data:/app/data -v darkroom-models:/app/models darkroom
#
# NVIDIA GPU (CUDA 12): a CUDA runtime base image, and the CUDA build of onnxruntime-node
# (downloaded at build time from outside the npm registry), then set
# engine.executionProvider: cuda (config/local.yaml) and run with the NVIDIA container toolkit:
#   docker build -t darkroom:cuda \
#     --build-arg RUNTIME_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04 \
#     --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 .
#   docker run --gpus all --env-file .env -v darkroom-data:/app/data -v darkroom-models:/app/models darkroom:cuda
# Pick a CUDA 12 tag your host driver supports; onnxruntime's CUDA provider needs cuDNN 9.
#
# Commands inside a running container: docker exec -it <name> node bin/darkroom.mjs doctor
# (or `models pull NAME`, `db status`).

# Base images: Node.js 24 LTS. For reproducible builds pin them by digest, e.g.
#   --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:<digest> (and RUNTIME_IMAGE alike);
#   `docker buildx imagetools inspect node:24-bookworm-slim` prints the current digest.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=${NODE_IMAGE}

# --- build: full install (dev dependencies generate the Prisma client), then drop them ---------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# skip = CPU only, nothing downloaded from outside the npm registry (same as .npmrc);
# cuda12 = also fetch the CUDA execution provider. The variable wins over .npmrc.
ARG ONNXRUNTIME_NODE_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
# What `npm ci` needs, first, so the dependency layer is cached across source edits.
# postinstall (scripts/prisma-generate.mjs) writes the Prisma client into src/db/generated.
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
# (`prepare` finds no sources yet at this point and skips the build; it runs below.)
RUN npm ci --no-audit --no-fund
COPY . .
# src/ → dist/ (JavaScript): the command starts without compiling TypeScript.
RUN npm run build && test -f dist/BUILD
RUN npm prune --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
# The CUDA base image has no Node.js: bring the build stage's (built for glibc >= 2.28).
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
# A fixed uid/gid (10001) so bind-mounted host folders can be given to it:
#   sudo chown -R 10001:10001 ./data ./models
RUN groupadd --system --gid 10001 darkroom \
  && useradd --system --uid 10001 --gid darkroom --home-dir /app --no-create-home darkroom \
  && mkdir -p /app/data /app/models \
  && chown darkroom:darkroom /app/data /app/models
COPY --from=build --chown=root:root /app /app
ENV NODE_ENV=production \
  DARKROOM_DATA_DIR=/app/data \
  DARKROOM_MODELS_DIR=/app/models \
  DARKROOM_METRICS_PORT=9464 \
  DARKROOM_METRICS_HOST=0.0.0.0
USER darkroom
# Embedded database + images, and downloaded models: keep them across container upgrades.
VOLUME /app/data /app/models
# Slack over HTTP (slack.port); unused with Socket Mode or Discord only.
EXPOSE 3000
# Health and Prometheus metrics (/healthz, /readyz, /metrics; metrics.port). The variable wins
# over local.yaml; DARKROOM_METRICS_PORT=0 turns the server, and so this check, off.
EXPOSE 9464
# Healthy = ready: database answers, the default model has loaded, every chat platform connected.
# The start period covers loading (or downloading) the model; unhealthy never restarts by itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10m --retries=3 \
  CMD ["node", "-e", "const p=process.env.DARKROOM_METRICS_PORT||'9464';if(p==='0')process.exit(0);fetch('http://127.0.0.1:'+p+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 here and handles SIGTERM itself (graceful shutdown; a second signal exits at once).
CMD ["node", "bin/darkroom.mjs", "start"]
