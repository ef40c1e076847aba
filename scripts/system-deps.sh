#!/usr/bin/env bash
# Installs the Debian packages the tests need: the browser, gettext, fonts,
# nginx, openssl and wrk for the production-stack tests and benchmark, and the
# PostgreSQL and Redis servers (the stack tests run private instances of them),
# the Docker engine of tests/docker/ (scripts/docker-engine.sh install), and
# Node.js/npm for axe-core and Lighthouse (package.json).
# Does nothing for what is present.
set -euo pipefail

packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v msgfmt >/dev/null || packages+=(gettext)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || packages+=(nginx-light)
command -v openssl >/dev/null || packages+=(openssl)
command -v wrk >/dev/null || packages+=(wrk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
command -v psql >/dev/null || packages+=(postgresql-client)
command -v redis-server >/dev/null || packages+=(redis-server)
command -v npm >/dev/null || packages+=(nodejs npm)

if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# The real Docker engine of tests/docker/ (Debian's docker.io, compose v2,
# mmdebstrap for the stand-in images, promtool for the alert rules).
"$(dirname "$0")/docker-engine.sh" install >/dev/null

# restic for the backup scripts and their tests (tests/managed/).
"$(dirname "$0")/backup-deps.sh"
