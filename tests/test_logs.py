"""JSON lines logs (surveyproject/logs.py), for Django's loggers and gunicorn's."""

import json
import logging
import sys

from django.test import RequestFactory

from surveyproject.logs import JsonFormatter


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
