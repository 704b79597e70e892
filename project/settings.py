"""govshare settings.

Every environment variable is read here and nowhere else. The defaults are the
embedded runtime (SQLite and a filesystem Celery broker under var/, console
email) with DEBUG off, so SECRET_KEY is required unless DEBUG=1 is set, as the
make targets and the tests do. Production differs only by environment (see
README, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

from catalog import limits as catalog_limits
from catalog.limits import MAX_ITEMS_PER_RESOURCE
from project.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("GOVSHARE_VAR_DIR", str(BASE_DIR / "var")))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

# Off unless asked for: a deploy that forgets DEBUG serves no debug pages, and
# one that forgets SECRET_KEY does not start. `make` targets, the tests and the
# embedded runner turn DEBUG on for development.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. In production set SECRET_KEY (50+ random characters); "
            "for development set DEBUG=1 (the make targets do)."
        )
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "viewflow",
    "viewflow.workflow",
    "organizations",
    "workflows",
    "requests.apps.RequestsConfig",
    "systems_inventory",
    "project_approvals",
    "notifications",
    "pdf_templates",
    "django_filters",
    "drf_spectacular_sidecar",
    "catalog",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Issue 15, item 10 (headers, see its block below): outermost, so every response carries them.
    "csp.middleware.CSPMiddleware",
    "workflows.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workflows.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Issue 15, items 2 and 7 (see their block below): inside every middleware that adds headers, before any
    # view or process_view reads the request.
    "workflows.middleware.RequestBodyLimitMiddleware",
    "workflows.middleware.NulByteMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

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
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# Every form renders with viewflow's Material layout and widgets, dates as YYYY-MM-DD (workflows.forms).
FORM_RENDERER = "workflows.forms.FormRenderer"

# Database. SQLite takes writes in IMMEDIATE transactions so that concurrent
# writers queue on the database lock instead of failing on lock upgrade.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'govshare.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}  # connection reuse: see "Issue 15 B10" below
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so a Celery worker subprocess in the integration
    # tests sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
# The second backend turns roles into the permissions each app registers for them (the flows name them).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "organizations.permissions.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "project.storage.ManifestStaticFilesStorage"
    },
}

# Email: console in the embedded default, SMTP when EMAIL_HOST is given.
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Bounds one SMTP conversation; must stay below NOTIFY_EMAIL_LEASE_SECONDS.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "govshare <noreply@govshare.local>")

# Celery. The filesystem broker needs no server; it keeps messages under var/.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
        # Kombu sleeps this long whenever the worker is busy, not only when the queue is empty:
        # the default second caps the worker at about one task a second.
        "polling_interval": 0.1,
    }
    # The filesystem transport fails on a missing folder.
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A cold shutdown (SIGQUIT, which `make run` sends on Ctrl-C) gives running tasks this many seconds, then
# hands them back; a warm one (SIGTERM, what a process supervisor sends) waits for them however long.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_int("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 2)
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Local hour at which each user's daily notification digest (每日汇总) goes out.
NOTIFY_DIGEST_HOUR = env_int("NOTIFY_DIGEST_HOUR", 8)
# Local hour of the nightly zombie system scan (systems_inventory.tasks.nightly_zombie_scan), at half past.
ZOMBIE_SCAN_HOUR = env_int("ZOMBIE_SCAN_HOUR", 2)
CELERY_BEAT_SCHEDULE = {
    "workflow-timers": {
        "task": "workflows.tasks.fire_workflow_timers",
        "schedule": crontab(minute="*"),
    },
    "render-pending-records": {
        "task": "pdf_templates.tasks.render_pending_records",
        "schedule": crontab(minute="*/5"),
    },
    "notifications-requeue-stuck-emails": {
        "task": "notifications.tasks.requeue_stuck_emails",
        "schedule": crontab(minute="*/2"),
    },
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=NOTIFY_DIGEST_HOUR, minute=0),
    },
    "workflows-evaluate-deadlines": {
        "task": "workflows.tasks.evaluate_deadlines",
        "schedule": crontab(minute="*/5"),
    },
    "requests-sweep-grants": {
        "task": "requests.tasks.sweep_grants",
        "schedule": crontab(minute=7),
    },
    "systems-inventory-zombie-scan": {
        "task": "systems_inventory.tasks.nightly_zombie_scan",
        "schedule": crontab(hour=ZOMBIE_SCAN_HOUR, minute=30),
    },
    "requests-refuse-for-withdrawn-resources": {
        "task": "requests.tasks.refuse_for_withdrawn_resources",
        "schedule": crontab(minute=17),
    },
    "requests-expire-scenarios": {
        "task": "requests.tasks.expire_scenarios",
        "schedule": crontab(minute=5),
    },
}

# Notifications (notifications/). The outbox re-queues an email still pending
# after NOTIFY_EMAIL_REQUEUE_AFTER_SECONDS (a broker outage at decision time),
# and a send claimed longer than the lease ago is taken as a dead worker's.
NOTIFY_EMAIL_MAX_ATTEMPTS = env_int("NOTIFY_EMAIL_MAX_ATTEMPTS", 6)
NOTIFY_EMAIL_RETRY_BASE_SECONDS = env_int("NOTIFY_EMAIL_RETRY_BASE_SECONDS", 60)
NOTIFY_EMAIL_REQUEUE_AFTER_SECONDS = env_int("NOTIFY_EMAIL_REQUEUE_AFTER_SECONDS", 120)
NOTIFY_EMAIL_LEASE_SECONDS = env_int("NOTIFY_EMAIL_LEASE_SECONDS", 300)


# Working days: reply deadline of a conditional-share application (国发〔2016〕51号).
SHARE_REPLY_WORKDAYS = env_int("SHARE_REPLY_WORKDAYS", 10)
# The reviewers are reminded this many working days before the reply deadline.
SHARE_REMIND_BEFORE_WORKDAYS = env_int("SHARE_REMIND_BEFORE_WORKDAYS", 2)
# Self-check reports (systems_inventory): the department's reminder this many working days before its due date.
SELF_CHECK_REMIND_BEFORE_WORKDAYS = env_int("SELF_CHECK_REMIND_BEFORE_WORKDAYS", 2)
# Construction projects (project_approvals): working days the data bureau has for its first review (初审).
PROJECT_REVIEW_WORKDAYS = env_int("PROJECT_REVIEW_WORKDAYS", 10)
# The funding gate (rule 5) fails a department whose share of late replies as a provider this year is at or above
# this rate (0.10 = 10%).
GATE_MAX_LATE_REPLY_RATE = env("GATE_MAX_LATE_REPLY_RATE", "0.10")
# Project materials (可行性研究报告 etc.): PDF, PNG or JPEG (checked by content), at most this size.
PROJECT_ATTACHMENT_MAX_BYTES = env_int("PROJECT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Zombie systems (systems_inventory.zombie_rules): a system is a candidate after this many days without use; one
# declared 每日 after this many; one declared connected to the sharing platform after this many without a call.
ZOMBIE_IDLE_DAYS = env_int("ZOMBIE_IDLE_DAYS", 180)
ZOMBIE_DAILY_SILENCE_DAYS = env_int("ZOMBIE_DAILY_SILENCE_DAYS", 30)
ZOMBIE_PLATFORM_SILENCE_DAYS = env_int("ZOMBIE_PLATFORM_SILENCE_DAYS", 90)
# The shutdown chain: the department's objection window after a 关停通知书, its time to dispose of the data
# (again after a disposition is rejected), and its reminders before each, in working days.
SYSTEM_OBJECTION_WORKDAYS = env_int("SYSTEM_OBJECTION_WORKDAYS", 10)
SYSTEM_DISPOSITION_WORKDAYS = env_int("SYSTEM_DISPOSITION_WORKDAYS", 20)
SYSTEM_REMIND_BEFORE_WORKDAYS = env_int("SYSTEM_REMIND_BEFORE_WORKDAYS", 2)
# The largest file an objection or a disposition's evidence may attach (PDF, PNG or JPEG, checked by content).
SYSTEM_ATTACHMENT_MAX_BYTES = env_int("SYSTEM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# The longest period a share application may ask for (and so a grant may last).
SHARE_MAX_PERIOD_YEARS = env_int("SHARE_MAX_PERIOD_YEARS", 5)
# The longest absence a user may name a substitute (代理人) for, in calendar days, first and last included.
SUBSTITUTION_MAX_DAYS = env_int("SUBSTITUTION_MAX_DAYS", 90)
# Each process keeps the calendar overrides this long (workflows.workdays); 0 reads them every time.
CALENDAR_OVERRIDES_CACHE_SECONDS = env_int("CALENDAR_OVERRIDES_CACHE_SECONDS", 60)
# Application letters and other attachments: PDF, PNG or JPEG (checked by content), at most this size.
SHARE_ATTACHMENT_MAX_BYTES = env_int("SHARE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# Records (pdf_templates). Fonts are CSS font-family lists: operators with licensed
# 方正小标宋 / 仿宋_GB2312 / 黑体 put them first, e.g. RECORDS_FONT_HEADING='"方正小标宋简体", "AR PL UMing CN"'.
# The default is one Ming (宋体-style) face, AR PL UMing (Debian fonts-arphic-uming), with Noto as the fallback
# for characters it lacks. WeasyPrint's subsetting keeps glyph ids, so a PDF pays for the highest glyph id it
# uses: UMing's common hanzi sit low (about 50 KB a page), Noto CJK's near id 63,000 (about 180 KB a face).
_RECORDS_FONT = '"AR PL UMing CN", "Noto Serif CJK SC"'
RECORDS_FONT_HEADING = env("RECORDS_FONT_HEADING", _RECORDS_FONT)
RECORDS_FONT_BODY = env("RECORDS_FONT_BODY", _RECORDS_FONT)
RECORDS_FONT_SANS = env("RECORDS_FONT_SANS", _RECORDS_FONT)
# PAdES signing: PEM file paths (manage.py make_signing_cert makes a self-signed pair). Unset: records are unsigned,
# except in development (DEBUG), where `manage.py load_demo` makes a self-signed demo pair in this folder and
# records are signed with it from then on. Never in production: there it is None.
RECORDS_SIGNING_KEY = env("RECORDS_SIGNING_KEY", "")
RECORDS_SIGNING_CERT = env("RECORDS_SIGNING_CERT", "")
RECORDS_SIGNING_KEY_PASSPHRASE = env("RECORDS_SIGNING_KEY_PASSPHRASE", "")
RECORDS_SIGNING_DEMO_DIR = VAR_DIR / "signing" if DEBUG and not (RECORDS_SIGNING_KEY or RECORDS_SIGNING_CERT) else None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "project.api.exception_handler",
}

# The resource form posts every item of a resource at once, up to 8 fields each (id, name, type, length,
# precision, description, level, delete) plus about 30 for the resource. Django's default of 1,000 fields
# answered HTTP 400 to the edit of a resource with more than about 135 items; this fits the most items a
# resource may have (catalog.limits), with room to spare.
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_ITEMS_PER_RESOURCE * 10 + 100

# --- Issue 15, item 3: catalog spreadsheet import limits (defaults and reasons in catalog.limits) ---
# Refused before reading beyond these; a workbook is run in the request up to the INLINE sizes
# (declared: inflated bytes, and rows when its sheets declare dimensions), in a Celery task above.
CATALOG_IMPORT_MAX_ROWS = env_int("CATALOG_IMPORT_MAX_ROWS", catalog_limits.IMPORT_MAX_ROWS)
CATALOG_IMPORT_MAX_COLUMNS = env_int("CATALOG_IMPORT_MAX_COLUMNS", catalog_limits.IMPORT_MAX_COLUMNS)
CATALOG_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "CATALOG_IMPORT_MAX_UNCOMPRESSED_BYTES", catalog_limits.IMPORT_MAX_UNCOMPRESSED_BYTES
)
CATALOG_IMPORT_MAX_COMPRESSION_RATIO = env_int(
    "CATALOG_IMPORT_MAX_COMPRESSION_RATIO", catalog_limits.IMPORT_MAX_COMPRESSION_RATIO
)
CATALOG_IMPORT_INLINE_MAX_BYTES = env_int("CATALOG_IMPORT_INLINE_MAX_BYTES", catalog_limits.IMPORT_INLINE_MAX_BYTES)
CATALOG_IMPORT_INLINE_MAX_ROWS = env_int("CATALOG_IMPORT_INLINE_MAX_ROWS", catalog_limits.IMPORT_INLINE_MAX_ROWS)
# A running import job whose heartbeat is older than this is marked failed (its process died):
# by the beat task below, and when its page is opened.
CATALOG_IMPORT_HEARTBEAT_TIMEOUT = env_int(
    "CATALOG_IMPORT_HEARTBEAT_TIMEOUT", catalog_limits.IMPORT_HEARTBEAT_TIMEOUT_SECONDS
)
CELERY_BEAT_SCHEDULE["catalog-fail-stale-imports"] = {
    "task": "catalog.tasks.fail_stale_import_jobs",
    "schedule": crontab(minute="*/2"),
}
# --- end of issue 15, item 3 ---

# Cache: Redis when CACHE_URL (or REDIS_URL) is set, so every web process shares the
# grant check API's rate limits; a per-process memory cache otherwise.
CACHE_URL = env("CACHE_URL", "") or env("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "govshare",
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Grant check API (/api/grants/check): requests per API token, as DRF rates ("600/min", "20/second").
GRANT_CHECK_RATE = env("GRANT_CHECK_RATE", "600/min")
# Each web process remembers the check's answers until a write that can change one moves the shared stamp
# (requests.services.grant_check_cache). Only with a shared cache: a memory cache cannot tell other processes.
GRANT_CHECK_ANSWER_CACHE = env_bool("GRANT_CHECK_ANSWER_CACHE", bool(CACHE_URL))
GRANT_CHECK_ANSWER_CACHE_SIZE = env_int("GRANT_CHECK_ANSWER_CACHE_SIZE", 10_000)
# Each page's side menus, drawn once per user and page and kept until a write they read commits (workflows.menus).
# Only with a shared cache; a release's new menus show within MENU_CACHE_SECONDS.
MENU_CACHE = env_bool("MENU_CACHE", bool(CACHE_URL))
MENU_CACHE_SECONDS = env_int("MENU_CACHE_SECONDS", 300)

# --- Issue 15, items 2 and 7: request guards (workflows.middleware) and the public verify page ---
# Every request's body is bounded by Content-Length before it is read: REQUEST_BODY_MAX_BYTES by default, a
# path prefix's own limit in REQUEST_BODY_LIMITS (the longest prefix wins). The default fits the largest form
# (an application with several attachments of SHARE_ATTACHMENT_MAX_BYTES, a catalog spreadsheet).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 100 * 1024 * 1024)
# /verify/ is public: a record is well under 1 MB, so the upload to check one is at most this size.
VERIFY_UPLOAD_MAX_BYTES = env_int("VERIFY_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
REQUEST_BODY_LIMITS = {"/verify/": VERIFY_UPLOAD_MAX_BYTES + 64 * 1024}
# Uploads checked on /verify/ per client address, per VERIFY_UPLOAD_WINDOW_SECONDS (the cache counts them).
VERIFY_UPLOADS_PER_WINDOW = env_int("VERIFY_UPLOADS_PER_WINDOW", 10)
VERIFY_UPLOAD_WINDOW_SECONDS = env_int("VERIFY_UPLOAD_WINDOW_SECONDS", 60)
# What the check of one uploaded PDF may read: compressed streams searched, and bytes inflated from each.
VERIFY_MAX_STREAMS = env_int("VERIFY_MAX_STREAMS", 200)
VERIFY_MAX_INFLATED_BYTES = env_int("VERIFY_MAX_INFLATED_BYTES", 1024 * 1024)
VERIFY_MAX_SIGNATURES = env_int("VERIFY_MAX_SIGNATURES", 5)

# --- Issue 15, item 5: login throttling (django-axes; organizations.login_throttle) ---
# After LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address (the site's login and the
# admin's), that pair is refused for LOGIN_LOCKOUT_MINUTES, the right password included; each further failure
# restarts the wait. The lockout is an audit event (organizations.login_locked_out); the admin's 访问尝试 unlocks.
INSTALLED_APPS.append("organizations.apps.AxesConfig")  # django-axes, named in Chinese
AUTHENTICATION_BACKENDS.insert(0, "organizations.login_throttle.LoginThrottleBackend")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes requires
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "workflows.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "organizations.login_throttle.lockout_response"
AXES_COOLOFF_MESSAGE = AXES_PERMALOCK_MESSAGE = "登录失败次数过多，已被锁定，请稍后再试或联系系统管理员解锁。"

# --- Issue 15, item 10: Content-Security-Policy (django-csp) and Permissions-Policy ---
# The pages load only our own static files (viewflow's Material frontend included): no inline <script>, no
# inline event handler (templates use static/govshare/js; tests/workflows/test_headers.py scans every template).
# An inline script that cannot move must carry nonce="{{ request.csp_nonce }}" (it runs on full page loads only:
# Turbo navigation keeps the first page's policy). Styles allow inline: viewflow's templates and Material
# components set style attributes, and Turbo adds its progress bar's <style>.
INSTALLED_APPS.append("csp")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
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
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Issue 15, item 8 and B10: the grant check in the exchange platform's hot path ------------------
# Persistent, health-checked database connections by default: a new PostgreSQL connection per request
# cost the grant check more than its queries. DB_CONN_MAX_AGE=0 goes back to one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Wrong or disabled API tokens per client address before it gets 429 for the rest of the window.
GRANT_CHECK_BAD_TOKEN_RATE = env("GRANT_CHECK_BAD_TOKEN_RATE", "20/min")
# The grant check's call counters (cache) into the statistics table, and tokens' last use.
CELERY_BEAT_SCHEDULE["requests-flush-grant-check-stats"] = {
    "task": "requests.tasks.flush_grant_check_stats",
    "schedule": crontab(minute="*"),
}
# --- end issue 15 B10 ------------------------------------------------------------------------------

# 数据看板 (dashboard/): the daily aggregates are counted again every night (and whenever beat runs the task);
# the 情况通报 draft is written on BULLETIN_SCHEDULE, a crontab "minute hour day_of_week" (default Monday 08:00).
BULLETIN_SCHEDULE = env("BULLETIN_SCHEDULE", "0 8 mon")
DASHBOARD_AGGREGATE_HOUR = env_int("DASHBOARD_AGGREGATE_HOUR", 1)
_bulletin_minute, _bulletin_hour, _bulletin_weekday = BULLETIN_SCHEDULE.split()
CELERY_BEAT_SCHEDULE["dashboard-refresh-daily-figures"] = {
    "task": "dashboard.tasks.refresh_daily_figures",
    "schedule": crontab(hour=DASHBOARD_AGGREGATE_HOUR, minute=15),
}
CELERY_BEAT_SCHEDULE["dashboard-draft-bulletin"] = {
    "task": "dashboard.tasks.draft_scheduled_bulletin",
    "schedule": crontab(minute=_bulletin_minute, hour=_bulletin_hour, day_of_week=_bulletin_weekday),
}

# Production hardening: active whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "project.logfilters.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint and fontTools log every layout step at INFO; django-axes its banner before every command.
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "axes.apps")},
        # Django's own console handler (DEBUG only) would write each record a second time, after the root's.
        "django": {"handlers": [], "level": "INFO"},
        # A refused request (403, 404) is one line, without the traceback of the exception that refused it.
        "django.request": {"filters": ["refusals_in_one_line"]},
    },
}
