#!/usr/bin/env bash
# Wagtail's bakerydemo, served beside newsroom for side-by-side throughput figures (issue 8).
#
# Nothing of bakerydemo lives in this repository: this script only clones it outside the repo,
# builds its venv, loads its demo data into PostgreSQL and serves it the way we serve newsroom
# (gunicorn, 2 sync workers, DEBUG off, PostgreSQL 15 on 127.0.0.1, access log on).
#
#   benchmarks/peer_bakerydemo.sh setup [MIRROR]          clone + venv + install + database + demo data
#   benchmarks/peer_bakerydemo.sh serve cache-off|cache-on PORT
#   benchmarks/peer_bakerydemo.sh urls [PORT]             blog detail, home, blog index
#   benchmarks/peer_bakerydemo.sh inprocess [REQUESTS]    those pages rendered in-process (test client)
#   benchmarks/peer_bakerydemo.sh stop [PORT]             stop one server (or every one this script started)
#
# Then, e.g.:  for u in $(benchmarks/peer_bakerydemo.sh urls 8701); do wrk -t2 -c16 -d15s --latency "$u"; done
#
# Source of the code: `git clone https://github.com/wagtail/bakerydemo` where the network allows.
# Our machines have no GitHub access; in an agent session the session's `fetch` tool
# (github:wagtail/bakerydemo) brings a bare mirror to /work/.mirror/wagtail+bakerydemo/repo, and
# `setup` clones from it when it exists (or from the path/URL given as MIRROR). The commit is
# printed; BAKERY_REF=<commit> pins one.
#
# cache-off: bakerydemo's own production settings (bakerydemo.settings.production: whitenoise,
#   django-redis as CACHES, i.e. what it runs with REDIS_URL set), with no page cache.
# cache-on: the same plus Django's per-site cache (UpdateCacheMiddleware first,
#   FetchFromCacheMiddleware last, 600 s) in the same Redis.
# Both use Redis db 9 (BAKERY_REDIS_URL), flushed at each `serve`; `serve` then requests each URL
# twice so image renditions are made and (cache-on) the pages are cached before wrk starts.
#
# Known differences from newsroom's side: bakerydemo pins Django>=6.0,<6.1 (Django 6.0.x here,
# newsroom runs 6.1); static files are collected and served by whitenoise (its production
# setting), but /media/ (image renditions) is not served with DEBUG off (bakerydemo only serves
# it under DEBUG), which does not matter for the HTML pages measured. wrk's default 2 s timeout
# drops the slowest answers from its latency figures (they appear as "timeout" socket errors);
# when it does, repeat with --timeout 30s for the true p99.
#
# Environment (defaults):
#   PEER_DIR=/work/peer          checkout in $PEER_DIR/bakerydemo, venv in $PEER_DIR/venv, pids/logs in $PEER_DIR/run
#   PEER_PYTHON=3.13.0           a pyenv version, or a path to a python executable
#   BAKERY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bakerydemo
#   BAKERY_REDIS_URL=redis://127.0.0.1:6379/9
#   BAKERY_WORKERS=2             gunicorn sync workers
#   BAKERY_ACCESS_LOG=file       file ($PEER_DIR/run/access-PORT.log), "-" (stdout) or "off"
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_DIR=${PEER_DIR:-/work/peer}
CHECKOUT=$PEER_DIR/bakerydemo
VENV=$PEER_DIR/venv
RUN=$PEER_DIR/run
PEER_PYTHON=${PEER_PYTHON:-3.13.0}
DEFAULT_MIRROR=/work/.mirror/wagtail+bakerydemo/repo
DATABASE_URL=${BAKERY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bakerydemo}
BENCH_REDIS=${BAKERY_REDIS_URL:-redis://127.0.0.1:6379/9}
WORKERS=${BAKERY_WORKERS:-2}
ACCESS_LOG=${BAKERY_ACCESS_LOG:-file}
# A fixed, strong key: only this throwaway benchmark copy uses it.
SECRET=${BAKERY_SECRET_KEY:-peer-bench-7f3c9a1e5d2b8046-not-for-production-q9Zr2xVw4Lk8Tn6Hj}

say() { printf '%s\n' "$*" >&2; }

bench_env() {
    export DJANGO_SETTINGS_MODULE=bakerydemo.settings.bench
    export DJANGO_SECRET_KEY=$SECRET
    export DATABASE_URL
    export BAKERY_REDIS_URL=$BENCH_REDIS
    export DJANGO_ALLOWED_HOSTS='*'
    export SECURE_SSL_REDIRECT=False
    export SECURE_HSTS_SECONDS=0
    export DJANGO_LOG_LEVEL=WARNING
    unset REDIS_URL REDIS_TLS_URL ELASTICSEARCH_ENDPOINT AWS_STORAGE_BUCKET_NAME GS_BUCKET_NAME || true
}

manage() { (cd "$CHECKOUT" && bench_env && "$VENV/bin/python" manage.py "$@"); }

python_bin() {
    if [[ -x $PEER_PYTHON ]]; then echo "$PEER_PYTHON"; else echo "$(pyenv prefix "$PEER_PYTHON")/bin/python"; fi
}

write_bench_settings() {
    # Our settings module, written into the (untracked part of the) checkout.
    cat >"$CHECKOUT/bakerydemo/settings/bench.py" <<'PY'
# Written by newsroom's benchmarks/peer_bakerydemo.sh: bakerydemo's production settings, served
# over plain HTTP on 127.0.0.1, caches in Redis, optional per-site page cache.
# ruff: noqa: F405
import os

from .production import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"

_redis = os.environ.get("BAKERY_REDIS_URL", "redis://127.0.0.1:6379/9")
_options = {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2}
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _redis,
        "KEY_PREFIX": "bakery",
        "OPTIONS": _options,
    },
    "renditions": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _redis,
        "KEY_PREFIX": "bakery-renditions",
        "OPTIONS": _options,
    },
}

