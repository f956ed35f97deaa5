"""Settings for the test suite: the real settings, a throw-away key, a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The tests speak plain http (test client, live server): no redirect to https, cookies
# sent without TLS; the static files come from the apps, without collectstatic.
# tests/test_deploy.py checks the production values.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Two-factor codes for staff: off for the tests of the pages themselves, which log staff in
# with force_login; tests/test_accounts_otp.py turns it back on. django-axes stays on.
OTP_REQUIRED_FOR_STAFF = False
