"""The invitation link (/invitation/<token>/): create an account, or join with one."""

import datetime
import hashlib

import pytest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from survey import accounts
from survey.accounts import InvitationError
from survey.models import Invitation, Membership

PASSWORD = "un-mot-de-passe-bien-long"


@pytest.fixture
def invited(association_a, staff_user):
    """An invitation for a person without an account, and its raw token."""
    return accounts.invitation_create(
        association=association_a, email="Nouvelle@A.example", created_by=staff_user
    )


@pytest.fixture
def invited_member_b(association_a, staff_user, member_b):
    """Bob, member of B, invited to A too."""
    return accounts.invitation_create(
        association=association_a, email="bob@b.example", created_by=staff_user
    )


@pytest.fixture
def carol(django_user_model):
    """An account with no association."""
    return django_user_model.objects.create_user(
        username="carol@c.example", email="carol@c.example", password="motdepasse-c-1234"
    )


def url(token: str) -> str:
    return reverse("invitation_accept", args=[token])


def create_account(client, token, password1=PASSWORD, password2=PASSWORD):
    return client.post(url(token), {"new_password1": password1, "new_password2": password2})


# --- The services ----------------------------------------------------------------------------


def test_create_stores_only_the_hash(invited, settings):
    invitation, token = invited
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.email == "nouvelle@a.example"
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in str(stored)
    expected = timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    assert abs(invitation.expires_at - expected) < datetime.timedelta(minutes=1)
    assert settings.INVITATION_VALID_DAYS == 7


def test_get_valid(invited):
    invitation, token = invited
    assert accounts.invitation_get_valid(token) == invitation
    assert accounts.invitation_get_valid(token + "x") is None
    assert accounts.invitation_get_valid("") is None
    assert accounts.invitation_get_valid("a" * 10_000) is None
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert accounts.invitation_get_valid(token) is None
    assert accounts.invitation_get(token) == invitation


def test_accept_works_once(invited):
    invitation, _token = invited
    user = accounts.invitation_accept(invitation=invitation, password=PASSWORD)
    # A second tab still holds the old, unaccepted instance: the lock re-reads it.
    with pytest.raises(InvitationError, match="déjà été utilisée"):
        accounts.invitation_accept(invitation=invitation, password=PASSWORD)
    assert Membership.objects.filter(user=user).count() == 1


def test_join_refuses_another_account(invited_member_b, carol):
    invitation, _token = invited_member_b
    with pytest.raises(InvitationError, match="autre adresse"):
        accounts.invitation_join(invitation=invitation, user=carol)
    assert not Membership.objects.filter(user=carol).exists()


# --- A new account -------------------------------------------------------------------------


