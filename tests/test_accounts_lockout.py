"""Lockout after repeated failed logins (django-axes), per account and per address.

LOGIN_FAILURE_LIMIT (5) failures lock the account, from any address, and the address, for
any account, LOGIN_COOLOFF_MINUTES (15) after the last failure; the right password does
not get through meanwhile. The page says, in French, until when, and that choosing a new
password unlocks when it does: a new password forgets every failure on the account, from
any address. A login forgets only that account's failures from that address.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from survey.accounts import client_ip

PASSWORD_A = "motdepasse-a-1234"
PASSWORD_B = "motdepasse-b-1234"
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"

pytestmark = pytest.mark.django_db


def login(client, username, password, ip=ATTACKER, url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client, username, times, ip=ATTACKER, url=None):
    """Failed logins; the last response (the form again, or the lockout page)."""
    for _ in range(times):
        response = login(client, username, "mauvais-mot-de-passe", ip=ip, url=url)
    return response


def minutes_pass(minutes: int) -> None:
    """Time goes by for the lockouts: every failure recorded moves back in the past."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes)
    )


def test_five_failures_lock_the_account_even_with_the_right_password(client, member_a):
    # Whatever the case typed, it is one account, hence one count.
    for typed in ("alice@a.example", "ALICE@a.example", " Alice@A.Example ", "alice@A.EXAMPLE"):
        assert fail(client, typed, 1).status_code == 200  # the form again, with its error
    assert fail(client, "alice@a.example", 1).status_code == 429  # the fifth locks

    response = login(client, "alice@a.example", PASSWORD_A)

    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    last = AccessAttempt.objects.latest("attempt_time").attempt_time
    retry_at = timezone.localtime(last + datetime.timedelta(minutes=15))
    assert f"bloquées jusqu’à {retry_at:%H}h{retry_at:%M}" in page
    assert f'href="{reverse("password_reset")}"' in page


def test_four_failures_do_not_lock(client, member_a):
    fail(client, "alice@a.example", 4)
    assert login(client, "alice@a.example", PASSWORD_A).status_code == 302


def test_the_account_stays_locked_from_another_address(client, member_a):
    fail(client, "alice@a.example", 5)
    assert login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE).status_code == 429


def test_the_address_is_locked_for_other_accounts(client, member_a, member_b):
    """Trying one password on many accounts: the address is locked, other people are not."""
    for typed in ("alice@a.example", "bob@b.example", "carol@c.example", "dan@d.example"):
        fail(client, typed, 1)
    fail(client, "erin@e.example", 1)

    assert login(client, "bob@b.example", PASSWORD_B).status_code == 429
    response = login(client, "bob@b.example", PASSWORD_B, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response.wsgi_request.user == member_b


def test_the_admin_login_is_protected_too(client, staff_user):
    admin_login = reverse("admin:login")
    fail(client, "STAFF@miprof.example", 5, url=admin_login)
    response = login(client, "staff@miprof.example", "motdepasse-staff-1234", url=admin_login)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()


def test_the_lock_lifts_after_the_cool_off(client, member_a):
    fail(client, "alice@a.example", 5)
    minutes_pass(14)
    assert login(client, "alice@a.example", PASSWORD_A).status_code == 429
    minutes_pass(2)  # 16 minutes after the last failure
    response = login(client, "alice@a.example", PASSWORD_A)
    assert response.status_code == 302
    assert response.wsgi_request.user == member_a


def test_attempts_while_locked_do_not_push_the_lock_back(client, member_a):
    fail(client, "alice@a.example", 5)
    minutes_pass(10)
    assert login(client, "alice@a.example", "mauvais-mot-de-passe").status_code == 429
    minutes_pass(6)
    assert login(client, "alice@a.example", PASSWORD_A).status_code == 302


def test_a_login_forgets_the_accounts_failures(client, member_a):
    fail(client, "alice@a.example", 4)
    assert login(client, "alice@a.example", PASSWORD_A).status_code == 302
    client.logout()
    fail(client, "alice@a.example", 4)
    assert login(client, "alice@a.example", PASSWORD_A).status_code == 302


def test_logging_in_to_ones_own_account_does_not_forgive_guesses_at_another(
    client, member_a, member_b
):
    """Bob guesses at Alice's password between logins to his own account: still locked."""
    fail(client, "alice@a.example", 4)
    assert login(client, "bob@b.example", PASSWORD_B).status_code == 302
    client.logout()
    fail(client, "alice@a.example", 1)
    assert login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE).status_code == 429


def test_a_new_password_lifts_the_lock(client, member_a):
    fail(client, "alice@a.example", 5)
    client.post(reverse("password_reset"), {"email": "alice@a.example"}, REMOTE_ADDR=ATTACKER)
    link = re.search(r"http://testserver(/compte/nouveau-mot-de-passe/\S+)", mail.outbox[0].body)
    set_password_url = client.get(link.group(1), REMOTE_ADDR=ATTACKER).url
    new = "un-nouveau-mot-de-passe-2024"
    client.post(
        set_password_url, {"new_password1": new, "new_password2": new}, REMOTE_ADDR=ATTACKER
    )

    response = login(client, "alice@a.example", new)
    assert response.status_code == 302
    assert response.wsgi_request.user == member_a


