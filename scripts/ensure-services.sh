#!/usr/bin/env bash
# Makes sure the servers the test suite talks to are up on this machine (`pnpm test` runs
# this first): Redis (ensure-redis.sh) and PostgreSQL with pgvector (ensure-postgres.sh).
# Each prints one line of what it did, or says what is wrong; both run, so one run shows
# every problem.
set -uo pipefail
here="$(dirname "$0")"

status=0
bash "$here/ensure-redis.sh" || status=1
bash "$here/ensure-postgres.sh" || status=1
exit "$status"
