// Package deploy holds no code: its tests check the deployment files (the repository's Dockerfile, and
// the docker-compose example, systemd unit and reverse-proxy examples in this directory) with the tools
// that will read them: BuildKit's Dockerfile checks, compose-go, systemd-analyze, nginx and Caddy.
//
// It is a module of its own so that those tools' Go dependencies stay out of mmzoom's go.mod.
package deploy