if os.environ.get("BAKERY_PAGE_CACHE") == "on":
    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    CACHE_MIDDLEWARE_ALIAS = "default"
    CACHE_MIDDLEWARE_SECONDS = 600
    CACHE_MIDDLEWARE_KEY_PREFIX = "bakery-page"
PY
}

gunicorn_pin() {
    # The gunicorn newsroom ships (its hashed lock), so both sides run the same server.
    grep -oE '^gunicorn==[^ ]+' "$REPO_ROOT/requirements/prod.txt" 2>/dev/null || echo gunicorn
}

cmd_setup() {
    local source=${1:-}
    if [[ -z $source ]]; then
        if [[ -d $DEFAULT_MIRROR ]]; then source=$DEFAULT_MIRROR; else source=https://github.com/wagtail/bakerydemo; fi
    fi
    mkdir -p "$PEER_DIR" "$RUN"
    if [[ ! -d $CHECKOUT/.git ]]; then
        say "cloning bakerydemo from $source"
        git clone -q "$source" "$CHECKOUT"
    fi
    if [[ -n ${BAKERY_REF:-} ]]; then git -C "$CHECKOUT" checkout -q "$BAKERY_REF"; fi
    say "bakerydemo at $(git -C "$CHECKOUT" log -1 --format='%H (%cs) %s')"

    if [[ ! -x $VENV/bin/python ]]; then
        local py
        py=$(python_bin)
        say "venv with $("$py" --version)"
        "$py" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip
    fi
    # requirements/base.txt plus the production pins we serve with (psycopg, whitenoise,
    # django-redis) and newsroom's gunicorn. The rest of requirements/production.txt (uwsgi, boto3,
    # google-cloud-storage, elasticsearch 5, aws-requests-auth, basic-auth) is only imported
    # when its environment variable is set, and is not installed.
    # shellcheck disable=SC2046
    (cd "$CHECKOUT" && "$VENV/bin/pip" install -q -r requirements/base.txt \
        $(grep -E '^(psycopg|whitenoise|django-redis)' requirements/production.txt) "$(gunicorn_pin)")
    "$VENV/bin/pip" freeze | grep -iE '^(django|wagtail|gunicorn|psycopg|whitenoise|django-redis)==' >&2

    write_bench_settings

    local db=${DATABASE_URL##*/} server=${DATABASE_URL%/*}
    if psql "$server/postgres" -Atc "select 1 from pg_database where datname='$db'" | grep -q 1; then
        say "database $db exists (drop it to reload: dropdb -h 127.0.0.1 -U postgres $db)"
    else
        psql "$server/postgres" -qc "create database $db"
        manage migrate --noinput -v0
        manage load_initial_data
    fi
    manage migrate --noinput -v0
    manage collectstatic --noinput -v0
    manage check
    say "setup done; serve with: $0 serve cache-off|cache-on PORT"
}

cmd_serve() {
    local mode=${1:-} port=${2:-}
    [[ $mode == cache-off || $mode == cache-on ]] && [[ $port =~ ^[0-9]+$ ]] ||
        { say "usage: $0 serve cache-off|cache-on PORT"; exit 2; }
    [[ -x $VENV/bin/gunicorn ]] || { say "run '$0 setup' first"; exit 1; }
    mkdir -p "$RUN"
    write_bench_settings
    if [[ -f $RUN/gunicorn-$port.pid ]] && kill -0 "$(cat "$RUN/gunicorn-$port.pid")" 2>/dev/null; then
        say "a server already runs on $port (pid $(cat "$RUN/gunicorn-$port.pid")); '$0 stop $port' first"; exit 1
    fi
    local redis_db=${BENCH_REDIS##*/}
    redis-cli -n "$redis_db" flushdb >/dev/null
    local log_args=()
    case $ACCESS_LOG in
        off) ;;
        -) log_args=(--access-logfile -) ;;
        *) log_args=(--access-logfile "$RUN/access-$port.log") ;;
    esac
    bench_env
    if [[ $mode == cache-on ]]; then export BAKERY_PAGE_CACHE=on; else export BAKERY_PAGE_CACHE=off; fi
    "$VENV/bin/gunicorn" bakerydemo.wsgi:application \
        --chdir "$CHECKOUT" --workers "$WORKERS" --worker-class sync \
        --bind "127.0.0.1:$port" "${log_args[@]}" \
        --error-logfile "$RUN/error-$port.log" \
        --pid "$RUN/gunicorn-$port.pid" --daemon \
        --control-socket "$RUN/gunicorn-$port.ctl"
    local i
    for i in $(seq 1 100); do
        if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then
            say "bakerydemo ($mode, $WORKERS sync workers) on http://127.0.0.1:$port/ pid $(cat "$RUN/gunicorn-$port.pid")"
            # Warm both workers' first request and the page cache.
            for u in $(cmd_urls "$port"); do curl -fsS -o /dev/null "$u"; curl -fsS -o /dev/null "$u"; done
            return 0
        fi
        sleep 0.2
    done
    say "server did not answer on $port; see $RUN/error-$port.log"
    tail -20 "$RUN/error-$port.log" >&2 || true
    exit 1
}

