"""Casetracker settings: every value comes from the environment, with development defaults.

Run with DJANGO_DEBUG unset (or true) for development on SQLite. Production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "casetracker",
    "people",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside every middleware that may answer early, so it sees each response it must mark.
    "casetracker.cache_control.NoStoreForSignedInMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: both tell the user why they were sent to another page.
    "casetracker.idle_sessions.IdleSessionMiddleware",
    "casetracker.two_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casetracker.urls"
WSGI_APPLICATION = "casetracker.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers at once (an import and an edit): a transaction takes the write lock when it
    # begins and the other waits for it, instead of failing midway with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Sign-in, second factor, throttling and sessions (README: Settings) ------------------
# Admins and lawyers (casetracker.two_factor.is_privileged) need a second factor when this
# is true: on by default in production, off in development so the demo stays two commands.
CASETRACKER_REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Casetracker"
# Brute force on the code itself is slowed down per device by django-otp's throttling.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Admins may delete a lost device, never read its key or a user's recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes needs its backend first, and authenticate() to get the request (LoginView does).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "30")))
# Either counts on its own: a guessed password for one user from many addresses, or many
# users tried from one address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success forgives only that user's failures from that address (login_throttle).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "casetracker.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "casetracker.addresses.client_address"
# How many proxies in front of the app append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
# The sign-in throttle and the read log both take the address from casetracker.addresses.
CASETRACKER_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))

# A session ends when the browser closes, and after this many idle minutes (sliding: each
# request renews it; casetracker.idle_sessions). Staff (admins, lawyers) hold confidential
# data: a shorter default than researchers, who read no confidential case.
CASETRACKER_IDLE_MINUTES_STAFF = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES_STAFF", "30"))
CASETRACKER_IDLE_MINUTES = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "120"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The server-side backstop, should a browser keep its cookie past closing (session restore).
SESSION_COOKIE_AGE = 60 * max(CASETRACKER_IDLE_MINUTES_STAFF, CASETRACKER_IDLE_MINUTES)
# --- end of sign-in settings -------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("kk", _("Kazakh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Behind a TLS-terminating proxy in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


# --- Content-Security-Policy, Permissions-Policy, error pages ----------------------------
# Every page loads scripts, styles, images and data from this site alone, and no script
# written inline runs: markup that slips past escaping (a name typed as "<img onerror=…>")
# cannot execute. Our own templates carry no inline script or style.


def csp_hash(text):
    """The CSP source that allows one inline style, by the SHA-256 of its exact text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# The one inline style of a library template (simple_history/object_history_list.html, the
# paginator under a record's history), allowed by the hash of its exact text rather than by
# 'unsafe-inline' for every style. An upgrade that changes it fails tests/test_security_headers.py.
THIRD_PARTY_INLINE_STYLES = ["border-top: 0"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # 'unsafe-hashes' lets a hashed style *attribute* apply; nothing else inline does.
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            *(csp_hash(style) for style in THIRD_PARTY_INLINE_STYLES),
        ],
        # data: for images drawn inline, such as a second factor's QR code (an image runs no
        # script, and a data: URL reaches no one).
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features this application never uses, refused to every page and frame.
# Only names Chromium knows: it logs an error for each other one (tests/browser/test_csp.py).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",  # FLoC, Topics' predecessor: refused for browsers that have it
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
CSRF_FAILURE_VIEW = "casetracker.error_views.csrf_failure"
# --- end of Content-Security-Policy, Permissions-Policy, error pages ----------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The read log (people/access_log.py): how many days its entries are kept. The reader's
# address is found as the sign-in throttle finds it (DJANGO_PROXY_COUNT).
ACCESS_LOG_DAYS = int(os.environ.get("CASETRACKER_ACCESS_LOG_DAYS", "730"))
