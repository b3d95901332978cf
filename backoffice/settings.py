"""Backoffice settings: one module, read from the environment.

With no variables set you get the embedded default (SQLite, in-memory channel
layer, eager Celery, local-memory cache, DEBUG on only when DJANGO_DEBUG=1).
DATABASE_URL and REDIS_URL switch to real services; Django's own variables are
prefixed DJANGO_. Code never branches on "which mode": it only reads settings.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (bin/demo writes one: DJANGO_DEBUG=1 and a random secret key) is read when it
# exists, so a manage.py command typed by hand runs as the demo does; variables already in
# the environment win. Never in the image (.dockerignore) nor in the tests, which set
# DJANGO_READ_DOT_ENV_FILE=0 (pyproject.toml). DJANGO_DOT_ENV_FILE names another file.
DOT_ENV_FILE = Path(env("DJANGO_DOT_ENV_FILE", default=str(BASE_DIR / ".env")))
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and DOT_ENV_FILE.is_file():
    env.read_env(str(DOT_ENV_FILE))

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# A secret is required when DEBUG is off; the development fallback only exists with DEBUG on.
if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        # Django would only notice at first use; refuse to start instead.
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 varied characters.")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    # unfold without its own site: ours (apps.core.admin_site, unfold's site plus refusals
    # of hostile input) becomes admin.site through the admin's app config below.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.guardian",
    "unfold.contrib.simple_history",
    "unfold.contrib.import_export",
    "apps.core.admin_site.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "mptt",
    "guardian",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "apps.core",
    "apps.org",
    "apps.access",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "axes",
    "csp",
    "apps.security",
    "apps.audit",
    "apps.live",
    "apps.notifications",
    "apps.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response (django-csp, async-capable).
    "apps.security.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified() (django-otp's middleware, keeping the verified device in the
    # session), then the second-factor gate and session lifetimes (all async-capable; after
    # the messages, which tell why a session ended).
    "apps.security.middleware.OTPSessionMiddleware",
    "apps.security.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"
ASGI_APPLICATION = "backoffice.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the live server and the test runner read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's default random_page_cost (4) assumes spinning disks: it then scans all
    # employees rather than read a manager's subtree through its index (1.38x slower
    # pages, docs/benchmarks.md). 1.1 suits SSDs and cached data; options=... in
    # DATABASE_URL, or DJANGO_PG_RANDOM_PAGE_COST, override it.
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    if "options" not in pg_options:
        cost = env.float("DJANGO_PG_RANDOM_PAGE_COST", default=1.1)
        pg_options["options"] = f"-c random_page_cost={cost}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Employee"
# Axes first (it refuses locked-out sign-ins before a password is checked). Then one
# backend answers every permission question, guardian's object grants included
# (apps.access.scope); guardian's own backend would re-check them with more queries.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.access.backends.AccessBackend",
]
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: its password_changed hook ends the person's other sessions.
    {"NAME": "apps.security.sessions.EndSessionsOnPasswordChange"},
]
LOGIN_URL = "admin:login"

# --- Sign-in security (apps.security) ------------------------------------------

# Roles whose holders must use a second factor; others (Staff) may.
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES",
    default=["Administrator", "HR", "Manager", "Security officer", "Auditor"],
)
OTP_TOTP_ISSUER = "Backoffice"
OTP_EMAIL_SUBJECT = _("Your Backoffice sign-in code")
OTP_EMAIL_TOKEN_VALIDITY = 600
# Proxies of ours in front of the app that append to X-Forwarded-For; 0 trusts none.
# Read through django-ipware by apps.security.network.client_ip (AXES_CLIENT_IP_CALLABLE),
# so axes' own AXES_IPWARE_* settings are not used.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sessions end this long after sign-in, or after this long unused (apps.security.middleware);
# shorter for roles that require a second factor.
SESSION_LIFETIME_HOURS = env.float("SESSION_LIFETIME_HOURS", default=12.0)
SESSION_IDLE_MINUTES = env.float("SESSION_IDLE_MINUTES", default=120.0)
SESSION_LIFETIME_HOURS_OTP = env.float("SESSION_LIFETIME_HOURS_OTP", default=8.0)
SESSION_IDLE_MINUTES_OTP = env.float("SESSION_IDLE_MINUTES_OTP", default=30.0)
# The cookie and the stored session never outlive the longest lifetime.
SESSION_COOKIE_AGE = round(max(SESSION_LIFETIME_HOURS, SESSION_LIFETIME_HOURS_OTP) * 3600)
# A successful sign-in scoring this much risk (0-100) e-mails the security officers.
LOGIN_RISK_ALERT = env.int("LOGIN_RISK_ALERT", default=60)
# Lockout: failures within AXES_COOLOFF_TIME, per username+IP, then per IP (any username).
AXES_HANDLER = "apps.security.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
LOCKOUT_LIMITS = [
    env.int("LOCKOUT_USER_IP_LIMIT", default=5),
    env.int("LOCKOUT_IP_LIMIT", default=20),
]
AXES_FAILURE_LIMIT = LOCKOUT_LIMITS[0]
AXES_COOLOFF_TIME = env.float("LOCKOUT_MINUTES", default=15.0) / 60  # hours
AXES_CLIENT_IP_CALLABLE = "apps.security.network.client_ip"
AXES_USERNAME_CALLABLE = "apps.security.network.tried_username"
AXES_LOCKOUT_CALLABLE = "apps.security.views.lockout_response"
# Reset only after the whole sign-in (password and code) succeeded: a password success
# alone must not clear the count of wrong codes (apps.security.views.VerifyView).
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ADMIN = False
# Our login events record every attempt; axes' own log lines would repeat them.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
# Masked in the request data axes keeps with each failure (the password always is): a
# mistyped code is one digit away from a valid one.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# unfold's login form has no hidden "next" field: land on the admin, not /accounts/profile/.
LOGIN_REDIRECT_URL = "admin:index"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py >= 5 pools raise instead of waiting when full (pitfalls).
                        "max_connections": 1000,
                        # redis-py 8 reads for at most 5 s by default, as long as the
                        # layer's blocking pop waits (channels_redis brpop_timeout = 5):
                        # an idle socket's read timed out and killed its consumer, so
                        # pushes were lost while the page reconnected. No read timeout,
                        # as before redis-py 8: a finite one longer than the pop hangs
                        # the cancellation of a consumer's receive (redis-py 8.1; the
                        # sign-in gate's consumer tests hung for ever). A dead Redis is
                        # noticed by TCP keepalive instead.
                        "socket_timeout": None,
                        "socket_keepalive": True,
                    }
                ]
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# Without a broker, tasks run in the web process so the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "apply-due-transfers": {
        "task": "apps.org.tasks.apply_due_transfers",
        "schedule": crontab(hour=0, minute=5),
    },
    # Rights follow the validity window at every check; this only logs expiries and keeps
    # group membership (shown in lists) in line, so a few minutes of lag are harmless.
    "tidy-role-assignments": {
        "task": "apps.access.tasks.tidy_assignments",
        "schedule": crontab(minute="*/5"),
    },
    # Seal fresh audit entries into the hash chain: a new entry waits at most this long.
    "seal-audit-chain": {
        "task": "apps.audit.tasks.seal_audit_chain",
        "schedule": float(env.int("AUDIT_SEAL_INTERVAL_SECONDS", default=10)),
    },
    # Walk the whole chain once a day; a break e-mails the security officers.
    "verify-audit-chain": {
        "task": "apps.audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    # Warn holders of role assignments ending within a week (once per assignment).
    "warn-expiring-roles": {
        "task": "apps.notifications.tasks.warn_expiring_roles",
        "schedule": crontab(hour=7, minute=0),
    },
    # Jobs whose worker died (no heartbeat for JOBS_STALE_SECONDS) are marked failed.
    "reap-jobs": {"task": "apps.jobs.tasks.reap_jobs", "schedule": 60.0},
    "expire-job-results": {
        "task": "apps.jobs.tasks.expire_job_results",
        "schedule": crontab(hour=3, minute=15),
    },
}

# Beat keeps its schedule and each task's last run in the database (django-celery-beat), so
# the Tasks page reads when each periodic task last ran. CELERY_BEAT_SCHEDULE stays the
# source: the scheduler writes its entries into the database when beat starts. Eager (no
# broker, no beat) keeps Celery's default scheduler: nothing runs beat there.
if not CELERY_TASK_ALWAYS_EAGER:
    CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Background jobs (apps.jobs; docs/jobs.md) -----------------------------------

# Who runs a job: "celery" (a worker, real services) or "thread" (a small pool of threads in
# the web process: the embedded default, where eager Celery would run it inside the request
# and a worker could not reach the in-memory channel layer). "inline" is for tests.
JOBS_RUNNER = env("JOBS_RUNNER", default="thread" if CELERY_TASK_ALWAYS_EAGER else "celery")
JOBS_THREADS = env.int("JOBS_THREADS", default=2)
# A running job that has not reported for this long is marked failed (its worker died).
JOBS_STALE_SECONDS = env.int("JOBS_STALE_SECONDS", default=10 * 60)
# A queued job that waited this long for a worker is marked failed.
JOBS_QUEUED_MAX_SECONDS = env.int("JOBS_QUEUED_MAX_SECONDS", default=24 * 60 * 60)
# Result files are deleted this many days after their job ended.
JOBS_RESULT_DAYS = env.int("JOBS_RESULT_DAYS", default=7)
# Where result files are kept: private, served only by the job's download view.
JOBS_RESULT_DIR = Path(env("JOBS_RESULT_DIR", default=str(BASE_DIR / "private" / "job-results")))
# With no beat (the embedded default), opening the Jobs list reaps dead jobs.
JOBS_REAP_ON_LIST = env.bool("JOBS_REAP_ON_LIST", default=CELERY_TASK_ALWAYS_EAGER)

# --- Audit trail ------------------------------------------------------------

# The key of the audit chain's hashes. Set AUDIT_CHAIN_SECRET apart from the secret key in
# production (rotating the secret key must not break the chain) and never change it
# afterwards; ``check --deploy`` warns while it is the secret key.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_SECRET", default=SECRET_KEY)
# With no beat running (eager Celery, the embedded default), seal after each commit.
AUDIT_SEAL_ON_COMMIT = env.bool("AUDIT_SEAL_ON_COMMIT", default=CELERY_TASK_ALWAYS_EAGER)
AUDIT_SEAL_INTERVAL_SECONDS = env.int("AUDIT_SEAL_INTERVAL_SECONDS", default=10)
# How long history stays live; ``manage.py archive_audit`` moves older records to files.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=7 * 365)
AUDIT_ARCHIVE_DIR = Path(env("AUDIT_ARCHIVE_DIR", default=str(BASE_DIR / "audit-archive")))
# Processes one chain verification uses on PostgreSQL (stretches of the chain in parallel).
AUDIT_VERIFY_WORKERS = env.int("AUDIT_VERIFY_WORKERS", default=os.cpu_count() or 1)

# --- i18n -------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]  # unfold has no zh_Hans; ours win
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# Our format overrides (seconds in every time, amounts grouped by thousands): backoffice/formats.
FORMAT_MODULE_PATH = ["backoffice.formats"]
# The currency salaries are paid in (ISO 4217); apps/org/money.py writes it.
SALARY_CURRENCY = env("SALARY_CURRENCY", default="CNY")

# --- Static -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Jobs' result files (apps.jobs): outside MEDIA_ROOT, never served by URL.
    "job_results": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": JOBS_RESULT_DIR, "base_url": "/no-public-url/"},
    },
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Serve straight from the app folders when nothing was collected (the demo command).
WHITENOISE_USE_FINDERS = env.bool("DJANGO_WHITENOISE_USE_FINDERS", default=DEBUG)

# --- Security ---------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Trust X-Forwarded-Proto only when a proxy of ours sets it (and overwrites a client's):
# otherwise any client could claim HTTPS.
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4). Scripts only from our own origin, never inline
# (a template that needs one uses {{ request.csp_nonce }}). 'unsafe-eval' stays because
# unfold's Alpine.js (standard build) compiles every x-data/@click expression with the
# Function constructor; its CSP build cannot run unfold's templates. Styles only from
# our own origin too: our layout classes are in static/core/admin.css, unfold's palette
# is there instead of its inline <style> (UNFOLD["COLORS"]), and scripts style through
# the CSSOM (element.style), which CSP does not govern. The one hash allows the fixed
# <style> unfold's admin/change_list.html prints for a list without actions:
#   "#changelist table thead th:first-child {width: inherit}" (whitespace as unfold has it;
#   apps/core/tests/test_admin_css.py recomputes it from unfold's template).
# 'report-sample': a violation report quotes the style it refused (the first 40
# characters). data: images: the org chart's PNG export. 'self' covers same-host WebSockets (ws:/wss:)
# in CSP 3 browsers.
CSP_CHANGELIST_STYLE_HASH = "'sha256-+MEQ/O07HiRf96s+FyiSQj7xKrHjGPZWCed2MyGUBF4='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_EVAL, NONCE],
        "style-src": [SELF, CSP_CHANGELIST_STYLE_HASH, "'report-sample'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="backoffice@localhost")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- Third-party --------------------------------------------------------------

ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False
SIMPLE_HISTORY_REVERT_DISABLED = True  # revert arrives with the audit issue, with a reason
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

UNFOLD = {
    "SITE_TITLE": _("Backoffice"),
    "SITE_HEADER": _("Backoffice"),
    "SITE_SUBHEADER": _("People, access and security"),
    "SITE_SYMBOL": "corporate_fare",
    "SITE_FAVICONS": [
        {"rel": "icon", "type": "image/svg+xml", "href": lambda request: static("core/favicon.svg")}
    ],
    # The sign-in form: unfold's, with a refusal that does not speak of "staff accounts".
    "LOGIN": {"form": "apps.security.sign_in.SignInForm"},
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": "apps.core.admin_site.environment_callback",
    "DASHBOARD_CALLBACK": "apps.org.dashboard.dashboard_callback",
    # Our classes and unfold's palette, in a stylesheet: the policy allows no inline style.
    "STYLES": [lambda request: static("core/admin.css"), lambda request: static("live/live.css")],
    # live.js defines window.BackofficeLive before any page's deferred script (docs/live.md).
    "SCRIPTS": [lambda request: static("core/admin.js"), lambda request: static("live/live.js")],
    # unfold prints COLORS in an inline <style>; empty, the palette comes from admin.css.
    "COLORS": lambda request: {},
    # The user menu (top right): everyone's own profile, password, sessions, backup codes.
    "ACCOUNT": {"navigation": "apps.core.admin_site.account_links"},
    # The palette (Ctrl+K, or the sidebar's search box) finds people and departments too,
    # within the reader's scope; its answers are never served from unfold's cache
    # (apps.core.admin_site._forget_cached_search).
    "COMMAND": {
        "search_callback": "apps.access.search.search_callback",
        "search_models": False,
        "show_history": False,
    },
    "SIDEBAR": {
        "show_search": True,
        "command_search": True,
        "show_all_applications": False,
        "navigation": "apps.core.admin_site.navigation",
    },
}

# One handler, on the root: every record is printed once. Django's own "django" logger
# comes with a console handler of its own (printing under DEBUG) that would print each
# record a second time on its way up to the root; it gets none here. The development
# server's access log (daphne's "django.channels.server") is the one line per request.
# "django.request" adds a line for 4xx and 5xx: a refusal (4xx) is a decision, not a
# fault, so it never carries a traceback, and under DEBUG (the demo's runserver, whose
# access line already says it) it is left out; a 5xx keeps its traceback
# (backoffice/log_filters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "refusals": {
            "()": "backoffice.log_filters.RefusalsWithoutTraceback",
            "keep_line": not DEBUG,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["refusals"]},
        # Every attempt is a LoginEvent row; axes' INFO lines would repeat each one.
        "axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")},
    },
}
