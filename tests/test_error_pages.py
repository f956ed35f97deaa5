"""The error pages speak French and keep the site's layout (500 stands alone)."""

from django.test import Client
from django.test.client import RequestFactory
from django.views.defaults import server_error

from .conftest import page_text


def test_404_in_french(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    page = page_text(response)
    assert "Page non trouvée" in page and "Erreur 404" in page
    assert "Page d’accueil" in page


def test_400_on_a_too_large_form(client_a, association_a, campaign):
    url = f"/espace/{association_a.pk}/{campaign.year}/questionnaire/genre/"
    response = client_a.post(url, {f"f{index}": "1" for index in range(1001)})
    assert response.status_code == 400
    assert "Demande incorrecte" in page_text(response)
    assert "rien n’a été enregistré" in page_text(response)


def test_403_csrf_in_french(db, member_a, association_a, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    url = f"/espace/{association_a.pk}/{campaign.year}/questionnaire/genre/"
    response = client.post(url, {"sexual-women": "3"})
    assert response.status_code == 403
    assert "Formulaire expiré" in page_text(response)


def test_500_renders_without_a_request_context(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Erreur inattendue" in page and 'lang="fr"' in page
    assert "dsfr.min.css" in page
