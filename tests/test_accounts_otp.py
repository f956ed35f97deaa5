"""Two-factor codes (TOTP) for staff and superusers: survey/otp.py.

After the password, staff and superusers reach no page (admin, tables, home) before a code
from their authenticator app is accepted in this session; a first login enrols the app.
Members of associations are not asked for a code.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent

STAFF_PASSWORD = "motdepasse-staff-1234"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def otp_on(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True


def verify_url(next_url: str) -> str:
    return f"{reverse('otp_verify')}?next={next_url}"


def log_in(client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)


def test_staff_without_a_device_is_sent_to_enrolment(client, staff_user):
    response = log_in(client, "staff@miprof.example", STAFF_PASSWORD)
    assert response.status_code == 302  # the password is right

    for url in (reverse("admin:index"), reverse("reports:index"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == verify_url(url)

    page = client.get(verify_url("/admin/")).content.decode()
    assert "Activez la vérification en deux étapes" in page
    assert "<svg" in page and "QR code à scanner" in page
    device = TOTPDevice.objects.get(user=staff_user)
    assert not device.confirmed
    secret = page.split("<code>")[1].split("</code>")[0].replace(" ", "")
    assert len(secret) == 32  # 20 bytes in base32, to type when no QR code can be read
    # Reloading shows the same key: the app already scanned keeps working.
    assert (
        f"<code>{page.split('<code>')[1].split('</code>')[0]}</code>"
        in client.get(verify_url("/admin/")).content.decode()
    )
    assert TOTPDevice.objects.filter(user=staff_user).count() == 1


def test_a_wrong_code_is_refused_in_french(client, staff_user):
    client.force_login(staff_user)
    client.get(reverse("otp_verify"))
    response = client.post(reverse("otp_verify"), {"token": "000000", "next": "/admin/"})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert not TOTPDevice.objects.get(user=staff_user).confirmed
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.OTP_FAILED, actor=staff_user).exists()


def test_the_right_code_enrols_the_app_and_opens_the_admin(client, staff_user):
    log_in(client, "staff@miprof.example", STAFF_PASSWORD)
    client.get(verify_url("/admin/"))
    device = TOTPDevice.objects.get(user=staff_user)

    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "/admin/"})

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("reports:index")).status_code in (200, 404)  # not redirected
    device.refresh_from_db()
    assert device.confirmed
    actions = set(AuditEvent.objects.filter(actor=staff_user).values_list("action", flat=True))
    assert {Action.LOGIN, Action.OTP_ENROLLED, Action.OTP_VERIFIED} <= actions


@pytest.mark.parametrize("enrolled", [True, False])
def test_a_code_is_checked_without_reloading_the_user_or_the_device(client, staff_user, enrolled):
    """One read of the account (the session's) and two of the device: the page's, then
    django-otp's under a row lock; nothing more once the code is accepted."""
    device = TOTPDevice.objects.create(user=staff_user, name="Téléphone", confirmed=enrolled)
    client.force_login(staff_user)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("otp_verify"), {"token": code(device), "next": "/admin/"})

    assert response.url == "/admin/"
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "auth_user"' in sql for sql in selects) == 1
    assert sum('FROM "otp_totp_totpdevice"' in sql for sql in selects) == 2
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_staff_with_a_device_types_a_code_at_each_login(client, staff_user):
    device = confirmed_device(staff_user)
    log_in(client, "staff@miprof.example", STAFF_PASSWORD, url=reverse("admin:login"))
    assert client.get("/admin/").url == verify_url("/admin/")

    page = client.get(verify_url("/admin/")).content.decode()
    assert "Vérification en deux étapes" in page
    assert "<svg" not in page  # the key is never shown again

    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "/admin/"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200

    # A new session asks again.
    client.logout()
    log_in(client, "staff@miprof.example", STAFF_PASSWORD)
    assert client.get("/admin/").url == verify_url("/admin/")


def test_a_code_works_once(client, staff_user):
    device = confirmed_device(staff_user)
    client.force_login(staff_user)
    token = code(device)
    assert client.post(reverse("otp_verify"), {"token": token}).status_code == 302
    client.logout()
    client.force_login(staff_user)
    response = client.post(reverse("otp_verify"), {"token": token})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()


def test_right_after_a_wrong_code_even_the_right_one_waits(client, staff_user):
    """django-otp's throttling: each failure doubles the wait before the next try."""
    device = confirmed_device(staff_user)
    client.force_login(staff_user)
    client.post(reverse("otp_verify"), {"token": "000000"})
    response = client.post(reverse("otp_verify"), {"token": code(device)})
    assert response.status_code == 200
    assert "Trop de codes erronés : réessayez après" in response.content.decode()


def test_superusers_are_asked_too(client, superuser):
    device = confirmed_device(superuser)
    client.force_login(superuser)
    assert client.get("/admin/").url == verify_url("/admin/")
    client.post(reverse("otp_verify"), {"token": code(device)})
    assert client.get("/admin/").status_code == 200


def test_members_are_not_asked(client, member_a):
    response = log_in(client, "alice@a.example", "motdepasse-a-1234")
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("otp_verify")).url == reverse("admin:index")
    assert not TOTPDevice.objects.exists()


def test_an_unverified_session_may_log_out(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_next_must_stay_on_the_site(client, staff_user):
    device = confirmed_device(staff_user)
    client.force_login(staff_user)
    response = client.post(
        reverse("otp_verify"), {"token": code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("admin:index")


def test_the_switch_turns_it_off(client, settings, staff_user):
    settings.OTP_REQUIRED_FOR_STAFF = False
    client.force_login(staff_user)
    assert client.get(reverse("admin:index")).status_code == 200
