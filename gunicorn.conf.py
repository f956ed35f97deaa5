"""gunicorn's configuration, read from the environment (README, "Déploiement").

    .venv/bin/gunicorn surveyproject.wsgi

gunicorn reads this file from the directory it starts in. Each app server is stateless
(sessions in PostgreSQL, no uploaded file), so several run side by side behind the load
balancer, which terminates TLS.
"""

import multiprocessing
import os

from surveyproject import logs

# GUNICORN_BIND: where the load balancer reaches this server.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# GUNICORN_WORKERS: processes; gunicorn's advice (2 × cores + 1) by default. Each thread
# keeps a database connection (DATABASE_CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# GUNICORN_THREADS: requests each worker serves at once (gthread workers when above 1). A
# slow request (the cockpit, a workbook) then no longer holds up the quick saves queued
# behind it in the same process (bench/load.py). Each thread keeps its own database
# connection: servers × workers × threads must stay under max_connections.
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# GUNICORN_TIMEOUT: seconds before a stuck worker is killed and replaced. The largest
# exports of the Miprof's tables take a few seconds (bench/README.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): bounds
# the memory a long-lived process may gather.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 1000)
max_requests_jitter = max_requests // 10
# FORWARDED_ALLOW_IPS: the load balancers' addresses, comma-separated, whose
# X-Forwarded-Proto gunicorn believes ("*" only when nothing else can reach the app
# servers). Django reads that header itself (SECURE_PROXY_SSL_HEADER) and the client's
# address from X-Forwarded-For (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs on the standard error, like Django's and built by the same code (surveyproject/logs.py,
# which refuses a bad DEBUG, LOG_FORMAT or LOG_LEVEL as Django does): JSON lines
# (LOG_FORMAT=json, the default without DEBUG), whose access lines carry the method, path,
# status, duration, size, client address and user agent as fields, or plain text.
_log_format = logs.log_format_from_env()
_log_level = logs.log_level_from_env()
accesslog = "-"
errorlog = "-"
loglevel = _log_level.lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
logconfig_dict = logs.logging_config(
    _log_format,
    _log_level,
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": _log_level, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
)
