#!/usr/bin/env bash
# Lints what cannot run here (no Docker engine): the Dockerfile (dockerfile-utils, from the Docker
# language server) and every compose file combination (docker-compose config).
set -euo pipefail
cd "$(dirname "$0")/.."

findings="$(npx --no-install dockerfile-utils lint Dockerfile)"
if [ -n "$findings" ]; then echo "$findings" >&2; exit 1; fi
echo "Dockerfile: dockerfile-utils lint clean"

for extra in "" docker-compose.dev.yml docker-compose.test.yml; do
  files=(-f docker-compose.yml)
  [ -n "$extra" ] && files+=(-f "$extra")
  docker-compose "${files[@]}" --profile monitoring --profile test config -q
  echo "compose ${files[*]}: docker-compose config valid"
done
