"""Production settings: `check --deploy` is clean, and https is enforced behind the proxy.

Each check runs the real settings (surveyproject.settings, DEBUG=0) in a subprocess, with
the environment a production server would have: the test settings relax https.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="surveyproject.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="enquete-teh.example.gouv.fr",
        CSRF_TRUSTED_ORIGINS="https://enquete-teh.example.gouv.fr",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        SITE_URL="https://enquete-teh.example.gouv.fr",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env(tmp_path)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The one silenced check is the reminder about HSTS preloading (see settings.py).
    assert output.strip() == "System check identified no issues (1 silenced).", output


def test_check_deploy_warns_without_https(tmp_path):
    """The check does see a weakened setting: the clean result above means something."""
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W008" in output and "security.W012" in output


def test_hsts_preload_can_be_asked_for(tmp_path):
    env = production_env(tmp_path, SECURE_HSTS_PRELOAD="1")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


# What a request meets in production, through Django's test client in the subprocess (the
# health check's database is an empty SQLite file: SELECT 1 needs no table).
REQUESTS = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="enquete-teh.example.gouv.fr")
results = {}
for name, path, headers in [
    ("http", "/connexion/", {}),
    ("health_http", "/sante/", {}),
    ("health_https", "/sante/", {"HTTP_X_FORWARDED_PROTO": "https"}),
]:
    response = client.get(path, **headers)
    results[name] = {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
    }
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def production_requests(tmp_path_factory):
    result = run(["-c", REQUESTS], production_env(tmp_path_factory.mktemp("production")))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production_requests):
    assert production_requests["http"] == {
        "status": 301,
        "location": "https://enquete-teh.example.gouv.fr/connexion/",
        "hsts": None,
    }


def test_the_health_check_answers_in_plain_http(production_requests):
    """The load balancer probes the app servers directly, without TLS."""
    assert production_requests["health_http"]["status"] == 200


def test_https_responses_carry_hsts_for_a_year(production_requests):
    assert production_requests["health_https"]["status"] == 200
    assert production_requests["health_https"]["hsts"] == "max-age=31536000; includeSubDomains"


def test_an_app_server_refuses_to_start_without_its_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run(["-c", "import surveyproject.wsgi"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_commands_that_need_no_key_run_without_it(tmp_path):
    """`makemigrations --check` on a fresh checkout, with nothing in the environment."""
    env = {key: value for key, value in production_env(tmp_path).items() if key == "PATH"}
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


# --- gunicorn's logs: the same configuration as Django's, from the same environment -------

GUNICORN_LOGGING = """
import json, runpy
from django.conf import settings
gunicorn = runpy.run_path("gunicorn.conf.py")
print(json.dumps({"django": settings.LOGGING, "gunicorn": gunicorn["logconfig_dict"],
                  "loglevel": gunicorn["loglevel"]}))
"""


@pytest.mark.parametrize(
    ("extra", "log_format", "level"),
    [
        ({}, "json", "INFO"),
        ({"DEBUG": "1"}, "text", "INFO"),
        ({"LOG_FORMAT": "text", "LOG_LEVEL": "warning"}, "text", "WARNING"),
    ],
)
def test_gunicorn_logs_as_django_does(tmp_path, extra, log_format, level):
    result = run(["-c", GUNICORN_LOGGING], production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    configs = json.loads(result.stdout.strip().splitlines()[-1])
    django, gunicorn = configs["django"], configs["gunicorn"]

    assert django["handlers"]["console"]["formatter"] == log_format
    assert django["root"]["level"] == level and configs["loglevel"] == level.lower()
    # The same formatters, handler and root logger; gunicorn adds its own two loggers.
    assert {**gunicorn, "loggers": {}} == {**django, "loggers": {}}
    assert set(gunicorn["loggers"]) == {"gunicorn.error", "gunicorn.access"}
    for logger in gunicorn["loggers"].values():
        assert logger["handlers"] == ["console"] and logger["propagate"] is False


def gunicorn_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    """gunicorn reads gunicorn.conf.py and loads the application, then exits."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.run(
        [str(gunicorn), "--check-config", "surveyproject.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"DEBUG": "2"}, "DEBUG must be a boolean (1/0, true/false), not '2'"),
        ({"LOG_FORMAT": "JSON"}, "LOG_FORMAT must be json or text, not 'JSON'"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL must be one of"),
    ],
)
def test_gunicorn_and_django_refuse_the_same_bad_values(tmp_path, extra, message):
    env = production_env(tmp_path, **extra)
    django = run(["manage.py", "check"], env)
    gunicorn = gunicorn_check(env)

    assert django.returncode != 0 and message in django.stderr
    assert gunicorn.returncode != 0 and message in gunicorn.stderr


def test_gunicorns_configuration_is_accepted_in_production(tmp_path):
    gunicorn = gunicorn_check(production_env(tmp_path))
    assert gunicorn.returncode == 0, gunicorn.stderr
