#!/usr/bin/env bash
# Started by Playwright (webServer): migrations, the worker and the built web
# app on E2E_PORT, against DATABASE_URL (set by playwright.config.ts) and its
# own queue prefix. `npm test` builds the app and empties the database first.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${E2E_PORT:-3100}"
# Production refuses a secret under 32 characters (lib/env.ts): a fresh one per run (sessions don't outlive the server).
export NEXTAUTH_SECRET="$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))")"
# Warnings and errors only in the test run's output (lib/log.ts writes JSON lines to stdout, which Playwright shows).
export LOG_LEVEL="${LOG_LEVEL:-warn}"
export QUEUE_PREFIX="${E2E_QUEUE_PREFIX:-outlay-e2e}" NEXTAUTH_URL="http://127.0.0.1:$PORT" NEXT_TELEMETRY_DISABLED=1 RECONCILE_AFTER_SECONDS=5 PRICE_CACHE_MS=500 WEBHOOK_ALLOW_PRIVATE_TARGETS=true ALLOW_PRIVATE_UPSTREAMS=true
# Account emails (password reset) go to a receiver the spec itself starts on E2E_PORT+1000 (e2e/password-reset.spec.ts);
# verification stays off so every other spec's sign-up answers 201 with its organization.
export SMTP_URL="smtp://127.0.0.1:$((PORT + 1000))" SMTP_FROM="Outlay <accounts@outlay.test>" EMAIL_VERIFICATION=off
# Single sign-on against an OpenID Connect provider the spec itself starts on E2E_PORT+2000 (e2e/sso.spec.ts).
export OIDC_ISSUER="http://127.0.0.1:$((PORT + 2000))" OIDC_CLIENT_ID=outlay-e2e OIDC_CLIENT_SECRET=outlay-e2e-oidc-client-secret OIDC_NAME="Test IdP"
# Every API answer is checked against its declared schema (lib/http/contract-check.ts): a mismatch is a 500 the specs see.
export OUTLAY_VALIDATE_RESPONSES=true
redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "$QUEUE_PREFIX:*" | xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" del >/dev/null
npm run -s db:migrate >&2
trap 'kill 0' EXIT
npx tsx workers/index.ts &
NODE_ENV=production npx tsx server.ts -p "$PORT" &
wait -n
