#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 (or at $DATABASE_URL) with the pgvector
# extension available, for the test suite. Run by ensure-services.sh.
#  - A local cluster on that port that is down is started (pg_ctlcluster). A server
#    elsewhere ($DATABASE_URL naming another host) is only checked.
#  - Without pgvector, it is built from Debian's source package and installed: Debian 12
#    has no binary package, but trixie's source package builds against PostgreSQL 15.
#    That needs root with apt-get (it adds a deb-src entry and installs the server's
#    development files).
# Prints one line of what it did; fails saying what is wrong and what to do.
#
#   bash scripts/ensure-postgres.sh                      ensure, as `pnpm test` does
#   bash scripts/ensure-postgres.sh build-pgvector DIR   only build pgvector and install it
#                                                        under DIR (make DESTDIR=DIR), to check
#                                                        the build without touching the server
set -uo pipefail

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
shown_url=$(printf '%s' "$url" | sed -E 's#^([a-z]+://[^:/@]*):[^@]*@#\1:***@#')
host=$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^:/?]*).*#\2#')
port=$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^@/]*@)?[^:/?]*:?([0-9]*).*#\2#')
port=${port:-5432}
case "$host" in 127.0.0.1 | localhost | "") local_server=1 ;; *) local_server="" ;; esac
did=()
log=$(mktemp -t cca-ensure-postgres.XXXXXX)
work=""
keep_log=""
cleanup() {
  if [ -n "$work" ]; then rm -rf "$work"; fi
  if [ -z "$keep_log" ]; then rm -f "$log"; fi
}
# What this run did, as "a; b; c".
what_was_done() {
  local IFS=";"
  echo "${did[*]}" | sed 's/;/; /g'
}
trap cleanup EXIT

fail() {
  echo "services: $*" >&2
  if [ -s "$log" ]; then
    keep_log=1
    echo "services: last lines of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
  fi
  exit 1
}

# One value from the server, or nothing (psql's complaint goes to the log).
query() {
  PGCONNECT_TIMEOUT=3 psql "$url" --no-password --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 \
    --command "$1" 2>>"$log"
}
answers() { [ "$(query 'select 1')" = "1" ]; }
pgvector_version() { query "select default_version from pg_available_extensions where name = 'vector'"; }

start_local_cluster() {
  if [ -z "$local_server" ]; then
    fail "PostgreSQL does not answer at DATABASE_URL ($shown_url); start that server, or unset DATABASE_URL to use the local one on 127.0.0.1:5432"
  fi
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    fail "PostgreSQL does not answer at $shown_url and is not installed (no pg_lsclusters): install PostgreSQL 15 (apt-get install postgresql-15) with trust auth for 127.0.0.1 in pg_hba.conf, or set DATABASE_URL"
  fi
  local version name status
  read -r version name status < <(pg_lsclusters --no-header | awk -v port="$port" '$3 == port { print $1, $2, $4; exit }')
  if [ -z "${version:-}" ]; then
    fail "PostgreSQL does not answer at $shown_url and no local cluster uses port $port (pg_lsclusters: $(pg_lsclusters --no-header | tr -s ' ' | paste -sd ';' -)); create one, e.g. pg_createcluster 15 main --port $port --start"
  fi
  if [ "$status" = "online" ]; then
    fail "PostgreSQL $version/$name is running but refuses $shown_url; the tests connect as postgres without a password (trust auth for 127.0.0.1 in /etc/postgresql/$version/$name/pg_hba.conf), or set DATABASE_URL"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start >>"$log" 2>&1 ||
    fail "could not start PostgreSQL $version/$name (pg_ctlcluster); see /var/log/postgresql/postgresql-$version-$name.log"
  for _ in $(seq 1 50); do
    if answers; then
      did+=("started PostgreSQL $version/$name")
      return
    fi
    sleep 0.2
  done
  fail "started PostgreSQL $version/$name, but it does not answer at $shown_url; see /var/log/postgresql/postgresql-$version-$name.log"
}

# The server's major version, or (when it does not answer) the newest one installed.
server_major() {
  local number
  number=$(query 'show server_version_num')
  if [ -n "$number" ]; then
    echo $((number / 10000))
  else
    find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1
  fi
}

