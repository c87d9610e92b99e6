"""gunicorn configuration for production (``make prod`` / ``manage.py serve_production``).

Every value can be overridden from the environment (the names below) or gunicorn's own
command-line flags; docs/performance.md has the measurements behind the choice of server.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer; got {raw!r}") from None


wsgi_app = "newsroom.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"

# Sync workers: each page is CPU work plus a few short PostgreSQL queries, so one request
# per process, and as many processes as the machine has cores plus one (that one covers
# the moments a worker waits on the database). WEB_CONCURRENCY is the convention hosting
# platforms set.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
worker_class = "sync"

# A request that takes longer than this is killed and its worker replaced: a stuck query or
# outbound call must not hold a worker forever (Stripe calls are bounded at ~13 s).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM / SIGHUP, workers finish the requests they hold for up to this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that keeps connections open to us (nginx upstream keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Each worker is replaced after about this many requests: slow leaks cannot grow forever.
# The jitter spreads the restarts so that the workers are never all new at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Logs to stdout/stderr, for the process manager (systemd's journal, docker logs).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The default format plus the request time in microseconds (%(D)s), for slow-page hunting.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# Workers' heartbeat files in memory, not on a disk that may stall (docker's overlay).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# The app is imported by each worker, not by the master: SIGHUP then starts workers on the
# new code (a deploy without dropping connections), and no database connection made while
# importing is ever shared across fork.
preload_app = False
# X-Forwarded-For is read by the app itself (TRUSTED_PROXY_COUNT, newsroom.ratelimit);
# gunicorn only needs to trust the proxy's scheme header from loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "newsroom"
