"""Settings, read from the environment (see .env.example).

A bad value fails loudly at start-up rather than running half-configured.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from . import logs

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    # One reader with gunicorn.conf.py, which reads DEBUG too (surveyproject/logs.py).
    try:
        return logs.env_flag(name, default)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

# Required to serve (surveyproject/wsgi.py refuses to start without it, and Django refuses
# any use of an empty key), not to run a command that needs none: `makemigrations --check`
# on a fresh checkout, `check`. With DEBUG, a development key.
SECRET_KEY = env_str("SECRET_KEY") or (
    "insecure-development-key-only-used-with-DEBUG" if DEBUG else ""
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "widget_tweaks",
    "crispy_forms",
    "dsfr",
    "simple_history",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Before survey: survey's post_migrate gives the Miprof group audit's view permission,
    # which must exist by then (survey/roles.py).
    "audit",
    "survey",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the static files (hashed names, compressed) before any other work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor codes: request.user.is_verified(), then staff sent to the code page.
    "django_otp.middleware.OTPMiddleware",
    "survey.otp.StaffOTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "surveyproject.urls"

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
                "dsfr.context_processors.site_config",
            ],
        },
    },
]

# django-dsfr: mark optional fields rather than required ones (its announced default), and
# never render message or content text as HTML (it may echo what a user typed).
DSFR_MARK_OPTIONAL_FIELDS = True
DSFR_CONTENT_IS_SAFE = False

CRISPY_ALLOWED_TEMPLATE_PACKS = ["dsfr_crispy"]
CRISPY_TEMPLATE_PACK = "dsfr_crispy"

WSGI_APPLICATION = "surveyproject.wsgi.application"

# No DATABASE_URL: an SQLite file beside the project, so that the demo runs anywhere.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (OWASP's first choice, memory-hard; argon2-cffi): it also costs a third less
# CPU per login than PBKDF2 at Django's settings, which counts when hundreds of associations
# log in on the last days (bench/load.py). PBKDF2 hashes still work, and are upgraded to
# Argon2 at the next login.
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
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Log in by e-mail (any case); ModelBackend still takes an exact username. django-axes
# first: it refuses a locked-out attempt before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "survey.accounts.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A password reset link works for this many seconds (Django's default is 3 days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 24 * 60 * 60)
# An invitation link works for this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
if PASSWORD_RESET_TIMEOUT < 60 * 60:
    raise ImproperlyConfigured("PASSWORD_RESET_TIMEOUT must be at least 3600 (one hour).")
if INVITATION_VALID_DAYS < 1:
    raise ImproperlyConfigured("INVITATION_VALID_DAYS must be at least 1.")

# --- Authentication hardening: lockouts, sessions, two-factor codes ----------------------
# django-axes: LOGIN_FAILURE_LIMIT failed logins lock the account (whatever the address)
# and, separately, the address (whatever the accounts tried), for LOGIN_COOLOFF_MINUTES
# after the last failure. Per account stops guessing one password from many addresses;
# per address stops trying one common password on many accounts, whose addresses are
# easy to guess. An office behind one address shares its limit: raise it there if needed.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be >= 1.")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts while locked do not push the end of the lock back, so the page can say when.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A login forgets only that account's failures from that address (survey.accounts.
# login_failures_forgive), not every failure from the address as axes' reset would; a new
# password forgets the account's failures from every address (login_failures_forget_account).
AXES_RESET_ON_SUCCESS = False
# "ALICE@a.example" and "alice@a.example" are one account, hence one count.
AXES_USERNAME_CALLABLE = "survey.accounts.axes_username"
AXES_CLIENT_IP_CALLABLE = "survey.accounts.client_ip"
AXES_LOCKOUT_CALLABLE = "survey.accounts.lockout_response"
# The audit log (audit app) records every login: no second log in axes' tables.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many proxies in front of the site append to X-Forwarded-For (0: the site is reached
# directly and the header, which anyone can send, is ignored). See survey.accounts.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# Sessions end after SESSION_IDLE_MINUTES without a request (every request renews them)
# and when the browser closes. Two hours by default: a page of the questionnaire can take
# a while to fill with documents at hand, and an expired session loses what was typed.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
if SESSION_COOKIE_AGE < 5 * 60:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 5.")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Staff and superusers confirm each login with a code from an authenticator app (TOTP,
# django-otp): survey/otp.py. It may be turned off for a local demo (DEBUG) only; the test
# settings turn it off for the pages that are not about it.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", default=True)
if not OTP_REQUIRED_FOR_STAFF and not DEBUG:
    raise ImproperlyConfigured("OTP_REQUIRED_FOR_STAFF can only be turned off with DEBUG=1.")
OTP_TOTP_ISSUER = "Enquête TEH Miprof"
# Superusers may delete a lost phone's device in the admin, never read its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves `collectstatic`'s output through WhiteNoise: hashed names (cached for
# ever by browsers) and gzip/brotli copies. With DEBUG, the files come from the apps as
# they are, without collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Miprof — enquête TEH <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be set.")

# Who at the Miprof receives the associations' messages (comma-separated); empty: every
# active staff account.
MIPROF_NOTIFICATION_EMAILS = env_list("MIPROF_NOTIFICATION_EMAILS")

# Publication mode of the tables: a count of victims under this threshold (and above 0)
# is shown "< 3" and hidden with the cells that would give it away (reports/suppression.py).
SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 3)
if SMALL_COUNT_THRESHOLD < 1:
    raise ImproperlyConfigured("SMALL_COUNT_THRESHOLD must be at least 1.")

# The site's address, for links in e-mails sent without a request (reminders from cron).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, not {SITE_URL!r}")

# --- Production: HTTPS behind a proxy, security headers ----------------------------------
# `manage.py check --deploy` passes with DEBUG=0 (tests/test_deploy.py). The app servers sit
# behind a TLS-terminating proxy or load balancer, the only one able to reach them, which
# sets X-Forwarded-Proto: Django believes it for that reason alone (the client's address
# is TRUSTED_PROXY_COUNT's business). With DEBUG (the demo on http://127.0.0.1:8000)
# nothing is forced to https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer probes each app server in plain http (surveyproject/health.py).
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF token from its cookie: forms carry it.
CSRF_COOKIE_HTTPONLY = True
# HSTS: one year in production. Preloading is for the registrable domain's owner to decide
# (the site lives on a subdomain, and leaving the browsers' preload list takes months), so
# it stays off unless asked for, and check --deploy's reminder about it is silenced then.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or more.")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): our own files only, no inline script or style
# (templates carry none: tests/e2e/test_csp.py loads the pages and listens for violations).
# data: images are DSFR's inline SVG icons in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Permissions-Policy (django-permissions-policy): the survey needs none of these features.
PERMISSIONS_POLICY = {
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
        "usb",
    )
}
# The DSFR's subresource integrity hashes are those of its files as shipped; collectstatic's
# manifest storage rewrites the url() in its CSS to hashed names, so they would no longer
# match. The files come from this very server, where SRI adds nothing.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# Logs on the standard error: JSON lines in production (one object per line, for the log
# collector), plain text with DEBUG. gunicorn.conf.py builds its own from the same code.
try:
    LOG_FORMAT = logs.log_format_from_env()
    LOG_LEVEL = logs.log_level_from_env()
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
LOGGING = logs.logging_config(LOG_FORMAT, LOG_LEVEL)