ensure_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query --show --showformat='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq "${missing[@]}" || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }; } >>"$log" 2>&1 ||
    fail "could not install ${missing[*]} with apt-get"
  did+=("installed ${missing[*]}")
}

# Builds pgvector from Debian's source package and installs it (under $1 when given).
build_pgvector() {
  local destdir="${1:-}" major pg_config src_dir
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "pgvector is not available to PostgreSQL at $shown_url, and building it here needs root with apt-get; install it (https://github.com/pgvector/pgvector#installation), e.g. run this script as root"
  fi
  major=$(server_major)
  if [ -z "$major" ]; then fail "cannot tell which PostgreSQL to build pgvector for (none answers, none in /usr/lib/postgresql)"; fi
  pg_config="/usr/lib/postgresql/$major/bin/pg_config"

  if [ -z "$(apt-cache showsrc pgvector 2>/dev/null)" ]; then
    if [ ! -e /etc/apt/sources.list.d/cca-debsrc.sources ]; then
      printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm trixie" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        >/etc/apt/sources.list.d/cca-debsrc.sources
      did+=("added Debian source packages to apt (/etc/apt/sources.list.d/cca-debsrc.sources)")
    fi
    apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed"
    [ -n "$(apt-cache showsrc pgvector 2>/dev/null)" ] ||
      fail "apt knows no source package pgvector even with /etc/apt/sources.list.d/cca-debsrc.sources (Debian trixie deb-src)"
  fi
  ensure_debian_packages "postgresql-server-dev-$major" build-essential
  [ -x "$pg_config" ] || fail "$pg_config is missing after installing postgresql-server-dev-$major"

  work=$(mktemp -d -t cca-pgvector.XXXXXX)
  (cd "$work" && apt-get source --download-only pgvector/trixie) >>"$log" 2>&1 ||
    fail "could not download Debian's pgvector source package (apt-get source --download-only pgvector/trixie)"
  tar xzf "$work"/pgvector_*.orig.tar.gz -C "$work" >>"$log" 2>&1 || fail "could not unpack $(ls "$work"/pgvector_*.orig.tar.gz)"
  src_dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  [ -n "$src_dir" ] || fail "the pgvector source package unpacked into no pgvector-* folder in $work"
  # OPTFLAGS="": pgvector defaults to -march=native, which would tie the build to this CPU.
  make -C "$src_dir" PG_CONFIG="$pg_config" OPTFLAGS="" >>"$log" 2>&1 ||
    fail "building pgvector against PostgreSQL $major failed (make in $src_dir)"
  make -C "$src_dir" PG_CONFIG="$pg_config" OPTFLAGS="" ${destdir:+DESTDIR="$destdir"} install >>"$log" 2>&1 ||
    fail "installing pgvector failed (make install${destdir:+ DESTDIR=$destdir})"
  local version
  version=$(sed -nE "s/^default_version = '(.*)'/\1/p" "$src_dir/vector.control")
  did+=("built pgvector $version for PostgreSQL $major from Debian's source package and installed it${destdir:+ under $destdir}")
}

if [ "${1:-}" = "build-pgvector" ]; then
  [ -n "${2:-}" ] || fail "usage: bash scripts/ensure-postgres.sh build-pgvector DIR (DIR: where make install puts the files)"
  build_pgvector "$2"
  echo "services: $(what_was_done)"
  exit 0
fi

command -v psql >/dev/null 2>&1 ||
  fail "psql is not installed; install PostgreSQL 15 and its client (apt-get install postgresql-15 postgresql-client-15)"
answers || start_local_cluster
version=$(pgvector_version)
if [ -z "$version" ]; then
  if [ -z "$local_server" ]; then
    fail "the PostgreSQL server at DATABASE_URL ($shown_url) has no pgvector extension; install pgvector there (https://github.com/pgvector/pgvector#installation)"
  fi
  build_pgvector ""
  version=$(pgvector_version)
  [ -n "$version" ] || fail "pgvector was built and installed, but PostgreSQL $(server_major) still does not list the vector extension; is $shown_url another server?"
fi
summary="PostgreSQL $(server_major) answers at $shown_url, with pgvector $version"
if [ "${#did[@]}" -gt 0 ]; then
  summary="$(what_was_done); $summary"
fi
echo "services: $summary"
