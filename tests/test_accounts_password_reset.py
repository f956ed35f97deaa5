"""Password reset by e-mail: Django's views under French URLs, DSFR forms, French e-mail."""

import re

import pytest
from django.http import HttpRequest
from django.urls import reverse

SERVICE_TITLE = "Enquête annuelle traite des êtres humains"
NEW_PASSWORD = "un-nouveau-mot-de-passe-solide"


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/compte/nouveau-mot-de-passe/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_form_page(client):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("password_reset") == "/compte/mot-de-passe-oublie/"
    assert "<h1>Mot de passe oublié</h1>" in page
    assert '<legend class="fr-fieldset__legend">Votre compte</legend>' in page
    assert 'class="fr-input"' in page and 'type="email"' in page
    assert "Adresse e-mail" in page
    assert page.count('name="csrfmiddlewaretoken"') == 1


@pytest.mark.django_db
def test_reset_sets_a_new_password_that_logs_in(client, member_a, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "Alice@A.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert "Vérifiez votre messagerie" in client.get(response.url).content.decode()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@a.example"]
    assert SERVICE_TITLE in message.subject
    assert "\n" not in message.subject
    assert "Miprof" in message.body and SERVICE_TITLE in message.body
    assert "valable 24 heures" in message.body
    assert "Votre identifiant : alice@a.example" in message.body

    # Django redirects the link to a URL without the token, kept in the session.
    response = client.get(reset_link(message))
    assert response.status_code == 302
    set_password_url = response.url
    page = client.get(set_password_url).content.decode()
    assert "Choisissez un nouveau mot de passe" in page
    assert "Nouveau mot de passe" in page
    assert "12 caractères" in page  # the validators' help, in French, as plain text
    assert "<ul>" not in page.split("<form")[1].split("</form>")[0]

    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert "Mot de passe enregistré" in client.get(response.url).content.decode()

    assert not client.login(
        request=HttpRequest(), username="alice@a.example", password="motdepasse-a-1234"
    )
    response = client.post(
        reverse("login"), {"username": "alice@a.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == member_a


@pytest.mark.django_db
def test_weak_or_mismatched_passwords_are_refused_in_french(client, member_a, mailoutbox):
    client.post(reverse("password_reset"), {"email": "alice@a.example"})
    set_password_url = client.get(reset_link(mailoutbox[0])).url

    page = client.post(
        set_password_url, {"new_password1": "court", "new_password2": "court"}
    ).content.decode()
    assert "fr-input-group--error" in page
    assert "trop court" in page

    page = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    ).content.decode()
    assert "Les deux mots de passe saisis ne sont pas identiques." in page
    member_a.refresh_from_db()
    assert member_a.check_password("motdepasse-a-1234")


@pytest.mark.django_db
def test_link_works_once(client, member_a, mailoutbox):
    client.post(reverse("password_reset"), {"email": "alice@a.example"})
    link = reset_link(mailoutbox[0])
    set_password_url = client.get(link).url
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce lien n’est plus valable" in page
    assert f'href="{reverse("password_reset")}"' in page


@pytest.mark.django_db
def test_invalid_address_is_explained(client, mailoutbox):
    page = client.post(reverse("password_reset"), {"email": "pas-une-adresse"}).content.decode()
    assert "Saisissez une adresse e-mail valide" in page
    assert mailoutbox == []


@pytest.mark.django_db
def test_unknown_address_gets_the_same_page_and_no_mail(client, member_a, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "personne@nulle-part.example"})
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


@pytest.mark.django_db
def test_inactive_user_gets_no_mail(client, member_a, mailoutbox):
    member_a.is_active = False
    member_a.save()
    client.post(reverse("password_reset"), {"email": "alice@a.example"})
    assert mailoutbox == []
