#!/usr/bin/env bash
# Installs the Debian packages the tests need (browser, gettext, fonts), and
# with --services PostgreSQL and Redis too. Does nothing for what is present.
set -euo pipefail

packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v msgfmt >/dev/null || packages+=(gettext)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
if [ "${1:-}" = "--services" ]; then
  command -v pg_ctlcluster >/dev/null || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
fi

if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
