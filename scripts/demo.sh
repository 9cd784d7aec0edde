#!/usr/bin/env bash
# npm run demo: the whole product with demo data, on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1
ensure_node_modules
ensure_postgres
ensure_redis
ensure_database outlay
mkdir -p .demo
[ -s .demo/nextauth-secret ] || node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))" > .demo/nextauth-secret
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-$(cat .demo/nextauth-secret)}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-http://localhost:$PORT}"
# The demo runs on one machine: let its webhook channels reach receivers on it (production refuses private targets).
export WEBHOOK_ALLOW_PRIVATE_TARGETS="${WEBHOOK_ALLOW_PRIVATE_TARGETS:-true}"

# The operator CLI (npm run cli) runs in another shell: it reads .env like the app, so leave one pointing at this
# stack's database and Redis (never over a .env of your own).
if [ ! -e .env ]; then
  {
    echo "# Written by npm run demo for the operator CLI (npm run cli) and the app: this demo's database and Redis."
    echo "DATABASE_URL=$DATABASE_URL"
    [ -n "${APP_DATABASE_PASSWORD:-}" ] && echo "APP_DATABASE_PASSWORD=$APP_DATABASE_PASSWORD"
    echo "REDIS_URL=$REDIS_URL"
  } > .env
  log "wrote .env (database and Redis of this demo) for npm run cli"
fi

log "applying migrations…"
npm run -s db:migrate >&2
if [ "${SKIP_BUILD:-0}" != 1 ]; then log "building the web app…"; npm run -s build >/dev/null; fi

pids=()
cleanup() { trap - INT TERM EXIT; log "stopping…"; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

log "starting the worker and the web app on port $PORT…"
npx tsx workers/index.ts > .demo/worker.log 2>&1 & pids+=($!)
NODE_ENV=production npx tsx server.ts -p "$PORT" > .demo/web.log 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$PORT/api/health" 90 || { tail -20 .demo/web.log .demo/worker.log >&2; die "the stack did not become healthy"; }

npx tsx prisma/seed.ts --url "http://127.0.0.1:$PORT"

cat <<MSG

  Outlay is running: $NEXTAUTH_URL
  Sign in as  demo@outlay.dev  with password  outlay-demo-2026  (admin)
  Each role, same password:  finance@outlay.dev  engineer@outlay.dev  success@outlay.dev (customer success)  viewer@outlay.dev
  Operator commands in another shell:  npm run cli -- --help   (they read .env)
  Logs: .demo/web.log, .demo/worker.log.  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
