# syntax=docker/dockerfile:1
#
# The portal image: the backend, serving the built frontend. Built from a clean checkout,
# from the repository root:
#
#   docker build -t contoso.azurecr.io/idp-portal:<version> .
#
# Stages: manifests (every package.json) -> build (yarn install, tsc, the backend bundle)
# -> production-deps (production node_modules, native modules compiled here) -> the image,
# which has no compiler, no Yarn and no source, and runs as the numeric user 1000.
# docs/production.md describes the build, the configuration and the environment variables.

ARG NODE_IMAGE=node:22-bookworm-slim

# Only the package.json of each workspace, so the yarn install layer below is rebuilt when
# a manifest or the lockfile changes, not on every source change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY packages packages
COPY plugins plugins
RUN find packages plugins -mindepth 2 -maxdepth 2 \! -name package.json -exec rm -rf {} \+

# What compiling better-sqlite3 (and any other native module) needs. Build stages only.
FROM ${NODE_IMAGE} AS build-tools
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 g++ make \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The image's Yarn 1 hands over to the release .yarnrc.yml names (yarnPath, .yarn/releases).
COPY .yarnrc.yml package.json yarn.lock backstage.json ./
COPY .yarn/releases .yarn/releases
# The patches package.json's resolutions name (see .yarn/patches/README.md).
COPY .yarn/patches .yarn/patches

FROM build-tools AS build
COPY --from=manifests /app ./
RUN --mount=type=cache,target=/root/.yarn/berry/cache,sharing=locked \
  yarn install --immutable
COPY . .
RUN yarn tsc
# packages/backend/dist/{skeleton,bundle}.tar.gz; the bundle carries the built frontend
# (the backend depends on the app package, which app-backend serves).
RUN yarn build:backend
RUN mkdir /bundle && tar xzf packages/backend/dist/bundle.tar.gz -C /bundle

FROM build-tools AS production-deps
ENV NODE_ENV=production
COPY --from=build /app/packages/backend/dist/skeleton.tar.gz ./
RUN tar xzf skeleton.tar.gz && rm skeleton.tar.gz
RUN --mount=type=cache,target=/root/.yarn/berry/cache,sharing=locked \
  yarn workspaces focus --all --production \
  && rm -rf .yarn .yarnrc.yml yarn.lock

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the portal's user: the running process cannot change
# its own code, and the pod runs with a read-only root filesystem anyway.
COPY --from=production-deps /app ./
COPY --from=build /bundle ./
COPY app-config.yaml app-config.production.yaml catalog-info.yaml ./
# The guardrails the golden paths check before committing (docs/guardrails.md).
COPY platform/policies platform/policies
# node, by number, so the kubelet can check runAsNonRoot.
USER 1000:1000
EXPOSE 7007
CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]
