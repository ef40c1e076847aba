#!/usr/bin/env bash
# Installs what the backup scripts (docker/backup/) need outside a container:
# restic from Debian. Called by scripts/system-deps.sh and the tests' setup; does
# nothing when present.
set -euo pipefail
if ! command -v restic >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: restic"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends restic >/dev/null
fi
