"""Sessions end after two hours without a request, and when the browser closes."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Moves every `timezone.now()` (the sessions' expiry dates read it) forward."""
    start = timezone.now()

    def advance(**delta) -> None:
        moved = start + datetime.timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: moved)

    return advance


def logged_in(client) -> bool:
    return client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_two_hours_of_inactivity_by_default():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_the_session_ends_after_two_hours_without_a_request(client, member_a, clock):
    client.force_login(member_a)
    clock(hours=1, minutes=59)
    assert logged_in(client)
    clock(hours=3, minutes=59, seconds=30)  # 2 hours after that request
    assert not logged_in(client)


def test_each_request_renews_the_session(client, member_a, clock):
    client.force_login(member_a)
    for hours in (1.5, 3, 4.5, 6):
        clock(hours=hours)
        assert logged_in(client)


def test_the_cookie_ends_with_the_browser(client, member_a):
    client.force_login(member_a)
    cookie = client.get(reverse("home")).cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
