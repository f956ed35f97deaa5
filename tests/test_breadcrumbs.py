"""The DSFR breadcrumb of each page (django-dsfr's `dsfr_breadcrumb`): home, the pages
above, the current one."""

import re

import pytest
from django.urls import reverse

from tests.conftest import page_text


def crumbs(response) -> list[tuple[str, str | None]]:
    """(text, href) of each link of the breadcrumb; href None for the current page."""
    (nav,) = re.findall(r'<nav[^>]*class="fr-breadcrumb".*?</nav>', response.content.decode(), re.S)
    return [
        (page_text(text), href)
        for attributes, text in re.findall(r"<a ([^>]*)>(.*?)</a>", nav, re.S)
        for href in [next(iter(re.findall(r'href="([^"]*)"', attributes)), None)]
    ]


@pytest.mark.parametrize(
    ("name", "above", "current"),
    [
        ("association_home", [], "{association}"),
        ("section", ["{association}"], "Victimes repérées et accompagnées"),
        ("review", ["{association}"], "Vérifier et transmettre"),
        ("spreadsheet_upload", ["{association}"], "Importer un questionnaire rempli"),
        (
            "spreadsheet_preview",
            ["{association}", "Importer un questionnaire rempli"],
            "Vérifier l’import",
        ),
    ],
)
def test_association_pages(client_a, association_a, campaign, name, above, current):
    args = {
        "association_home": [association_a.pk],
        "section": [association_a.pk, campaign.year, "victimes"],
    }.get(name, [association_a.pk, campaign.year])
    response = client_a.get(reverse(name, args=args))
    assert response.status_code == 200
    found = crumbs(response)
    texts = [text for text, _href in found]
    expected = ["Accueil", *above, current]
    assert texts == [text.format(association=association_a.name) for text in expected]
    assert found[0][1] == "/"
    assert found[-1][1] is None
    if above:
        assert found[1][1] == reverse("association_home", args=[association_a.pk])
    assert all(href for _text, href in found[:-1])


def test_tables_pages(staff_client, campaign):
    index = crumbs(staff_client.get(reverse("reports:index")))
    assert index == [("Accueil", "/"), ("Tableaux", None)]
    page = crumbs(staff_client.get(reverse("reports:campaign", args=[campaign.year])))
    assert page == [
        ("Accueil", "/"),
        ("Tableaux", reverse("reports:index")),
        ("Enquête 2024", None),
    ]
