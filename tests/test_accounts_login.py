"""Logging in by e-mail address (survey.accounts.EmailBackend) and logging out."""

import pytest
from django.urls import reverse

PASSWORD_A = "motdepasse-a-1234"


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["alice@a.example", "Alice@A.example", " ALICE@A.EXAMPLE "])
def test_login_by_email_in_any_case(client, member_a, username):
    response = login(client, username, PASSWORD_A)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert response.wsgi_request.user == member_a


@pytest.mark.django_db
def test_login_by_email_differing_from_the_username(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="claire", email="Claire@C.example", password="motdepasse-c-1234"
    )
    assert login(client, "claire@c.example", "motdepasse-c-1234").wsgi_request.user == user


@pytest.mark.django_db
def test_login_falls_back_to_the_username(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="agent-miprof", email="", password="motdepasse-m-1234"
    )
    assert login(client, "agent-miprof", "motdepasse-m-1234").wsgi_request.user == user


@pytest.mark.django_db
def test_wrong_password_is_refused_in_french(client, member_a):
    response = login(client, "Alice@A.example", "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


@pytest.mark.django_db
def test_unknown_address_is_refused(client, member_a):
    response = login(client, "personne@nulle-part.example", PASSWORD_A)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_inactive_user_is_refused(client, member_a):
    member_a.is_active = False
    member_a.save()
    response = login(client, "alice@a.example", PASSWORD_A)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_an_inactive_homonym_does_not_hide_the_active_account(client, django_user_model, member_a):
    django_user_model.objects.create_user(
        username="ancien", email="ALICE@a.example", password=PASSWORD_A, is_active=False
    )
    assert login(client, "alice@a.example", PASSWORD_A).wsgi_request.user == member_a


@pytest.mark.django_db
def test_shared_address_the_password_decides(client, django_user_model, member_a):
    other = django_user_model.objects.create_user(
        username="alice-2", email="alice@a.example", password="autre-mot-de-passe-99"
    )
    assert login(client, "alice@a.example", "autre-mot-de-passe-99").wsgi_request.user == other
    client.logout()
    assert login(client, "alice@a.example", PASSWORD_A).wsgi_request.user == member_a


@pytest.mark.django_db
def test_login_page_links_to_password_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page
    assert "Mot de passe oublié ?" in page


@pytest.mark.django_db
def test_login_follows_next(client, member_a):
    response = client.post(
        reverse("login"),
        {"username": "alice@a.example", "password": PASSWORD_A, "next": "/invitation/abc/"},
    )
    assert response.url == "/invitation/abc/"


@pytest.mark.django_db
def test_logout(client, member_a):
    login(client, "alice@a.example", PASSWORD_A)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_work(db, django_user_model):
    from django.contrib.auth.hashers import check_password, make_password
    from django.test import override_settings

    from surveyproject import settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("motdepasse-long-1234").startswith("argon2$")
        older = make_password("motdepasse-long-1234", hasher="pbkdf2_sha256")
        upgraded = []
        assert check_password("motdepasse-long-1234", older, setter=upgraded.append)
        assert upgraded == ["motdepasse-long-1234"]  # rehashed with Argon2 at the login
