#!/usr/bin/env bash
# npm test: every test — unit, integration (real PostgreSQL and Redis) and
# end-to-end (Playwright in Debian's Chromium against the built app).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export NEXT_TELEMETRY_DISABLED=1
ensure_node_modules
ensure_postgres
ensure_redis
ensure_chromium
export TEST_PG_SERVER="${TEST_PG_SERVER:-$PG_SERVER_URL}" TEST_REDIS_URL="${TEST_REDIS_URL:-$REDIS_URL}"

log "typecheck…"
DATABASE_URL="$PG_SERVER_URL/outlay" npx prisma generate >/dev/null
npx tsc --noEmit -p .

log "unit and integration tests…"
npx vitest run

log "building the app for end-to-end tests…"
# E2E_DATABASE_URL (and E2E_PORT, E2E_QUEUE_PREFIX) let several checkouts test side by side.
export E2E_DATABASE_URL="${E2E_DATABASE_URL:-$PG_SERVER_URL/outlay_e2e}"
E2E_DB="${E2E_DATABASE_URL##*/}"
psql "${E2E_DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $E2E_DB WITH (FORCE)" -qc "CREATE DATABASE $E2E_DB" >&2
DATABASE_URL="$E2E_DATABASE_URL" npm run -s build >/dev/null

log "end-to-end tests…"
npx playwright test
