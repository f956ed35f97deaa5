"""The load balancer's health check (`/sante/`): is this app server up, and does its
database answer?

No login, no session, no redirect to https (SECURE_REDIRECT_EXEMPT): the load balancer
probes each app server directly, in plain http. It must send a Host header listed in
ALLOWED_HOSTS, as any request must.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # A 503 takes this server out of the pool; the log says why.
        logger.exception("Health check failed: the database does not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
