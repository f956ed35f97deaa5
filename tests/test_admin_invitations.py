"""The Invitation admin: staff with survey.add_invitation invite someone by e-mail."""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from survey import accounts
from survey.models import Invitation, Membership

ADD_URL = reverse("admin:survey_invitation_add")
LIST_URL = reverse("admin:survey_invitation_changelist")


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="survey", codename__in=codenames)
    )


@pytest.fixture
def inviter(staff_user):
    """Staff allowed to invite (and to see the list)."""
    grant(staff_user, "add_invitation", "view_invitation")
    return staff_user


@pytest.fixture
def viewer(django_user_model):
    """Staff as the demo's "Miprof" group makes them: view and change, no add."""
    user = django_user_model.objects.create_user(
        username="lecture@miprof.example", password="x", is_staff=True
    )
    grant(user, "view_invitation", "change_invitation")
    return user


def invitation_link(message) -> str:
    match = re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "add_status", "list_status"),
    [
        ("anonymous", 302, 302),
        ("member_a", 302, 302),  # not staff: sent to the admin's login page
        ("staff_user", 403, 403),  # staff without the permission
        ("viewer", 403, 200),
        ("inviter", 200, 200),
        ("superuser", 200, 200),
    ],
)
def test_who_reaches_the_invitation_admin(client, request, role, add_status, list_status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(ADD_URL)
    assert response.status_code == add_status
    if add_status == 302:
        assert response.url.startswith(reverse("admin:login"))
    assert client.get(LIST_URL).status_code == list_status


@pytest.mark.django_db
def test_non_staff_cannot_create_an_invitation(client, member_a, association_a, mailoutbox):
    client.force_login(member_a)
    client.post(ADD_URL, {"email": "x@a.example", "association": association_a.pk})
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["inviter", "superuser"])
def test_staff_invites_by_email(client, request, role, association_a, mailoutbox):
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get(ADD_URL).content.decode()
    assert "valable 7 jours" in page

    response = client.post(
        ADD_URL, {"email": "Nouvelle@A.example", "association": association_a.pk}
    )
    assert response.status_code == 302

    invitation = Invitation.objects.get()
    assert invitation.email == "nouvelle@a.example"
    assert invitation.association == association_a
    assert invitation.created_by == user
    expected = timezone.now() + datetime.timedelta(days=7)
    assert abs(invitation.expires_at - expected) < datetime.timedelta(minutes=1)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nouvelle@a.example"]
    assert association_a.name in message.subject
    assert "Miprof" in message.body and "Enquête annuelle traite des êtres humains" in message.body
    link = invitation_link(message)
    token = link.split("/")[2]
    # Only the hash is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Le lien d’invitation a été envoyé à nouvelle@a.example" in m for m in messages)

    # The link works.
    client.logout()
    response = client.post(
        link,
        {
            "new_password1": "un-mot-de-passe-bien-long",
            "new_password2": "un-mot-de-passe-bien-long",
        },
    )
    assert response.url == reverse("home")
    assert Membership.objects.filter(
        user__email="nouvelle@a.example", association=association_a
    ).exists()


@pytest.mark.django_db
def test_list_shows_each_state(client, superuser, association_a, association_b):
    accounts.invitation_create(
        association=association_a, email="attente@a.example", created_by=superuser
    )
    accepted, _ = accounts.invitation_create(
        association=association_a, email="acceptee@a.example", created_by=superuser
    )
    accounts.invitation_accept(invitation=accepted, password="un-mot-de-passe-bien-long")
    expired, _ = accounts.invitation_create(
        association=association_b, email="expiree@b.example", created_by=superuser
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    client.force_login(superuser)
    page = client.get(LIST_URL).content.decode()
    for text in (
        "attente@a.example",
        "acceptee@a.example",
        "expiree@b.example",
        "en attente",
        "acceptée",
        "expirée",
        "admin@miprof.example",
    ):
        assert text in page
    for text in ("Adresse e-mail", "Association", "Invitée par", "Envoyée le", "Expire le", "État"):
        assert text in page

    for state, email in (("pending", "attente"), ("accepted", "acceptee"), ("expired", "expiree")):
        page = client.get(LIST_URL, {"etat": state}).content.decode()
        assert email in page
        assert page.count('name="_selected_action"') == 1


@pytest.mark.django_db
def test_invitation_page_is_read_only(client, superuser, association_a):
    invitation, _ = accounts.invitation_create(
        association=association_a, email="x@a.example", created_by=superuser
    )
    client.force_login(superuser)
    change_url = reverse("admin:survey_invitation_change", args=[invitation.pk])
    page = client.get(change_url).content.decode()
    assert "en attente" in page
    assert 'name="email"' not in page
    assert invitation.token_hash not in page
    client.post(change_url, {"email": "autre@a.example", "association": association_a.pk})
    invitation.refresh_from_db()
    assert invitation.email == "x@a.example"


@pytest.mark.django_db
def test_refuses_an_existing_member(client, superuser, member_a, association_a, mailoutbox):
    client.force_login(superuser)
    response = client.post(ADD_URL, {"email": "ALICE@a.example", "association": association_a.pk})
    assert response.status_code == 200
    assert "est déjà membre de l’association Association A" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_refuses_a_second_pending_invitation(client, superuser, association_a, mailoutbox):
    accounts.invitation_create(association=association_a, email="x@a.example", created_by=superuser)
    client.force_login(superuser)
    response = client.post(ADD_URL, {"email": "X@a.example", "association": association_a.pk})
    assert response.status_code == 200
    assert "est déjà en attente" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert mailoutbox == []


@pytest.mark.django_db
def test_existing_account_of_another_association_can_be_invited(
    client, superuser, member_b, association_a, mailoutbox
):
    client.force_login(superuser)
    response = client.post(ADD_URL, {"email": "bob@b.example", "association": association_a.pk})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_action_sends_a_new_link_and_the_old_one_stops(client, inviter, association_a, mailoutbox):
    old, old_token = accounts.invitation_create(
        association=association_a, email="x@a.example", created_by=None
    )
    client.force_login(inviter)
    response = client.post(
        LIST_URL,
        {"action": "send_new_invitation", "_selected_action": [old.pk]},
    )
    assert response.status_code == 302

    assert accounts.invitation_get_valid(old_token) is None
    assert len(mailoutbox) == 1
    new_token = invitation_link(mailoutbox[0]).split("/")[2]
    new = accounts.invitation_get_valid(new_token)
    assert new is not None and new.pk != old.pk
    assert new.created_by == inviter
    assert client.get(reverse("invitation_accept", args=[old_token])).status_code == 410


@pytest.mark.django_db
def test_action_skips_accepted_invitations(client, superuser, association_a, mailoutbox):
    invitation, _ = accounts.invitation_create(
        association=association_a, email="x@a.example", created_by=superuser
    )
    accounts.invitation_accept(invitation=invitation, password="un-mot-de-passe-bien-long")
    client.force_login(superuser)
    client.post(LIST_URL, {"action": "send_new_invitation", "_selected_action": [invitation.pk]})
    assert mailoutbox == []
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_viewer_cannot_use_the_action(client, viewer, association_a, mailoutbox):
    invitation, _ = accounts.invitation_create(
        association=association_a, email="x@a.example", created_by=None
    )
    client.force_login(viewer)
    client.post(LIST_URL, {"action": "send_new_invitation", "_selected_action": [invitation.pk]})
    assert mailoutbox == []
    assert Invitation.objects.count() == 1
