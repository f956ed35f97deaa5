"""JSON lines logs (surveyproject/logs.py), for Django's loggers and gunicorn's."""

import json
import logging
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from surveyproject.logs import (
    JsonFormatter,
    log_format_from_env,
    log_level_from_env,
    logging_config,
)


def record(name: str, message: str, args=(), **extra) -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_record_is_one_json_object_on_one_line():
    line = JsonFormatter().format(record("survey", "Réponse %s validée", ("W751000001",)))

    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["logger"] == "survey"
    assert data["message"] == "Réponse W751000001 validée"
    assert data["time"].endswith("+00:00")


def test_django_request_logs_carry_method_path_and_status():
    request = RequestFactory().post("/espace/3/")
    data = json.loads(
        JsonFormatter().format(
            record("django.request", "Forbidden", request=request, status_code=403)
        )
    )

    assert (data["method"], data["path"], data["status"]) == ("POST", "/espace/3/", 403)


def test_gunicorn_access_logs_carry_the_request_as_fields():
    atoms = {"h": "10.0.0.5", "m": "GET", "U": "/sante/", "q": "", "s": "200", "B": 34}
    atoms |= {"M": 3, "a": "kube-probe/1.30", "{x-forwarded-for}i": "-"}
    data = json.loads(JsonFormatter().format(record("gunicorn.access", "GET /sante/", atoms)))

    assert data["method"] == "GET" and data["path"] == "/sante/" and data["status"] == 200
    assert data["duration_ms"] == 3 and data["bytes"] == 34
    assert data["remote_addr"] == "10.0.0.5" and data["user_agent"] == "kube-probe/1.30"
    assert "query" not in data and "forwarded_for" not in data


def test_an_exception_is_kept_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        entry = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    data = json.loads(JsonFormatter().format(entry))

    assert "ValueError: boom" in data["exception"]


# --- The format and level, from the environment (read by settings.py and gunicorn.conf.py) --


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "json"),
        ({"DEBUG": "0"}, "json"),
        ({"DEBUG": "1"}, "text"),
        ({"DEBUG": "true", "LOG_FORMAT": ""}, "text"),
        ({"DEBUG": "1", "LOG_FORMAT": "json"}, "json"),
        ({"LOG_FORMAT": "text"}, "text"),
    ],
)
def test_the_format_is_json_unless_debug_or_asked(environ, expected):
    assert log_format_from_env(environ) == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DEBUG": "2"}, "DEBUG must be a boolean"),
        ({"DEBUG": "oui"}, "DEBUG must be a boolean"),
        ({"LOG_FORMAT": "JSON"}, "LOG_FORMAT must be json or text, not 'JSON'"),
        ({"LOG_FORMAT": "yaml", "DEBUG": "1"}, "LOG_FORMAT must be json or text"),
    ],
)
def test_a_bad_format_or_debug_is_refused(environ, message):
    with pytest.raises(ValueError, match=message):
        log_format_from_env(environ)


def test_the_level_is_info_by_default_and_checked():
    assert log_level_from_env({}) == "INFO"
    assert log_level_from_env({"LOG_LEVEL": "warning"}) == "WARNING"
    with pytest.raises(ValueError, match="LOG_LEVEL must be one of"):
        log_level_from_env({"LOG_LEVEL": "verbose"})


def test_djangos_logging_is_the_shared_config():
    assert logging_config(settings.LOG_FORMAT, settings.LOG_LEVEL) == settings.LOGGING
    assert settings.LOGGING["handlers"]["console"]["stream"] == "ext://sys.stderr"


def test_the_config_writes_the_chosen_format_and_keeps_the_loggers_given():
    gunicorn = {"gunicorn.access": {"handlers": ["console"], "level": "INFO"}}
    config = logging_config("text", "WARNING", loggers=gunicorn)

    assert config["handlers"]["console"]["formatter"] == "text"
    assert config["root"] == {"handlers": ["console"], "level": "WARNING"}
    assert config["loggers"] == gunicorn
    assert logging_config("json", "INFO")["loggers"] == {}
    with pytest.raises(ValueError):
        logging_config("JSON", "INFO")
