"""Settings for the portal: one module, switched by environment variables (django-environ).

Required in production (DEBUG off): SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL.
For development and tests (EMBEDDED_SERVICES, on with DEBUG): without DATABASE_URL the embedded
PostgreSQL under var/ is started; without REDIS_URL Celery runs tasks eagerly in the web process
and the cache is process-local. The README lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "development-only-key-never-used-without-DEBUG-0123456789abcdef"

# HTTPS turns on every transport-security setting (HSTS, secure cookies, redirect).
# It follows DEBUG unless set: production is HTTPS, a laptop and the test server are not.
HTTPS = env.bool("HTTPS", default=not DEBUG)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Reverse proxies in front of the portal that append to X-Forwarded-For (nginx: 1). The client
# address for throttling and the audit log is read that many hops from the right.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal",
    "providers",
    "services",
    "ratings",
    "matching",
    "volunteers",
    "socialorgs",
    # Last: its demo publishes the first release of every dataset from the other apps' data.
    "openData",
]

MIDDLEWARE = [
    "portal.middleware.RequestSizeLimitMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

# Development and tests may run without PostgreSQL and Redis installed; production must not
# silently fall back to a database inside the container or to per-process task execution.
EMBEDDED_SERVICES = env.bool("EMBEDDED_SERVICES", default=DEBUG)
for _required in ("DATABASE_URL", "REDIS_URL"):
    if not EMBEDDED_SERVICES and not env.str(_required, default=""):
        raise ImproperlyConfigured(
            f"{_required} is not set. Production needs PostgreSQL and Redis: set DATABASE_URL "
            "and REDIS_URL, or set EMBEDDED_SERVICES=true (or DEBUG=true) to use the embedded "
            "database and eager tasks on a development machine."
        )

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from portal.embedded_db import embedded_database_url

    DATABASES = {"default": env.db_url_config(embedded_database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Short interactive queries: PostgreSQL's JIT compiler costs more (30+ ms on a search) than it
# saves on them. Reports and exports that would profit run on workers and may turn it back on.
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["options"] = (
    DATABASES["default"]["OPTIONS"].get("options", "") + " -c jit=off"
).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery ---------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_database(url: str) -> str:
    """The same Redis server, the next database number: the cache never shares a database with
    queued tasks, so evicting or clearing the cache cannot drop a task."""
    base, _, number = url.rpartition("/")
    if base.startswith("redis") and number.isdigit() and "//" in base:
        return f"{base}/{int(number) + 1}"
    return url.rstrip("/") + "/1"


CACHE_URL = env.str("CACHE_URL", default=_next_redis_database(REDIS_URL) if REDIS_URL else "")

if CACHE_URL:
    CACHES = {
        "default": {
            # A down cache must not take pages down: it reads as empty (portal/cache.py), with
            # short timeouts so that errors surface fast.
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "matching.tasks.*": {"queue": "matching"},
    # Social-work requests are matched by the matching machinery, on its queue.
    "socialorgs.tasks.socialwork_match": {"queue": "matching"},
    "openData.tasks.*": {"queue": "opendata"},
}
# A task is acknowledged only when it finished, and a task whose worker died is handed to another
# worker: every task must therefore be idempotent (it is, by the services it calls).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A stopped or unreachable Redis fails a task's dispatch in seconds, not after the system's TCP
# timeout; portal/dispatch.py then runs the task in the web process.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "portal.tasks.beat_heartbeat", "schedule": 60.0},
    # Nightly, in this order: licence notices, listing visibility, then the next weeks' slots.
    "notify-expiring-licences": {
        "task": "providers.tasks.notify_expiring_licences",
        "schedule": crontab(hour=1, minute=0),
    },
    "refresh-listing-visibility": {
        "task": "services.tasks.refresh_listing_visibility",
        "schedule": crontab(hour=1, minute=10),
    },
    # Credit after listing visibility: expired list entries, overdue rectifications, lapsed
    # licences, then every provider's grade.
    "refresh-credit": {
        "task": "ratings.tasks.refresh_credit",
        "schedule": crontab(hour=1, minute=20),
    },
    "materialise-slots": {
        "task": "services.tasks.materialise_slots",
        "schedule": crontab(hour=1, minute=30),
    },
    # Recurring plans book the coming days once the slots exist.
    "plans-book-ahead": {
        "task": "services.tasks.plans_book_ahead",
        "schedule": crontab(hour=2, minute=0),
    },
    "doctor-contract-renewals": {
        "task": "services.tasks.remind_contract_renewals",
        "schedule": crontab(hour=9, minute=0),
    },
    # Requested bookings the provider did not confirm (or the resident did not pay) in time.
    "expire-bookings": {"task": "services.tasks.expire_bookings", "schedule": 300.0},
    # Complaints past their stage's working-day deadline go to the supervising officials.
    "escalate-complaints": {"task": "ratings.tasks.escalate_complaints", "schedule": 900.0},
    "expire-grades": {
        "task": "ratings.tasks.expire_grades",
        "schedule": crontab(hour=1, minute=15),
    },
    # Quality scores against fresh domain priors and the day's time decay.
    "recompute-scores": {
        "task": "ratings.tasks.recompute_scores",
        "schedule": crontab(hour=3, minute=0),
    },
    # Match runs over every (domain, district) with open needs; unchanged inputs reuse a result.
    "match-open-needs": {"task": "matching.tasks.match_open_needs", "schedule": 300.0},
    # Social-work requests still open or unmatched, all at once (places may have freed up).
    "socialwork-match": {"task": "socialorgs.tasks.socialwork_match", "schedule": 600.0},
    # Social-work proposals unanswered for SOCIALWORK_PROPOSAL_DAYS (or of organisations that
    # stopped serving) release their place; the requests are rematched. Idempotent.
    "socialwork-proposals-release": {
        "task": "socialorgs.tasks.socialwork_proposals_release",
        "schedule": crontab(minute=5),
    },
    # Charities' disclosure items unpublished past their due date: flagged once, the
    # organisation told, a credit event recorded (before the nightly credit refresh is read).
    "socialorgs-disclosures-overdue": {
        "task": "socialorgs.tasks.disclosures_flag_overdue",
        "schedule": crontab(hour=0, minute=40),
    },
    # Annual reports not handed in by SOCIALORG_ANNUAL_REPORT_DUE: flagged once, the
    # organisation told, a credit event recorded (before the nightly credit refresh is read).
    "socialorgs-annual-reports-overdue": {
        "task": "socialorgs.tasks.annual_reports_flag_overdue",
        "schedule": crontab(hour=0, minute=30),
    },
    # Open-data releases on each dataset's timetable (one run per timetable slot).
    "opendata-release-due": {"task": "openData.tasks.release_due", "schedule": 300.0},
    # Folders left by a release killed between its rename and its commit (never visible).
    "opendata-remove-orphans": {
        "task": "openData.tasks.remove_orphans",
        "schedule": crontab(hour=4, minute=30),
    },
    # Closed accounts past ACCOUNT_RETENTION_DAYS: pseudonymise what was retained.
    "purge-closed-accounts": {
        "task": "portal.tasks.purge_closed_accounts",
        "schedule": crontab(hour=4, minute=40),
    },
    # Time-bank hours past VOLUNTEER_TIMEBANK_EXPIRY_MONTHS expire (one posting per account
    # and day: a second run the same day does nothing).
    "timebank-expire": {
        "task": "volunteers.tasks.timebank_expire_daily",
        "schedule": crontab(hour=3, minute=20),
    },
    # Social organisations: list entries past their end date end, standings and credit
    # grades are recomputed (events age out of the three-year window); idempotent.
    "socialorgs-credit-refresh": {
        "task": "socialorgs.tasks.org_credit_refresh_daily",
        "schedule": crontab(hour=1, minute=35),
    },
}

# --- Accounts and authentication ------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: five failures for one phone number, or from one address (password spraying
# across many numbers), lock further attempts for 15 minutes. A success does not wipe the
# failures: otherwise an attacker could interleave logins to an account of their own.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "portal.accounts.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.lockout"
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "portal.netutils.client_ip"
# Lockouts are lifted with `manage.py axes_reset_username +86...`; the axes admin pages would
# list phone numbers unmasked.
AXES_ENABLE_ADMIN = False

# Key of the keyed hash (HMAC) under which ID numbers are kept; defaults to one derived from
# SECRET_KEY. Set it separately in production so that rotating SECRET_KEY keeps the hashes.
PII_HASH_KEY = env.str("PII_HASH_KEY", default=f"pii:{SECRET_KEY}")

# --- Bookings and payments ------------------------------------------------------------------

# The payment gateway (services/gateways): only the sandbox ships; its callbacks are signed
# with SANDBOX_GATEWAY_SECRET (derived from SECRET_KEY unless set).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="sandbox")
SANDBOX_GATEWAY_SECRET = env.str("SANDBOX_GATEWAY_SECRET", default=f"sandbox:{SECRET_KEY}")
# The platform's fee on captured payments, in basis points (100 = 1 %).
PLATFORM_FEE_BP = env.int("PLATFORM_FEE_BP", default=0)
# Seconds a search's result ids and facet counts are kept for the same parameters (popular
# searches repeat); rows are still read live, so a hidden listing never shows. 0 turns it off.
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=60)
# How many days ahead recurring plans book.
PLAN_BOOK_AHEAD_DAYS = env.int("PLAN_BOOK_AHEAD_DAYS", default=14)

# --- Reviews and quality scores -------------------------------------------------------------

# The Bayesian prior of a quality score counts as this many new reviews (ratings.services.scores).
RATINGS_PRIOR_WEIGHT = env.int("RATINGS_PRIOR_WEIGHT", default=5)
# A review this many days old weighs half as much as a new one in the score.
RATINGS_HALF_LIFE_DAYS = env.int("RATINGS_HALF_LIFE_DAYS", default=365)

# The version of the privacy notice residents consent to; bump it when the text changes.
PRIVACY_NOTICE_VERSION = "2026-11-01"
# Closing an account erases what must go at once (portal.accounts.services.user_erase); the
# records kept after it (complaint cases for supervision and credit appeals, the audit trail of
# who read the person's data) are pseudonymised this many days after closing by the nightly
# job portal.tasks.purge_closed_accounts.
ACCOUNT_RETENTION_DAYS = env.int("ACCOUNT_RETENTION_DAYS", default=365)

# --- Volunteers (volunteers.services) -------------------------------------------------------

# The version of the volunteer service agreement volunteers consent to at registration.
VOLUNTEER_AGREEMENT_VERSION = "2026-12-01"
# The check-in code shown at an activity works this many minutes before its start and after
# its end (outside that window it is refused).
VOLUNTEER_CODE_GRACE_MINUTES = env.int("VOLUNTEER_CODE_GRACE_MINUTES", default=30)
# The code shown changes every this many seconds (derived from the activity's secret seed and
# the time); the current and the previous code are accepted, so one typed as it changes works.
VOLUNTEER_CODE_ROTATE_SECONDS = env.int("VOLUNTEER_CODE_ROTATE_SECONDS", default=120)
# A volunteer may dispute a recorded time this many days after checking out.
VOLUNTEER_DISPUTE_DAYS = env.int("VOLUNTEER_DISPUTE_DAYS", default=30)
# A volunteer issues at most this many certificates of their hours a day (Asia/Shanghai).
VOLUNTEER_CERTIFICATES_PER_DAY = env.int("VOLUNTEER_CERTIFICATES_PER_DAY", default=20)
# Star levels (一星 … 五星) by cumulative confirmed hours.
VOLUNTEER_STAR_HOURS = [
    int(h) for h in env.list("VOLUNTEER_STAR_HOURS", default=[100, 300, 600, 1000, 1500])
]
# Time bank (时间银行): confirmed hours in these activity domains are banked; banked hours
# expire this many months after they came in (0: never); hours can be transferred only to a
# linked family member of at least this age.
VOLUNTEER_TIMEBANK_DOMAINS = env.list("VOLUNTEER_TIMEBANK_DOMAINS", default=["elderly"])
VOLUNTEER_TIMEBANK_EXPIRY_MONTHS = env.int("VOLUNTEER_TIMEBANK_EXPIRY_MONTHS", default=36)
VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE = env.int("VOLUNTEER_TIMEBANK_FAMILY_MIN_AGE", default=60)

# --- Social organisations (socialorgs.services) ---------------------------------------------

# The annual report for year Y is due on this month-day of year Y+1 (年检 by 31 May); the
# overdue job flags the ones still not submitted after it.
SOCIALORG_ANNUAL_REPORT_DUE = env.str("SOCIALORG_ANNUAL_REPORT_DUE", default="05-31")
# An evaluation grade (5A–1A) is valid for this many years from the day it was awarded.
SOCIALORG_GRADE_VALID_YEARS = env.int("SOCIALORG_GRADE_VALID_YEARS", default=5)
# Key of the private-field digests in the charity hash chain (donor and beneficiary names are
# not public, so their digest is keyed; the public fields are hashed as they are).
SOCIALORG_CHAIN_KEY = env.str("SOCIALORG_CHAIN_KEY", default="") or SECRET_KEY
# Weights of a social-work match's score components (each 0..1; socialorgs.services.socialwork
# .matching documents them). Override as JSON, e.g. SOCIALWORK_MATCH_WEIGHTS='{"distance": 0.5}'.
SOCIALWORK_MATCH_WEIGHTS = {
    "distance": 0.4,
    "quality": 0.25,
    "evaluation": 0.2,
    "credit": 0.15,
    **env.json("SOCIALWORK_MATCH_WEIGHTS", default={}),
}
# A social-work proposal holds one of the project's places until the resident answers; after
# this many days unanswered, the hourly job releases it (back to open, that project excluded)
# and the request is rematched.
SOCIALWORK_PROPOSAL_DAYS = env.int("SOCIALWORK_PROPOSAL_DAYS", default=3)

# --- Matching (matching.services.engine) ----------------------------------------------------

# Weights of the match score's components (each 0..1); the score is their weighted mean.
# Override as JSON: MATCHING_WEIGHTS='{"distance": 0.3, ...}' (missing keys keep the default).
MATCHING_WEIGHTS = {
    "distance": 0.25,
    "quality": 0.2,
    "grade": 0.1,
    "price": 0.15,
    "availability": 0.15,
    "language": 0.1,
    "continuity": 0.05,
    **env.json("MATCHING_WEIGHTS", default={}),
}
# Candidates kept per need: shown to the resident (rank 0 = the assignment) ...
MATCHING_TOP_K = env.int("MATCHING_TOP_K", default=3)
# ... and considered by the capacity-aware assignment.
MATCHING_MAX_CANDIDATES_PER_NEED = env.int("MATCHING_MAX_CANDIDATES_PER_NEED", default=30)
# Fault injection for tests only: hold a match run at a phase, e.g. "publishing=60" (seconds).
MATCHING_CHECKPOINT_DELAY = env.dict("MATCHING_CHECKPOINT_DELAY", cast={"value": float}, default={})

# --- Internationalisation --------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats per language (weekdays shown: people plan their services by them).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------

STATIC_URL = "/static/"
# Where collectstatic writes and WhiteNoise serves from (the image bakes it in at build time).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are served only through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# The largest request body accepted (the biggest upload form: a review with six 5 MB photos).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=32 * 1024 * 1024)
STATICFILES_MANIFEST = env.bool("STATICFILES_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATICFILES_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATICFILES_MANIFEST

# --- E-mail ----------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@portal.example.cn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: an API call without credentials gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # drf-spectacular, plus the error responses every operation can give.
    "DEFAULT_SCHEMA_CLASS": "portal.schema.PortalAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="600/minute"),
        # Public verification of credit codes and certificates: enough for people, not scrapers.
        "verify": env.str("VERIFY_RATE", default="30/minute"),
        # The open-data API, per client address (keys of conditional datasets have their own).
        "open": env.str("OPENDATA_ANON_RATE", default="60/minute"),
        # Wrong check-in codes per volunteer and activity (page and API); "10/10m" is ten per
        # ten minutes. Successful check-ins do not count.
        "volunteer-checkin": env.str("VOLUNTEER_CHECKIN_RATE", default="10/10m"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "互联网+社会服务 Portal API",
    "DESCRIPTION": (
        "Residents find and book eldercare, childcare, domestic and health services; providers "
        "manage their organisations; officials supervise within their jurisdiction. Errors share "
        'one shape: {"detail": ..., "code": ..., "fields": {...}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "DomainEnum": "providers.domains.Domain",
        "LicenceKindEnum": "providers.domains.LicenceKind",
        "CertificateKindEnum": "providers.models.staff.Certificate.Kind",
        "ProviderStatusEnum": "providers.models.organisations.Provider.Status",
        "ListingStatusEnum": "services.models.listings.Listing.Status",
        "UserRoleEnum": "portal.accounts.models.User.Role",
        "StaffRoleEnum": "providers.models.staff.StaffMember.Role",
        "BookingStatusEnum": "services.models.bookings.Booking.Status",
        "PlanStatusEnum": "services.models.bookings.Plan.Status",
        "ContractStatusEnum": "services.models.bookings.FamilyDoctorContract.Status",
        "PaymentStatusEnum": "services.models.payments.Payment.Status",
        "PackageStatusEnum": "services.models.payments.PrepaidPackage.Status",
        "DeskActionEnum": "services.services.bookings.DESK_ACTIONS",
        "ReviewActionEnum": "providers.models.organisations.ReviewEvent.Action",
        "ReviewStatusEnum": "ratings.models.reviews.Review.Status",
        "ReviewModerationActionEnum": "ratings.services.reviews.MODERATION_ACTIONS",
        "ComplaintStatusEnum": "ratings.models.complaints.Complaint.Status",
        "InspectionKindEnum": "ratings.models.inspections.Inspection.Kind",
        "InspectionStatusEnum": "ratings.models.inspections.Inspection.Status",
        "DepartmentEnum": "portal.accounts.models.User.Department",
        "DatasetAccessEnum": "openData.models.catalogue.Dataset.Access",
        "DatasetThemeEnum": "openData.models.catalogue.Dataset.Theme",
        "PublicationRunStatusEnum": "openData.models.releases.Run.Status",
        "DataApplicationStatusEnum": "openData.models.access.AccessApplication.Status",
        "ActivityDomainEnum": "volunteers.models.ActivityDomain",
        "ActivityStatusEnum": "volunteers.models.Activity.Status",
        "VolunteerOrganisationKindEnum": "volunteers.models.Organisation.Kind",
        "VolunteerOrganisationStatusEnum": "volunteers.models.Organisation.Status",
        "SignupStatusEnum": "volunteers.models.Signup.Status",
        "HourRecordStatusEnum": "volunteers.models.HourRecord.Status",
        "VolunteerSkillEnum": "volunteers.models.Skill",
        "TimeOfWeekEnum": "volunteers.models.TimeOfWeek",
        "CommendationLevelEnum": "volunteers.models.Commendation.Level",
        "HourDisputeStatusEnum": "volunteers.models.HourDispute.Status",
        "TimeBankAccountKindEnum": "volunteers.models.TimeBankAccount.Kind",
        "TimeBankTransactionKindEnum": "volunteers.models.TimeBankTransaction.Kind",
        "TimeBankRedemptionStatusEnum": "volunteers.models.TimeBankRedemption.Status",
        "SocialOrgPenaltyKindEnum": "socialorgs.models.credit.Penalty.Kind",
        "SocialOrgCreditListEnum": "socialorgs.models.credit.OrgListEntry.List",
        # ratings' red/black list keeps the name it had before the social organisations' lists.
        "ListEnum": "ratings.models.credit.CreditListEntry.List",
        "IllegalOrgStatusEnum": "socialorgs.models.credit.IllegalOrganisation.Status",
        "ComplaintSubjectKindEnum": "ratings.models.complaints.Complaint.SubjectKind",
        # socialorgs: the registry, annual reports and evaluations.
        "SocialOrgKindEnum": "socialorgs.models.registry.SocialOrganisation.Kind",
        "SocialOrgDomainEnum": "socialorgs.models.registry.OrgDomain",
        "SocialOrgStatusEnum": "socialorgs.models.registry.SocialOrganisation.Status",
        "SocialOrgStandingEnum": "socialorgs.models.registry.SocialOrganisation.Standing",
        "SocialOrgStatusChangeEnum": "socialorgs.serializers.registry.STATUS_CHANGE_CHOICES",
        "SocialOrgMemberRoleEnum": "socialorgs.serializers.registry.MEMBER_ROLE_CHOICES",
        "AnnualReportStatusEnum": "socialorgs.models.reports.AnnualReport.Status",
        "AnnualReportResultEnum": "socialorgs.models.reports.AnnualReport.Result",
        "AnnualReportDecisionEnum": "socialorgs.serializers.registry.REVIEW_DECISION_CHOICES",
        "PublicReportStatusEnum": "socialorgs.serializers.registry.PUBLIC_REPORT_STATUS_CHOICES",
        "EvaluationGradeEnum": "socialorgs.models.reports.Evaluation.Grade",
        # socialorgs: social work.
        "TargetGroupEnum": "socialorgs.models.socialwork.TargetGroup",
        "SocialWorkerLevelEnum": "socialorgs.models.socialwork.SocialWorker.Level",
        "SocialWorkProjectStatusEnum": "socialorgs.models.socialwork.SocialWorkProject.Status",
        "SocialWorkFundingEnum": "socialorgs.models.socialwork.SocialWorkProject.Funding",
        "ServiceRequestStatusEnum": "socialorgs.models.socialwork.ServiceRequest.Status",
        "ProjectReviewStatusEnum": "socialorgs.models.socialwork.ProjectReview.Status",
        "CatalogueItemStateEnum": "socialorgs.models.socialwork.CATALOGUE_STATES",
        # socialorgs: charity transparency.
        "FundraisingProjectStatusEnum": "socialorgs.models.charity.FundraisingProject.Status",
        "ChainEntryKindEnum": "socialorgs.models.charity.ChainEntry.Kind",
        "ChainEntryPartyEnum": "socialorgs.models.charity.ChainEntry.Party",
        "ChainFailureReasonEnum": "socialorgs.serializers.charity.FAILURE_REASONS",
    },
}

# --- Security headers --------------------------------------------------------------------------

SECURE_SSL_REDIRECT = HTTPS
# Container health probes speak plain HTTP to the web process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# Only the server reads the language cookie; never send it along with cross-site requests.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging -----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Demo data ---------------------------------------------------------------------------------

# Demo accounts carry a published password, so seed_demo creates them only when DEBUG is on.
DEMO_PASSWORD = "Demo-2026-portal"


# --- The city running this portal --------------------------------------------------------------

PORTAL_CITY_NAME = env.str("PORTAL_CITY_NAME", default="成都市")
PORTAL_CITY_CODE = env.str("PORTAL_CITY_CODE", default="510100")
PORTAL_SITE_NAME = env.str("PORTAL_SITE_NAME", default=f"{PORTAL_CITY_NAME}互联网+社会服务平台")
# The public address of the portal, for links inside published metadata (DCAT-AP, data packages).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
PORTAL_CITY_NAME_EN = env.str("PORTAL_CITY_NAME_EN", default="Chengdu")
PORTAL_SITE_NAME_EN = env.str(
    "PORTAL_SITE_NAME_EN", default=f"{PORTAL_CITY_NAME_EN} Internet + Social Services"
)


# --- Open data ----------------------------------------------------------------------------------

# Release files (immutable once published): staging/ while a run builds, releases/ when published.
OPENDATA_ROOT = Path(env.str("OPENDATA_ROOT", default=str(VAR_DIR / "opendata")))
# Tables longer than this are published as CSV only (JSON and XLSX do not suit millions of rows;
# XLSX stops at 1,048,576 anyway).
OPENDATA_DERIVED_MAX_ROWS = env.int("OPENDATA_DERIVED_MAX_ROWS", default=100_000)
# The contact point published with every dataset (an office line, never a person's mobile).
OPENDATA_CONTACT_PHONE = env.str("OPENDATA_CONTACT_PHONE", default="12345")
# Requests per minute per API key of a conditional dataset (the key's default).
OPENDATA_KEY_RATE = env.int("OPENDATA_KEY_RATE", default=60)
# Fault injection for tests only: a run pauses this many seconds at each checkpoint.
OPENDATA_STAGE_DELAY = env.float("OPENDATA_STAGE_DELAY", default=0.0)
