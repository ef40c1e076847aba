#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on 127.0.0.1, starting them if needed.
set -euo pipefail

cluster="$(ls /etc/postgresql | sort -V | tail -n 1)"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
elif ! psql -h 127.0.0.1 -U postgres -Atc "SELECT 1" >/dev/null 2>&1; then
  # Seen on these machines: the server answers pg_isready but refuses every new
  # session ("could not open shared memory segment"); a restart recreates it.
  echo "PostgreSQL refuses new sessions: restarting it"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main restart
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
  psql -h 127.0.0.1 -U postgres -Atc "SELECT 1" >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "PostgreSQL or Redis did not come up on 127.0.0.1" >&2
exit 1
