#!/usr/bin/env bash
# Makes sure the PostgreSQL server the storage tests use is up.
# Outside CI a missing server only warns (the PostgreSQL tests then skip);
# in CI (CI=true) it is an error, because those tests must run.
set -u
host=${RIDERPERF_TEST_PG_HOST:-127.0.0.1}
if pg_isready -q -h "$host" -p 5432 2>/dev/null; then exit 0; fi
if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for v in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
  done
  for _ in $(seq 1 30); do
    pg_isready -q -h "$host" -p 5432 2>/dev/null && exit 0
    sleep 1
  done
fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $host:5432 is not reachable and could not be started; CI needs it." >&2
  exit 1
fi
echo "warning: PostgreSQL at $host:5432 is not reachable; PostgreSQL tests will skip." >&2
