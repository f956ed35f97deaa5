import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyproject.settings")

application = get_wsgi_application()

# An app server without its key would start, then fail on every request: refuse at once.
try:
    settings.SECRET_KEY  # noqa: B018 (reading an empty key raises)
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (see .env.example), "
        "or set DEBUG=1 for a local demo."
    ) from error
