#!/usr/bin/env bash
# Makes sure Redis answers on 127.0.0.1:6379 (or $REDIS_URL's port) for the test suite.
# Installs Debian's redis-server when it is missing and this user may (root with apt-get).
# Prints one line of what it did; fails with a clear message. Run by ensure-services.sh.
set -uo pipefail

redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_port=$(printf '%s' "$redis_url" | sed -E 's#^redis://([^@/]*@)?[^:/]+:?([0-9]*).*#\2#')
redis_port=${redis_port:-6379}

redis_answers() {
  node -e '
    const net = require("node:net");
    const s = net.connect(Number(process.argv[1]), "127.0.0.1");
    s.setTimeout(1000, () => process.exit(1));
    s.on("error", () => process.exit(1));
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1));
  ' "$redis_port"
}

if redis_answers; then
  echo "services: Redis answers on port $redis_port"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "services: installing redis-server (Debian package)"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq redis-server >/dev/null 2>&1; }) \
      || { echo "services: could not install redis-server with apt-get" >&2; exit 1; }
  else
    echo "services: Redis is not running on port $redis_port and redis-server is not installed; install Redis 7 (e.g. apt-get install redis-server) or set REDIS_URL" >&2
    exit 1
  fi
fi
echo "services: starting redis-server on 127.0.0.1:$redis_port (no persistence)"
redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
for _ in $(seq 1 50); do
  redis_answers && exit 0
  sleep 0.1
done
echo "services: redis-server did not come up on port $redis_port" >&2
exit 1
