"""InScope settings: one file, driven by environment variables (every one is listed in .env.example)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from inscope.lib.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# With DEBUG off and no key, it stays empty: serving refuses to start (inscope.wsgi, `inscope runserver`) and
# Django refuses anything that would sign with it, but commands that never sign (policy, migrate, dose import)
# still run. See inscope/lib/secret_key.py.
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "inscope.audit",
    "inscope.department",
    "inscope.staff",
    "inscope.policy",
    "inscope.supervision",
    "inscope.competencies",
    "inscope.exams",
    "inscope.dose",
    "inscope.dicom",
    "inscope.equipment",
    "inscope.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "inscope.urls"
WSGI_APPLICATION = "inscope.wsgi.application"

TEMPLATES = [
    {
        # Pages: Jinja2 with NHS England's nhsuk-frontend-jinja macros.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "inscope" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "inscope.jinja.environment",
            "context_processors": ["django.contrib.auth.context_processors.auth"],
        },
    },
    {
        # The admin only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'inscope.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, for the test database too: threads in the concurrency tests need real locking.
    # One file per test process, so parallel runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"inscope-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "staff:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# npm-installed NHS.UK frontend and htmx are copied here at set-up (git-ignored, never committed).
STATICFILES_DIRS = [BASE_DIR / "inscope" / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded evidence (certificates): a private folder, never served directly; downloads go through a view that
# checks who is asking.
MEDIA_ROOT = Path(env_str("INSCOPE_MEDIA_ROOT", str(BASE_DIR / "media")))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "inscope@localhost")

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# How long an escalation may wait before it is highlighted and sent again (urgent ones get a third).
INSCOPE_ESCALATION_ACK_MINUTES = env_int("INSCOPE_ESCALATION_ACK_MINUTES", 10)

# The DICOM listener (`inscope dicom listen`): its AE title, port and bind address, and whether only the AE
# titles registered on rooms may call it.
INSCOPE_DICOM_AE_TITLE = env_str("INSCOPE_DICOM_AE_TITLE", "INSCOPE")
INSCOPE_DICOM_PORT = env_int("INSCOPE_DICOM_PORT", 11112)
INSCOPE_DICOM_BIND = env_str("INSCOPE_DICOM_BIND", "127.0.0.1")
INSCOPE_DICOM_RESTRICT_CALLING_AE = env_bool("INSCOPE_DICOM_RESTRICT_CALLING_AE", True)
# Days a received DICOM object's bytes are kept after it was processed; `inscope dicom prune` clears older ones.
INSCOPE_DICOM_RETAIN_DAYS = env_int("INSCOPE_DICOM_RETAIN_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