def reset_password(client, email: str, new: str, ip: str) -> None:
    """The e-mailed link, then a new password, all from `ip`."""
    client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)
    link = re.search(r"http://testserver(/compte/nouveau-mot-de-passe/\S+)", mail.outbox[-1].body)
    set_password_url = client.get(link.group(1), REMOTE_ADDR=ip).url
    client.post(set_password_url, {"new_password1": new, "new_password2": new}, REMOTE_ADDR=ip)


def text(response) -> str:
    """The page's text, whatever the template's line breaks."""
    return " ".join(response.content.decode().split())


def retry_at_in(page: str) -> str:
    return re.search(r"bloquées jusqu’à (\d\dh\d\d)", page).group(1)


def hhmm(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H}h{timezone.localtime(moment):%M}"


def test_a_new_password_lifts_a_lock_set_from_other_addresses(client, member_a):
    """Guesses from an attacker's address lock the account everywhere; the owner, from
    their own address, chooses a new password and logs in at once."""
    fail(client, "alice@a.example", 5, ip=ATTACKER)
    locked = login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE)
    assert locked.status_code == 429
    assert "vous pouvez vous connecter sans attendre" in text(locked)

    new = "un-nouveau-mot-de-passe-2024"
    reset_password(client, "alice@a.example", new, ip=ELSEWHERE)

    response = login(client, "alice@a.example", new, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response.wsgi_request.user == member_a
    assert not AccessAttempt.objects.filter(username="alice@a.example").exists()


def test_a_new_password_does_not_forgive_guesses_at_other_accounts(client, member_a, member_b):
    """Bob, who tried passwords on other accounts from his address, cannot clear the
    address's lock by resetting his own password; the page does not promise it."""
    for typed in ("alice@a.example", "carol@c.example", "dan@d.example", "erin@e.example"):
        fail(client, typed, 1)
    fail(client, "frank@f.example", 1)
    reset_password(client, "bob@b.example", "un-nouveau-mot-de-passe-2024", ip=ATTACKER)

    response = login(client, "bob@b.example", "un-nouveau-mot-de-passe-2024")
    assert response.status_code == 429
    page = text(response)
    assert "ne lève pas ce blocage" in page
    assert "vous pouvez vous connecter sans attendre" not in page
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 5


def test_a_login_forgets_only_the_failures_from_its_address(client, member_a):
    """The login forgiveness stays per address: an attacker's failures elsewhere count on."""
    fail(client, "alice@a.example", 4, ip=ATTACKER)
    assert login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE).status_code == 302
    client.logout()
    fail(client, "alice@a.example", 1, ip=ATTACKER)
    assert login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE).status_code == 429


def test_the_time_given_ignores_other_accounts_failures_from_the_address(
    client, member_a, member_b
):
    """Alice's account is locked by failures from elsewhere; a later failure on Bob's
    account from her own address does not lock her, nor move her time."""
    fail(client, "alice@a.example", 5, ip=ELSEWHERE)
    locked_at = AccessAttempt.objects.get(username="alice@a.example").attempt_time
    minutes_pass(10)
    locked_at -= datetime.timedelta(minutes=10)
    fail(client, "bob@b.example", 1, ip=ATTACKER)

    response = login(client, "alice@a.example", PASSWORD_A, ip=ATTACKER)

    assert response.status_code == 429
    assert retry_at_in(response.content.decode()) == hhmm(
        locked_at + datetime.timedelta(minutes=15)
    )


def test_the_time_given_is_when_enough_failures_have_lapsed(client, member_a):
    """Three failures, then two from another address ten minutes later: the lock lifts
    when the first three lapse, not fifteen minutes after the last failure."""
    fail(client, "alice@a.example", 3, ip=ATTACKER)
    minutes_pass(10)
    first = AccessAttempt.objects.get(ip_address=ATTACKER).attempt_time
    fail(client, "alice@a.example", 2, ip=ELSEWHERE)

    response = login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE)
    assert response.status_code == 429
    assert retry_at_in(response.content.decode()) == hhmm(first + datetime.timedelta(minutes=15))

    minutes_pass(6)  # the first three are sixteen minutes old: two failures left
    assert login(client, "alice@a.example", PASSWORD_A, ip=ELSEWHERE).status_code == 302


# --- The client's address ----------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/connexion/", **extra)


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("1.2.3.4", "1.2.3.4"),
        # What the client wrote itself stands on the left and is not believed.
        ("6.6.6.6, 1.2.3.4", "1.2.3.4"),
        ("", "10.0.0.1"),  # not through the proxy
    ],
)
def test_behind_one_proxy_the_address_it_saw_is_used(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_behind_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.1")) == "1.2.3.4"


def test_lockouts_follow_the_forwarded_address_behind_a_proxy(client, settings, member_a):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": f"inconnu{_}@x.example", "password": "mauvais-mot-de-passe"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    # The proxy's own address is not locked: another client through it logs in.
    response = client.post(
        reverse("login"),
        {"username": "alice@a.example", "password": PASSWORD_A},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