def test_link_shows_the_password_form(client, invited, association_a):
    _invitation, token = invited
    response = client.get(url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert association_a.name in page
    assert "nouvelle@a.example" in page
    assert '<legend class="fr-fieldset__legend">Choisissez votre mot de passe</legend>' in page
    assert page.count('type="password"') == 2
    assert "Créer mon compte" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_link_creates_account_and_membership_and_logs_in(client, invited, association_a):
    invitation, token = invited
    response = create_account(client, token)
    assert response.status_code == 302
    assert response.url == reverse("home")

    user = response.wsgi_request.user
    assert user.is_authenticated
    assert user.username == user.email == "nouvelle@a.example"
    assert user.check_password(PASSWORD)
    assert list(user.associations.all()) == [association_a]
    invitation.refresh_from_db()
    assert invitation.user == user
    assert invitation.accepted_at is not None

    page = client.get(reverse("home")).content.decode()
    assert "Votre compte est créé" in page
    assert association_a.name in page

    client.logout()
    assert client.login(request=HttpRequest(), username="Nouvelle@A.example", password=PASSWORD)


def test_second_use_is_refused(client, invited, django_user_model):
    _invitation, token = invited
    create_account(client, token)
    client.logout()

    response = client.get(url(token))
    assert response.status_code == 410
    page = response.content.decode()
    assert "Cette invitation a déjà été utilisée" in page
    assert "Miprof" in page

    response = create_account(client, token, "un-autre-mot-de-passe-1", "un-autre-mot-de-passe-1")
    assert response.status_code == 410
    assert django_user_model.objects.filter(email="nouvelle@a.example").count() == 1
    assert django_user_model.objects.get(email="nouvelle@a.example").check_password(PASSWORD)


def test_expired_is_refused(client, invited, django_user_model):
    invitation, token = invited
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    invitation.save()

    for response in (client.get(url(token)), create_account(client, token)):
        assert response.status_code == 410
        page = response.content.decode()
        assert "Cette invitation a expiré" in page
        assert "Demandez une nouvelle invitation à la Miprof" in page
    assert not django_user_model.objects.filter(email="nouvelle@a.example").exists()


@pytest.mark.django_db
def test_unknown_token_is_a_404(client):
    response = client.get(url("pas-un-jeton"))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Lien d’invitation non reconnu" in page
    assert "demandez une nouvelle invitation à la Miprof" in page


def test_weak_or_mismatched_passwords_are_refused_in_french(client, invited, django_user_model):
    invitation, token = invited
    page = create_account(client, token, "court", "court").content.decode()
    assert "trop court" in page

    page = create_account(client, token, "nouvelle@a.example", "nouvelle@a.example")
    assert "trop semblable" in page.content.decode()

    page = create_account(client, token, PASSWORD, PASSWORD + "x").content.decode()
    assert "Les deux mots de passe saisis ne sont pas identiques." in page

    assert not django_user_model.objects.filter(email="nouvelle@a.example").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_logged_in_as_someone_else_creating_the_account_switches_to_it(client, invited, member_a):
    _invitation, token = invited
    client.force_login(member_a)
    assert (
        "Vous êtes connecté·e en tant que alice@a.example"
        in client.get(url(token)).content.decode()
    )
    response = create_account(client, token)
    assert response.wsgi_request.user.email == "nouvelle@a.example"


# --- An existing account ------------------------------------------------------------------


def test_existing_account_must_log_in_first(client, invited_member_b):
    invitation, token = invited_member_b
    response = client.get(url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vous avez déjà un compte" in page
    assert f'href="{reverse("login")}?next={url(token)}"' in page
    assert 'type="password"' not in page

    # Posting a password does not create a second account nor join.
    create_account(client, token)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_existing_account_joins_after_logging_in(client, invited_member_b, member_b, association_a):
    invitation, token = invited_member_b
    response = client.post(
        reverse("login"),
        {"username": "Bob@B.example", "password": "motdepasse-b-1234", "next": url(token)},
    )
    assert response.url == url(token)

    page = client.get(url(token)).content.decode()
    assert "Rejoindre l’association" in page

    response = client.post(url(token))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert Membership.objects.filter(user=member_b, association=association_a).exists()
    invitation.refresh_from_db()
    assert invitation.user == member_b and invitation.accepted_at is not None
    assert (
        "Vous répondez désormais pour Association A" in client.get(reverse("home")).content.decode()
    )

    assert client.post(url(token)).status_code == 410


def test_existing_account_matches_the_address_in_any_case(
    client, association_a, staff_user, member_b
):
    _invitation, token = accounts.invitation_create(
        association=association_a, email="BOB@b.example", created_by=staff_user
    )
    client.force_login(member_b)
    assert "Rejoindre l’association" in client.get(url(token)).content.decode()


def test_another_account_cannot_join(client, invited_member_b, carol):
    invitation, token = invited_member_b
    client.force_login(carol)
    page = client.get(url(token)).content.decode()
    assert "Cette invitation est adressée à un autre compte" in page
    assert f'action="{reverse("logout")}"' in page

    client.post(url(token))
    assert not Membership.objects.filter(user=carol).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_logout_from_another_account_comes_back(client, invited_member_b, member_a):
    _invitation, token = invited_member_b
    client.force_login(member_a)
    response = client.post(reverse("logout"), {"next": url(token)})
    assert response.url == url(token)
