"""The load balancer's health check, /sante/: 200 while the database answers, 503 otherwise."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from surveyproject import health

URL = "/sante/"


def test_url():
    assert reverse("health") == URL


@pytest.mark.django_db
def test_ok_when_the_database_answers(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_needs_no_login_and_sets_no_cookie(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.django_db
def test_head_is_answered_and_post_refused(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("connection refused")


def test_503_when_the_database_fails(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "connection", _BrokenConnection())

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert "the database does not answer" in caplog.text
