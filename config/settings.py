"""Settings, all read from the environment (a `.env` file is optional).

Development needs nothing set. `DJANGO_ENV=production` turns on every secure setting and
refuses to start without `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"

if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"DJANGO_ENV=production requires {required} to be set.")

SECRET_KEY = env.str(
    "SECRET_KEY", default="development-only-key-never-used-in-production-0123456789"
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "security.admin_site.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ops",
    "accounts",
    "tokens",
    "people",
    "notifications",
    "webhooks",
    "security",
    "config.checks.SecurityChecksConfig",
]

MIDDLEWARE = [
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.policy.TwoFactorPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tokens.throttling.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections everywhere, development included (a new PostgreSQL connection per
# request made `make run` 5× slower than production), checked before reuse in each request.
DATABASES["default"] |= {
    "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
    "CONN_HEALTH_CHECKS": True,
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://token-portal")}
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="token-portal")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor authentication (TOTP, with recovery codes). The issuer names the codes in the
# authenticator app. Wrong codes are counted by the sign-in counter (THROTTLE_LOGIN_*), not by
# django-otp's per-device delays, so one limit holds for passwords and codes alike.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="token-portal")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin lists devices (staff remove a lost one) but never shows a TOTP key or a code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff need a verified second factor for the Django admin; on by default in production.
ADMIN_REQUIRES_TWO_FACTOR = env.bool("ADMIN_REQUIRES_TWO_FACTOR", default=PRODUCTION)
# Sudo mode: creating tokens, changing access, policy, invitations, roles and members asks for
# the password again (and a code) when the last one was checked longer ago than this.
SUDO_MODE_SECONDS = env.int("SUDO_MODE_SECONDS", default=15 * 60)

# Mail: EMAIL_URL is smtp://, smtp+tls://, consolemail:// (the default: mail is printed to the
# terminal that runs the server) or filemail://DIR. Tests use Django's in-memory backend.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="token-portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails start here; never from the request's Host header, which a client chooses.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# How long a password reset link works, in seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# How many reverse proxies sit in front of the app and append to X-Forwarded-For.
# 0 (the default) means the client IP is REMOTE_ADDR and forwarded headers are ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Rate limits, "count/period" with period s, min, hour or day; counted in the shared cache.
THROTTLE_RATES = {
    "token": env.str("THROTTLE_TOKEN_RATE", default="1000/min"),
    "auth_failure": env.str("THROTTLE_AUTH_FAILURE_RATE", default="60/min"),
    "revoke_leaked": env.str("THROTTLE_REVOKE_LEAKED_RATE", default="10/min"),
    # Sign-in failures (every form that checks a password), per client address and per
    # (address, email); never per email alone, so no one can lock a victim out.
    "login": env.str("THROTTLE_LOGIN_RATE", default="20/min"),
    "login_pair": env.str("THROTTLE_LOGIN_PAIR_RATE", default="10/min"),
}
# last_used_at / last_used_ip are written at most once per this many seconds per token.
TOKEN_LAST_USED_INTERVAL = env.int("TOKEN_LAST_USED_INTERVAL", default=60)

# Background jobs (Django's tasks API). The database backend needs no other server; any other
# django-tasks backend can be named here (it brings its own worker command).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}
# Workers enqueue the notifications sweep this often.
SWEEP_SECONDS = env.int("SWEEP_SECONDS", default=300)
# Webhooks: seconds an attempt may take; outside production, http:// and private or loopback
# addresses are accepted so that a receiver on this machine can be tried.
WEBHOOKS_TIMEOUT_SECONDS = env.int("WEBHOOKS_TIMEOUT_SECONDS", default=5)
WEBHOOKS_ALLOW_LOCAL = not PRODUCTION
# Where links in mails point.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.BearerTokenAuthentication",
        "tokens.authentication.BasicTokenAuthentication",
        "security.authentication.StrongSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["tokens.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "tokens.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],  # 415 for any other body
    # The browsable API is a development aid; production answers JSON only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # APIClient's default (multipart) would get 415
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": NUM_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "token-portal API",
    "DESCRIPTION": "Accounts, members and API tokens. A token acts as exactly one owner, "
    "with at most the owner's current role, narrowed by the token's scopes.",
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "OAS_VERSION": "3.1.0",  # nullable references as `oneOf: [ref, null]`, exact for validators
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tokens.schema.nullable_as_null_type",
    ],
    # PATCH bodies are documented as their serializers declare them: the views validate them
    # whole, so a field the server requires stays required.
    "COMPONENT_SPLIT_PATCH": False,
    # Tokens, invitations and webhook deliveries each have a `status`, each with its own enum name.
    "ENUM_NAME_OVERRIDES": {
        "TokenStatusEnum": "tokens.models.Status",
        "InvitationStatusEnum": "people.models.InvitationStatus",
        "DeliveryStatusEnum": "webhooks.models.Status",
        "RoleEnum": "accounts.models.Role",
        "ScopeEnum": "accounts.access.SCOPES",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes call the app directly over HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if NUM_PROXIES >= 1:  # without a proxy, the client itself would be setting this header
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix pins the cookies to this exact host over HTTPS, with no Domain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Every line carries the request id. JSON lines in production, text in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"()": "ops.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers are dropped: its lines go through the root's, like every line.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
