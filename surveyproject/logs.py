"""The logs' configuration: JSON lines (LOG_FORMAT=json), one object per record, for a log
collector, or plain text.

Django's LOGGING (settings.py) and gunicorn's own loggers (gunicorn.conf.py) are both
built here from the same environment, so an app server writes a single format and both
refuse the same bad values. Imports nothing from Django: gunicorn loads it before the
application, and raises ValueError (settings.py turns it into ImproperlyConfigured).
"""

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def env_flag(name: str, default: bool = False, environ: Mapping[str, str] = os.environ) -> bool:
    """A boolean from the environment (settings.env_bool reads them all this way)."""
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def log_format_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """LOG_FORMAT: json or text, exactly; when unset or empty, text with DEBUG, else json."""
    raw = environ.get("LOG_FORMAT") or ""
    if not raw:
        return "text" if env_flag("DEBUG", environ=environ) else "json"
    if raw not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be json or text, not {raw!r}")
    return raw


def log_level_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """LOG_LEVEL: the least level logged, INFO by default (any case: gunicorn's is lower)."""
    raw = environ.get("LOG_LEVEL") or "INFO"
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return level


def logging_config(log_format: str, level: str, *, loggers: dict | None = None) -> dict:
    """The dictConfig of Django's LOGGING and gunicorn's logconfig_dict: one handler on the
    standard error, in the chosen format, for the root logger and the `loggers` given."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be json or text, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "surveyproject.logs.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": dict(loggers or {}),
    }


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
