# syntax=docker/dockerfile:1
#
# mmzoom's container image: `docker build -t mmzoom .` from the repository root.
# Stage 1 builds a static binary (CGO_ENABLED=0: the SQLite driver, modernc.org/sqlite, is pure Go); stage 2
# is distroless "static" (CA certificates and time zones, no shell, no package manager) running as the
# non-root user 65532. deploy/deploy_test.go lints this file with BuildKit's own checks (what
# `docker build --check` runs) and builds the binary the way stage 1 does.

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
# Modules first: this layer stays cached while only the sources change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The webapp plugin is not rebuilt here: mmzoom embeds the bundle committed in cmd/mmzoom/plugin/.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/mmzoom ./cmd/mmzoom \
    && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/mmzoom /usr/local/bin/mmzoom
# The SQLite database lives in this volume. Docker fills a new named volume from the image, ownership
# included, so the non-root user can write to it.
COPY --from=build --chown=65532:65532 /out/state /var/lib/mmzoom
ENV MMZOOM_LISTEN=:8090 \
    MMZOOM_DATABASE=sqlite:///var/lib/mmzoom/mmzoom.db
VOLUME ["/var/lib/mmzoom"]
USER 65532:65532
EXPOSE 8090
# No curl in the image: mmzoom checks itself (GET /healthz on the port of MMZOOM_LISTEN).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/mmzoom", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/mmzoom"]
CMD ["serve"]
