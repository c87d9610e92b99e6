"""Settings for newsroom, read from environment variables (see README, "Configuration")."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from donations.limits import check_charge_limits
from newsroom.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or DEBUG=1)."
        )
    # Only for local development: a fixed key keeps sessions across restarts.
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"
elif not DEBUG:
    # --- Security hardening: a weak SECRET_KEY is refused ---------------------------------
    # Django only warns about a weak key (security.W009, and only under `check --deploy`);
    # in production it signs sessions, password resets and the donors' "manage" links, so we
    # refuse to start instead. The rule is W009's own predicate (at least 50 characters, 5
    # unique ones, no "django-insecure-" prefix), imported rather than copied so the two
    # cannot drift; it is private API, so tests/test_settings.py pins the behaviour.
    from django.core.checks.security.base import _check_secret_key

    if not _check_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for DEBUG off: it needs at least 50 characters, at least "
            "5 different characters, and must not start with 'django-insecure-'. Generate one "
            "with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin on newsroom's site: an impossible changelist filter is ignored, not a 500.
    "newsroom.admin_site.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # Full-text search fields and expressions (articles/search.py); inert on SQLite.
    "django.contrib.postgres",
    "taggit",
    "django_prose_editor",
    # The database task queue (django-tasks-db): always installed, so its table and admin
    # exist whichever TASKS_BACKEND runs; before the apps whose roles grant on it.
    "django_tasks_db",
    "images",  # the image library (below articles: imports none of our apps)
    "articles",
    "related",
    "donations",
    "republish",  # "Republish this story", the counting pixel, partner feed (republish/)
    "newsroom",  # the shared rate-limit counter (newsroom.ratelimit)
    "axes",  # admin login lockouts (see "Abuse limits" below)
    "demo",  # seed_demo and its data; nothing imports it
]

MIDDLEWARE = [
    # First: load-balancer probes /healthz and /readyz, answered before ALLOWED_HOSTS and the
    # HTTPS redirect (newsroom/health.py says why).
    "newsroom.health.HealthCheckMiddleware",
    # Then: serves stored public pages, and stores new ones with their final headers.
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early: input PostgreSQL cannot store (NUL) is a 400 before any view sees it.
    "newsroom.middleware.RejectUnstorableInputMiddleware",
    # Security headers: Content-Security-Policy (SECURE_CSP) and Permissions-Policy.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The request's language from its URL alone (/es/...), never from cookies or
    # Accept-Language: pages are cached by URL (newsroom/language.py says more). Before
    # CommonMiddleware, whose slash redirect resolves URLs in that language.
    "newsroom.language.URLLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which database this request reads (a replica for anonymous GETs); after auth, which it
    # asks. Not loaded at all without DATABASE_REPLICA_URLS (newsroom/db_router.py).
    "newsroom.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
                # The CSP nonce as {{ csp_nonce }}; the admin's {% csp_nonce_attr %} needs it.
                "django.template.context_processors.csp",
            ],
        },
    },
]

# The embedded SQLite file lets a fresh clone run with no database server;
# production and CI point DATABASE_URL at PostgreSQL.
_database_url = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hot public pages' few queries (newsroom/compiled.py) run as PostgreSQL prepared
# statements: planned once per connection instead of on every request (~1.1 ms each for the
# article page's reads). Everything else stays unprepared, as Django leaves it. Turn off
# behind a transaction-pooling PgBouncer older than 1.21 (or without max_prepared_statements).
# With it, each connection plans them once for all values (plan_cache_mode, newsroom/compiled.py).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

# --- Read replicas and sessions past one machine (newsroom/db_router.py; docs/deploy.md) ---
# DATABASE_REPLICA_URLS: comma-separated PostgreSQL streaming replicas of DATABASE_URL, as
# aliases replica_1, replica_2, ... Empty (the default): no router, no middleware, every
# query on the default database. Anonymous GETs read a replica; signed-in users, writes,
# transactions and a browser that has just POSTed read the primary (the module says why).
_replica_urls = env_list("DATABASE_REPLICA_URLS", [])
if _replica_urls and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL.")
for _number, _url in enumerate(_replica_urls, start=1):
    try:
        _replica = dj_database_url.parse(_url, conn_max_age=60)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS item {_number} is not a valid database URL: {exc}"
        ) from None
    # A replica that is down must cost a reader seconds at most, once, before we fall back.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # The test runner creates no database for a replica; a test that lists the alias
    # reads the test database's name through it (docs/deploy.md, "Read replicas").
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["newsroom.db_router.PrimaryReplicaRouter"] if _replica_urls else []
# How long a browser reads the primary after its own POST (read-your-writes; seconds).
DATABASE_PRIMARY_PIN_SECONDS = env_int("DATABASE_PRIMARY_PIN_SECONDS", 10)
# How long one process leaves a replica alone after it failed to answer (seconds).
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30)
# SESSION_STORE: db (default; sessions in PostgreSQL), cached_db (read from Redis, written
# through to the database: survives a Redis restart) or cache (Redis only). The Redis ones
# need REDIS_URL: a per-process memory cache would sign editors out between workers.
_session_store = env_str("SESSION_STORE") or "db"
if _session_store not in {"db", "cached_db", "cache"}:
    raise ImproperlyConfigured(
        f"SESSION_STORE must be db, cached_db or cache; got {_session_store!r}"
    )
if _session_store != "db" and not env_str("REDIS_URL"):
    raise ImproperlyConfigured(f"SESSION_STORE={_session_store} needs REDIS_URL (a shared cache).")
SESSION_ENGINE = f"django.contrib.sessions.backends.{_session_store}"
# --- end of read replicas and sessions ------------------------------------------------------

_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# English at the unprefixed URLs, Spanish under /es/ (newsroom/urls.py, newsroom/language.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as each language's readers expect them (newsroom/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]

# --- Page cache (newsroom/pagecache.py; docs/performance.md) -------------------------------
# Anonymous public pages from the shared cache, never stale (a generation bumped on every
# change). On by default only with Redis: without a shared cache, worker processes would
# each keep their own copy. PAGE_CACHE=1 turns it on for one process (make run).
PAGE_CACHE = env_bool("PAGE_CACHE", bool(_redis_url))
PAGE_CACHE_ALIAS = "default"
# How long an unchanged page may be kept (our cache; a change retires it at once).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# Each worker re-reads the shared generation at most this often (seconds; a change shows
# everywhere within it) and keeps this many pages in its own memory in front of Redis.
PAGE_CACHE_STATE_SECONDS = 0.1
PAGE_CACHE_LOCAL_ITEMS = env_int("PAGE_CACHE_LOCAL_ITEMS", 256)
# Each worker keeps the hubs' story counts (the paginator's "Page 1 of N") until the page
# cache's generation moves (articles/reads.py): the one piece of a hub's render that grows
# with the archive. Always with the page cache on; this keeps them with it off too (every
# hub request then renders). The same condition as PAGE_CACHE: a shared cache, or one
# process.
HUB_COUNT_CACHE = env_bool("HUB_COUNT_CACHE", bool(_redis_url))
# Pages for one reader (the donate flow, previews, search results) exist in every
# language: /donate/ and /es/donate/ alike.
_PAGE_CACHE_SKIP_PAGES = ("/donate/", "/preview/", "/search/")
PAGE_CACHE_SKIP_PREFIXES = (
    "/republish/pixel/",  # the counting pixel: never stored, so no lookup either
    "/static/",
    "/media/",
    "/admin/",
    *_PAGE_CACHE_SKIP_PAGES,
    *(f"/{code}{page}" for code, _name in LANGUAGES[1:] for page in _PAGE_CACHE_SKIP_PAGES),
    "/csrf-token/",
    "/healthz",
    "/readyz",
)
# Front cache (Varnish, deploy/varnish/): the s-maxage it may keep a page for, and the
# addresses that accept our BAN requests (comma-separated, e.g. http://127.0.0.1:6081/).
FRONT_CACHE_SECONDS = env_int("FRONT_CACHE_SECONDS", 300)
FRONT_CACHE_PURGE_URLS = env_list("FRONT_CACHE_PURGE_URLS", [])
FRONT_CACHE_PURGE_TIMEOUT = 0.5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Behind TLS in production: turn these on with the environment, not in code.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security headers and deploy settings (README "Production security settings") ---------
# HSTS for subdomains and preload are commitments for the whole domain, so they are opt-in;
# the documented production environment turns both on, which makes `check --deploy` clean.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Django's default, stated: a page we open (share links use rel=noopener anyway) cannot
# reach back into ours through window.opener.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Where the donate form's POST may end up: we answer it with a 303 to Stripe's hosted
# Checkout, and Chromium applies form-action to the redirects that follow a form POST.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
# Content-Security-Policy on every response (django.middleware.csp). Our pages load only
# our own files: no inline script anywhere (configuration travels in data- attributes and
# json_script blocks, which are data, not code). The nonce is for the admin, which adds it
# to its own tags and to the prose editor's inline <script type="importmap">
# ({% csp_nonce_attr media %} in admin/change_form.html): the one inline script we serve.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # No 'unsafe-inline' for styles either. The one inline style anywhere is the <style>
    # element Tiptap injects (".ProseMirror { position: relative; } ..."); django-prose-editor
    # does not pass Tiptap's injectNonce option, so that element is allowed by its hash.
    # After upgrading django-prose-editor, the admin browser test fails with the new hash
    # in Chromium's message if the CSS changed: replace it here.
    "style-src": [CSP.SELF, PROSE_EDITOR_STYLE_HASH],
    # Images and media are ours (MEDIA_URL); a CDN for uploads would be added here.
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, STRIPE_CHECKOUT_ORIGIN],
}
# Permissions-Policy (newsroom/permissions_policy.py): features no page of ours uses are
# switched off for us and for anything we might embed. payment=() too: Stripe Checkout is a
# redirect to Stripe's own page, never the Payment Request API on ours.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# Clipboard writes for the "Copy link" share button, from our own pages only.
PERMISSIONS_POLICY["clipboard-write"] = ["self"]
# --- end of security headers ------------------------------------------------------------

_email_backend = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "newsroom@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- The publication -------------------------------------------------------
SITE_NAME = env_str("SITE_NAME", "Newsroom")
# RSS/Atom items carry the whole sanitised body (content:encoded / content), not only the
# summary: on for readers who read in their feed reader, off to bring them to the site.
FEEDS_FULL_CONTENT = env_bool("FEEDS_FULL_CONTENT", False)
# Absolute origin used in canonical URLs, the attribution footer and feeds.
SITE_URL = (env_str("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "SITE_URL must be set to the site's public origin (e.g. https://news.example.org) "
        "when DEBUG is off: canonical URLs and the licence footer are built from it."
    )
DEFAULT_LICENCE = env_str("DEFAULT_LICENCE", "cc-by-nc-4.0")
ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 12)
if not 1 <= ARTICLES_PER_PAGE <= 100:
    raise ImproperlyConfigured(
        f"ARTICLES_PER_PAGE must be between 1 and 100; got {ARTICLES_PER_PAGE}"
    )

TAGGIT_CASE_INSENSITIVE = True
# Topics are typed freely in two languages; URL slugs stay ASCII ("migración" -> "migracion").
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True

# --- Donations (Stripe Checkout) -------------------------------------------
# Everything the donations app reads; see docs/donations.md. Keys come only from the
# environment: with none set the donate form renders and explains that online giving
# is not configured, so a fresh clone runs without Stripe.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "") or ""
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "") or ""
# Lets the same code talk to a Stripe-compatible test server (stripe-mock, a local stub).
STRIPE_API_BASE = (env_str("STRIPE_API_BASE") or "https://api.stripe.com").rstrip("/")
STRIPE_ALLOW_LIVE = env_bool("STRIPE_ALLOW_LIVE", False)
# Seconds a webhook's signed timestamp may be old before we refuse it (replay defence).
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
# Every Stripe call is bounded (the SDK's default is 80 s per try): worst case per call is
# (connect + read) x (1 + retries) plus the SDK's short back-off, about 13 s by default.
STRIPE_CONNECT_TIMEOUT = env_float("STRIPE_CONNECT_TIMEOUT", 2.0, low=0.1, high=30)
STRIPE_READ_TIMEOUT = env_float("STRIPE_READ_TIMEOUT", 4.0, low=0.1, high=60)
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 1)
if not 0 <= STRIPE_MAX_NETWORK_RETRIES <= 3:
    raise ImproperlyConfigured(
        f"STRIPE_MAX_NETWORK_RETRIES must be from 0 to 3; got {STRIPE_MAX_NETWORK_RETRIES}"
    )

if STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")) and not STRIPE_ALLOW_LIVE:
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is a live key but live payments are not allowed: "
        "set STRIPE_ALLOW_LIVE=1 to take real money, or use an sk_test_ key."
    )

# Currencies a donor may choose and each one's limits, as CODE:MIN:MAX in whole units of
# the currency (e.g. "USD:5:10000,EUR:5:10000"). The first one is the default.
# Stored in minor units (cents) from here on; money is never a float.
# Stripe's zero-decimal currencies: amounts are whole units, not hundredths.
_ZERO_DECIMAL_CURRENCIES = "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf"
# Stripe's three-decimal currencies: amounts are thousandths, yet Stripe wants the last
# digit to be 0. We do not model that rule, so they are refused rather than mis-scaled.
_THREE_DECIMAL_CURRENCIES = "bhd jod kwd omr tnd"


def _donation_currencies(raw: str) -> dict[str, dict[str, int]]:
    currencies: dict[str, dict[str, int]] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            code, low, high = item.split(":")
            low_units, high_units = int(low), int(high)
        except ValueError:
            raise ImproperlyConfigured(
                f"DONATION_CURRENCIES items must look like USD:5:10000; got {item!r}"
            ) from None
        code = code.strip().lower()
        if len(code) != 3 or not code.isalpha() or not 0 < low_units <= high_units:
            raise ImproperlyConfigured(f"DONATION_CURRENCIES has a bad entry: {item!r}")
        if code in _THREE_DECIMAL_CURRENCIES.split():
            raise ImproperlyConfigured(
                f"DONATION_CURRENCIES: {code.upper()} has three decimal places, "
                "which donations do not support; remove it."
            )
        exponent = 0 if code in _ZERO_DECIMAL_CURRENCIES.split() else 2
        low_minor, high_minor = low_units * 10**exponent, high_units * 10**exponent
        # Stripe refuses charges outside its per-currency limits: fail here, not on every gift.
        check_charge_limits(code, low_minor, high_minor, exponent, variable="DONATION_CURRENCIES")
        currencies[code] = {"min": low_minor, "max": high_minor, "exponent": exponent}
    if not currencies:
        raise ImproperlyConfigured("DONATION_CURRENCIES must name at least one currency.")
    return currencies


DONATION_CURRENCIES = _donation_currencies(
    env_str("DONATION_CURRENCIES") or "USD:5:10000,EUR:5:10000,GBP:5:10000"
)
DONATION_DEFAULT_CURRENCY = next(iter(DONATION_CURRENCIES))
# The estimated processing fee a donor may choose to cover: PERCENT of the gift plus a
# FIXED part (Stripe's standard card pricing). One formula: donations/money.py.


def _fee_percent(raw: str) -> Decimal:
    try:
        percent = Decimal(raw.strip())
    except InvalidOperation:
        percent = Decimal("NaN")
    # 100% or more has no total that leaves us the gift (the formula divides by 1 - p).
    if not percent.is_finite() or not Decimal(0) <= percent < Decimal(100):
        raise ImproperlyConfigured(
            f"DONATION_FEE_PERCENT must be a number from 0 to below 100, e.g. 2.9; got {raw!r}"
        )
    return percent


def _fee_fixed(raw: str, currencies: dict[str, dict[str, int]]) -> dict[str, int]:
    """The fixed part in minor units of each currency: ``30`` (the same number of minor
    units in every currency: 30 cents, 30 yen) or ``USD:30,EUR:25,JPY:40``."""
    problem = (
        f"DONATION_FEE_FIXED must be minor units (e.g. 30) or one CODE:minor-units per "
        f"currency offered (e.g. USD:30,EUR:25); got {raw!r}"
    )
    if raw.strip().isascii() and raw.strip().isdigit():
        return dict.fromkeys(currencies, int(raw))
    fixed: dict[str, int] = {}
    for item in (part.strip() for part in raw.split(",")):
        code, _, amount = item.partition(":")
        code = code.strip().lower()
        if code not in currencies or not (amount.isascii() and amount.strip().isdigit()):
            raise ImproperlyConfigured(problem)
        fixed[code] = int(amount)
    if missing := set(currencies) - set(fixed):
        raise ImproperlyConfigured(f"{problem} (missing {', '.join(sorted(missing)).upper()})")
    return fixed


DONATION_FEE_PERCENT = _fee_percent(env_str("DONATION_FEE_PERCENT") or "2.9")
DONATION_FEE_FIXED = _fee_fixed(env_str("DONATION_FEE_FIXED") or "30", DONATION_CURRENCIES)
# Receipts.
ORGANISATION_NAME = env_str("ORGANISATION_NAME") or SITE_NAME
TAX_STATEMENT = env_str(
    "TAX_STATEMENT",
    "No goods or services were provided in exchange for this contribution.",
)
# Card-testing defence: donation attempts allowed per client IP in a window (seconds).
DONATION_RATE_LIMIT = env_int("DONATION_RATE_LIMIT", 10)
DONATION_RATE_WINDOW = env_int("DONATION_RATE_WINDOW", 3600)
# "Manage my gift": link requests per IP per window, and how long an emailed link lives.
DONATION_MANAGE_RATE_LIMIT = env_int("DONATION_MANAGE_RATE_LIMIT", 5)
DONATION_MANAGE_LINK_MAX_AGE = env_int("DONATION_MANAGE_LINK_MAX_AGE", 3600)
# The thank-you page: lookups of session ids we do not know, per IP per window (guessing
# is the only use), and how often a pending gift may be re-checked with Stripe (seconds).
DONATION_THANKS_UNKNOWN_LIMIT = env_int("DONATION_THANKS_UNKNOWN_LIMIT", 30)
DONATION_THANKS_LOOKUP_INTERVAL = env_int("DONATION_THANKS_LOOKUP_INTERVAL", 15)

# --- Background tasks (Django's tasks framework; README "Background tasks") --------------
# Related refreshes, receipts and scheduled-publish follow-ups run as tasks. TASKS_BACKEND
# is "immediate" (in-process, right after the commit: `make run` and the tests need no
# worker), "database" (django-tasks-db: rows in PostgreSQL, run by `manage.py db_worker`),
# "redis" (optional, see below) or a backend's dotted path. The default is the database
# queue in production (DEBUG off on PostgreSQL) and immediate otherwise (DEBUG, or the
# embedded SQLite file).
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_redis.RedisTaskBackend",  # optional extra: .[redis-tasks]
}
_tasks_backend = env_str("TASKS_BACKEND") or (
    "database"
    if not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else "immediate"
)
if _tasks_backend not in _TASK_BACKENDS and "." not in _tasks_backend:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate, database, redis or a backend's dotted path; "
        f"got {_tasks_backend!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(_tasks_backend, _tasks_backend)}}
if _tasks_backend == "redis":
    # Redis streams (django-tasks-redis), worker `manage.py run_redis_tasks --continuous`.
    _tasks_redis_url = env_str("TASKS_REDIS_URL") or _redis_url
    if not _tasks_redis_url:
        raise ImproperlyConfigured("TASKS_BACKEND=redis needs TASKS_REDIS_URL or REDIS_URL.")
    INSTALLED_APPS.append("django_tasks_redis")
    TASKS["default"]["OPTIONS"] = {
        "REDIS_URL": _tasks_redis_url,
        "REDIS_KEY_PREFIX": env_str("TASKS_REDIS_PREFIX", "newsroom_tasks"),
        "REDIS_SOCKET_CONNECT_TIMEOUT": 5,
        "REDIS_HEALTH_CHECK_INTERVAL": 30,
    }
# Tasks that may fail for a while (a receipt while SMTP is down) retry this many times in
# all, waiting TASK_RETRY_DELAY seconds, then twice that, and so on (newsroom/tasks.py).
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_DELAY = env_int("TASK_RETRY_DELAY", 60)
if not 1 <= TASK_MAX_ATTEMPTS <= 20 or TASK_RETRY_DELAY < 0:
    raise ImproperlyConfigured(
        "TASK_MAX_ATTEMPTS must be 1 to 20 and TASK_RETRY_DELAY at least 0 seconds."
    )

# --- Republication (the republish app; README "Republish this story") -----------------
# Pixel hits are counted in Redis (REDIS_URL) or, without it, in each process's memory,
# and moved into the database at most once per this many seconds.
REPUBLISH_FLUSH_SECONDS = env_int("REPUBLISH_FLUSH_SECONDS", 60)
# Counter keys in Redis start with this (tests and benchmarks use their own).
REPUBLISH_KEY_PREFIX = env_str("REPUBLISH_KEY_PREFIX", "republish:")
REPUBLISH_REDIS_URL = _redis_url  # empty: count in process memory (make run)
# Each worker sums its hits for this long before one pipeline to Redis (0: every hit).
REPUBLISH_BUFFER_SECONDS = env_float("REPUBLISH_BUFFER_SECONDS", 1.0, low=0.0, high=60.0)
if REPUBLISH_FLUSH_SECONDS < 1:
    raise ImproperlyConfigured("REPUBLISH_FLUSH_SECONDS must be at least 1.")

# --- Related content (the related app; see docs/related.md) ------------------------------
# Optional overrides of related.engine.Weights, e.g. {"half_life_days": 180}.
RELATED_WEIGHTS: dict[str, float] = {}

# --- Abuse limits: login lockouts, write throttles, proxies (security hardening) ----------
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default)
# ignores the header, which any client can forge; behind one nginx/Caddy, 1. The throttles
# (newsroom.ratelimit.client_ip) and the login lockouts (django-axes, below) both read the
# client's address through that one function, so they always agree.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 to 5; got {TRUSTED_PROXY_COUNT}")

# Admin login lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one client IP, that pair is refused, even with the right password, for
# LOGIN_COOLOFF_MINUTES. By username+IP so that an attacker elsewhere cannot lock an editor
# out, and a shared office IP does not lock out colleagues. Attempts are stored in the
# database (shared by all workers) and listed in the admin ("Axes"), where a superuser can
# delete them to unlock early (or `manage.py axes_reset_username <name>`).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
_login_cooloff_minutes = env_int("LOGIN_COOLOFF_MINUTES", 60)
if AXES_FAILURE_LIMIT < 1 or _login_cooloff_minutes < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be positive.")
AXES_COOLOFF_TIME = timedelta(minutes=_login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a successful login clears that pair's earlier failures
# The lockout page (templates/admin/locked_out.html), status 429.
AXES_LOCKOUT_CALLABLE = "newsroom.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "newsroom.ratelimit.client_ip"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Reader write throttles (newsroom.ratelimit), per client IP and fixed window in seconds.
# Counts are shared by all workers: in Redis when REDIS_URL is set, otherwise in the
# database (newsroom.RateLimitCounter), never in a per-process memory cache.
COMMENT_RATE_LIMIT = env_int("COMMENT_RATE_LIMIT", 5)
COMMENT_RATE_WINDOW = env_int("COMMENT_RATE_WINDOW", 600)
HELPFUL_VOTE_RATE_LIMIT = env_int("HELPFUL_VOTE_RATE_LIMIT", 20)
HELPFUL_VOTE_RATE_WINDOW = env_int("HELPFUL_VOTE_RATE_WINDOW", 600)
for _name in ("COMMENT_RATE_WINDOW", "HELPFUL_VOTE_RATE_WINDOW"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1 second.")
# --- end of abuse limits ---------------------------------------------------------------

# --- Media: uploads on local disk or S3-compatible object storage (production runtime) ----
# MEDIA_STORAGE=filesystem (the default): files under MEDIA_ROOT, served at MEDIA_URL by the
# app itself, DEBUG or not (newsroom/media.py), or by nginx in front (README, "Media").
# MEDIA_STORAGE=s3: any S3-compatible store (AWS, MinIO, Ceph, R2...) through django-storages;
# pages link to the store (or S3_CUSTOM_DOMAIN, a CDN) and the app serves no /media/.
MEDIA_STORAGE = env_str("MEDIA_STORAGE") or "filesystem"
# How long browsers and caches keep an upload (seconds), on disk and on S3 alike.
MEDIA_MAX_AGE = env_int("MEDIA_MAX_AGE", 3600)
if MEDIA_STORAGE == "filesystem":
    SERVE_MEDIA = True
elif MEDIA_STORAGE == "s3":
    SERVE_MEDIA = False
    _s3_bucket = env_str("S3_BUCKET")
    if not _s3_bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET (the bucket's name).")
    _s3_options: dict[str, object] = {
        "bucket_name": _s3_bucket,
        # Unset: AWS itself. MinIO and others: their URL, e.g. http://127.0.0.1:9000.
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        # Keys prefix inside the bucket, so one bucket can hold several sites.
        "location": env_str("S3_PREFIX") or "",
        # "path" for stores without per-bucket host names (MinIO, a local test server).
        "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
        # A CDN or public host for the bucket ("media.example.org"): pages link there.
        "custom_domain": env_str("S3_CUSTOM_DOMAIN") or None,
        # Plain, permanent URLs by default: pages are cached, and a signed URL inside a
        # cached page would expire while the page is still served. The bucket (or its
        # CDN) must then allow public reads of these keys. S3_SIGNED_URLS=1 for a private
        # bucket, with the page cache's lifetime kept below S3_SIGNED_URL_SECONDS.
        "querystring_auth": env_bool("S3_SIGNED_URLS", False),
        "querystring_expire": env_int("S3_SIGNED_URL_SECONDS", 3600),
        # Django's rule, not django-storages' default: a second "photo.jpg" gets a new name
        # instead of silently replacing the first one (which an older article still shows).
        "file_overwrite": False,
        "object_parameters": {"CacheControl": f"public, max-age={MEDIA_MAX_AGE}"},
    }
    # Keys from the environment when given; otherwise boto3's own chain (AWS_ACCESS_KEY_ID,
    # ~/.aws, an instance or pod role), so no key needs to live in our environment at all.
    if env_str("S3_ACCESS_KEY_ID"):
        _s3_options["access_key"] = env_str("S3_ACCESS_KEY_ID")
        _s3_options["secret_key"] = env_str("S3_SECRET_ACCESS_KEY")
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
    # Pages show images from the store: the Content-Security-Policy must allow its origin.
    if _s3_options["custom_domain"]:
        _media_origin = f"https://{_s3_options['custom_domain']}"
    elif _s3_options["endpoint_url"]:
        _media_origin = str(_s3_options["endpoint_url"]).rstrip("/")
    else:
        _media_origin = "https://*.amazonaws.com"
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], _media_origin]
    SECURE_CSP["media-src"] = [CSP.SELF, _media_origin]
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3; got {MEDIA_STORAGE!r}")
# --- end of media ---------------------------------------------------------------------------

# --- image library (images/) ----------------------------------------------------------------
# An upload over either limit is refused with a message (images/validation.py). 40 MP covers
# any camera a reporter carries; a decompression bomb (a small file claiming huge
# dimensions) is refused from its header, before any pixel is decoded.
IMAGES_MAX_BYTES = env_int("IMAGES_MAX_BYTES", 20 * 1024 * 1024)
IMAGES_MAX_PIXELS = env_int("IMAGES_MAX_PIXELS", 40_000_000)
# Rendition widths, capped per crop and at the original's width (images/renditions.py).
IMAGES_WIDTHS = tuple(
    int(w) for w in env_list("IMAGES_WIDTHS", ["320", "480", "640", "960", "1280", "1600"])
)
# The editor's "insert from the library" button (static/images/library-image.js) and its
# sanitiser rule: django-prose-editor's documented way to add a Tiptap extension.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        # Lazy: the hashed name from the manifest (DEBUG off) is known only once apps load.
        "js": [static_lazy("images/library-image.js")],
        # The allowlist rule if the editor's own sanitiser were used; ours is
        # articles/sanitize.py, which allows the same <figure data-image> and nothing more.
        "extensions": {"LibraryImage": html_tags(["figure"], {"figure": ["data-image"]})},
    }
]
