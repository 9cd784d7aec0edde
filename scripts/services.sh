# Sourced by demo.sh, test.sh and .ci/run: make PostgreSQL and Redis reachable.
# Uses DATABASE_URL / REDIS_URL when set; otherwise starts the local servers,
# installing them with apt-get when missing and running as root.

log() { printf '\033[1;34m[outlay]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[outlay] %s\033[0m\n' "$*" >&2; exit 1; }

as_root_install() {
  if [ "$(id -u)" != 0 ]; then die "$1 is not installed. Install it (Debian: sudo apt-get install -y $2) or set $3."; fi
  log "installing $2 with apt-get…"
  if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then apt-get update -qq >&2; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2; } || die "apt-get install $2 failed"
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then as_root_install PostgreSQL postgresql DATABASE_URL; fi
    log "starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start >&2 || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL did not start on 127.0.0.1:5432"
  fi
  # Trust auth on these machines; a fresh Debian install needs a password for TCP.
  if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    export PG_SERVER_URL="postgresql://postgres@127.0.0.1:5432"
  elif [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
    runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'outlay'" >&2 || die "cannot set a password for the postgres role"
    export PG_SERVER_URL="postgresql://postgres:outlay@127.0.0.1:5432"
    # the application's role (outlay_app, made by the migrations) needs a password on such a server too
    export APP_DATABASE_PASSWORD="${APP_DATABASE_PASSWORD:-outlay-app}"
  else
    die "Cannot connect to PostgreSQL as postgres on 127.0.0.1:5432: set DATABASE_URL"
  fi
}

# ensure_database NAME: create it if missing and export DATABASE_URL to it (unless DATABASE_URL was given: then the
# database it names is created if its server has none of that name and lets us; a name of letters, digits and _).
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    local query="" given="$DATABASE_URL"
    case "$given" in *\?*) query="?${given#*\?}"; given="${given%%\?*}" ;; esac
    local gname="${given##*/}" gserver="${given%/*}"
    if [[ "$gname" =~ ^[A-Za-z0-9_]+$ ]] && [ "$(psql "$gserver/postgres$query" -Atc "select count(*) from pg_database where datname='$gname'" 2>/dev/null)" = 0 ]; then
      log "creating database $gname…"
      psql "$gserver/postgres$query" -qc "CREATE DATABASE \"$gname\"" >&2 || die "cannot create database $gname (DATABASE_URL)"
    fi
    return 0
  fi
  local name="$1"
  if [ "$(psql "$PG_SERVER_URL/postgres" -Atc "select 1 from pg_database where datname='$name'")" != 1 ]; then
    psql "$PG_SERVER_URL/postgres" -qc "CREATE DATABASE \"$name\"" >&2 || die "cannot create database $name"
  fi
  export DATABASE_URL="$PG_SERVER_URL/$name"
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    if ! command -v redis-server >/dev/null; then as_root_install Redis redis-server REDIS_URL; fi
    log "starting Redis…"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >&2 || true
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || die "Redis did not start on 127.0.0.1:6379"
  fi
  export REDIS_URL="redis://127.0.0.1:6379"
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing dependencies (npm ci)…"
    npm ci --no-audit --no-fund >&2 || die "npm ci failed"
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  as_root_install Chromium chromium CHROMIUM
}

# wait_http URL SECONDS: until it answers 2xx.
wait_http() {
  for _ in $(seq 1 "$2"); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  return 1
}
