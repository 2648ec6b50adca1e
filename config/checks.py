"""System checks for the settings this project's security depends on.

The deploy-only ones run with `manage.py check --deploy`; the others on every start."""

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
OPEN_PERMISSIONS = "rest_framework.permissions.AllowAny"


class SecurityChecksConfig(AppConfig):
    """Installed so that importing this module registers the checks below."""

    name = "config"
    label = "security_checks"
    verbose_name = "Security checks"


@register(Tags.security)
def check_password_hashers(app_configs, **kwargs):
    hashers = settings.PASSWORD_HASHERS
    if not hashers or not hashers[0].endswith("Argon2PasswordHasher"):
        return [
            Error(
                "Argon2PasswordHasher must come first in PASSWORD_HASHERS.",
                hint="New passwords are hashed with the first hasher; Argon2 is the slow one.",
                id="token_portal.E001",
            )
        ]
    return []


@register(Tags.security)
def check_default_permissions(app_configs, **kwargs):
    classes = settings.REST_FRAMEWORK.get("DEFAULT_PERMISSION_CLASSES") or []
    if not classes or OPEN_PERMISSIONS in classes:
        return [
            Error(
                "REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'] must not be empty or AllowAny.",
                hint="Every API view is closed unless it opens itself on purpose.",
                id="token_portal.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES:
        return [
            Warning(
                "The default cache is local to one process.",
                hint="Rate limits must be counted in a cache every web process shares: "
                "set CACHE_URL to Redis.",
                id="token_portal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs, **kwargs):
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Warning(
                "ALLOWED_HOSTS contains '*'.",
                hint="Name the host names this site is served under.",
                id="token_portal.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_shared_database(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "The database is SQLite, a file only this machine can reach.",
                hint="Set DATABASE_URL to PostgreSQL for production.",
                id="token_portal.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_admin_two_factor(app_configs, **kwargs):
    if not getattr(settings, "ADMIN_REQUIRES_TWO_FACTOR", False):
        return [
            Warning(
                "The Django admin does not require a second factor.",
                hint="Staff can change every account there: set ADMIN_REQUIRES_TWO_FACTOR=on "
                "(the default when DJANGO_ENV=production).",
                id="token_portal.W004",
            )
        ]
    return []