cmd_urls() {
    local port=${1:-8701}
    # A blog post (the first by path, i.e. the one the blog index lists first in tree order),
    # the home page and the blog index, read from the database so they stay right if the demo
    # data changes.
    local paths
    paths=$(cd "$CHECKOUT" && bench_env && "$VENV/bin/python" - <<'PY'
import django
django.setup()
from bakerydemo.blog.models import BlogIndexPage, BlogPage
from wagtail.models import Site
site = Site.objects.get(is_default_site=True)
post = BlogPage.objects.live().public().order_by("path").first()
index = BlogIndexPage.objects.live().public().first()
print(post.relative_url(site))
print("/")
print(index.relative_url(site))
PY
)
    local p
    for p in $paths; do echo "http://127.0.0.1:$port$p"; done
}

cmd_stop() {
    local port=${1:-} pidfile pid
    shopt -s nullglob
    local files
    # The glob unquoted: "${port:-*}" inside quotes was a literal "*", so a plain `stop`
    # stopped nothing.
    if [[ -n $port ]]; then files=("$RUN/gunicorn-$port.pid"); else files=("$RUN"/gunicorn-*.pid); fi
    for pidfile in "${files[@]}"; do
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            say "stopped gunicorn $pid ($pidfile)"
        fi
        rm -f "$pidfile"
    done
}

cmd_inprocess() {
    # bakerydemo's pages rendered in-process by Django's test client, page cache off: the
    # peer of benchmarks/render_speed.py (same method: warm-up, then p50/p95 of wall time
    # and of this process's CPU per request).
    local requests=${1:-100}
    local paths
    paths=$(cmd_urls | sed -E 's#^https?://[^/]+##')
    (cd "$CHECKOUT" && bench_env && "$VENV/bin/python" - "$requests" $paths <<'PY'
import statistics, sys, time

import django

django.setup()
from django.test import Client

requests, paths = int(sys.argv[1]), sys.argv[2:]
client = Client()
print(f"bakerydemo in-process (Django test client, no page cache), {requests} requests per page")
for path in paths:
    for _ in range(10):
        assert client.get(path).status_code == 200, path
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    q95 = sorted(wall)[int(len(wall) * 0.95) - 1]
    print(f"{path:<24} p50 {statistics.median(wall):8.2f} ms  p95 {q95:8.2f} ms  cpu p50 {statistics.median(cpu):8.2f} ms")
PY
    )
}

case ${1:-} in
    setup) shift; cmd_setup "$@" ;;
    inprocess) shift; cmd_inprocess "$@" ;;
    serve) shift; cmd_serve "$@" ;;
    urls) shift; cmd_urls "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
