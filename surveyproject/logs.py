"""JSON lines for the logs (LOG_FORMAT=json): one object per record, for a log collector.

Used by Django's LOGGING (settings.py) and by gunicorn's own loggers (gunicorn.conf.py),
so an app server writes a single format. Imports nothing from Django: gunicorn loads it
before the application.
"""

import json
import logging
from datetime import UTC, datetime

# gunicorn's access log passes its request "atoms" as the record's args: the ones kept.
ACCESS_ATOMS = {
    "h": "remote_addr",
    "{x-forwarded-for}i": "forwarded_for",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "a": "user_agent",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, key in ACCESS_ATOMS.items():
                value = record.args.get(atom)
                if value not in (None, "", "-"):
                    data[key] = int(value) if key == "status" and str(value).isdigit() else value
        # Django's request loggers (django.request, django.security.*) add these.
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            data["method"] = getattr(request, "method", None)
            data["path"] = request.path
        if hasattr(record, "status_code"):
            data["status"] = record.status_code
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)
