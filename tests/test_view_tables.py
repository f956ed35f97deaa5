"""The published tables' pages (reports/views.py) and their charts (reports/charts.py).

Staff with the Miprof role see one page per campaign: every table of `all_tables` in the
report's order, with its chart, scope and reading, and the download buttons. An anonymous
visitor is sent to the login page; anyone else logged in gets 404.
"""

import importlib.util
import re
import sys
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.charts import PALETTE, bar_chart, pie_chart, summary
from reports.tables import NBSP, NOT_COMPARABLE, NOTE, TABLES, all_tables
from reports.views import scope_text
from survey.models import Association, Campaign, Submission

from .conftest import make_submission, page_text

VALIDATED = Submission.Status.VALIDATED
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(value: str) -> str:
    """As `page_text` reads it: no-break spaces as spaces, spaces collapsed."""
    return " ".join(value.split())


# ------------------------------------------------------------------------------ charts

FORMS_2023 = [
    ("Exploitation sexuelle", 4672),
    ("Exploitation par le travail (hors travail domestique)", 768),
    ("Exploitation domestique", 289),
    ("Contrainte à commettre des délits ou des crimes", 236),
    ("Mendicité forcée", 42),
    ("Autre forme d'exploitation", 15),
]


def test_pie_chart_draws_a_slice_per_item_with_its_label_and_share():
    svg = pie_chart(FORMS_2023, title="Formes d'exploitation")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert svg.count("<path ") == 6
    for label, _count in FORMS_2023:
        assert label.replace("'", "&#x27;") in svg
    for share in (78, 13, 5, 4, 1, 0):
        assert f">{share}{NBSP}%<" in svg
    # The summary, as the accessible name and the tooltip.
    assert f"Exploitation sexuelle : 4{NBSP}672 (78{NBSP}%)" in svg
    assert 'aria-label="Formes d&#x27;exploitation. Exploitation sexuelle' in svg
    assert "<title>Formes d&#x27;exploitation. Exploitation sexuelle" in svg
    assert PALETTE[0] in svg and PALETTE[5] in svg


def test_pie_chart_shows_the_shares_it_is_given():
    svg = pie_chart([("A", 1), ("B", 1)], shares=[49, 51])
    assert f">49{NBSP}%<" in svg and f">51{NBSP}%<" in svg
    with pytest.raises(ValueError):
        pie_chart([("A", 1), ("B", 1)], shares=[100])


def test_pie_chart_of_a_single_item_is_a_full_disc():
    svg = pie_chart([("Seule", 5), ("Aucune", 0)])
    assert "<circle " in svg and "<path " not in svg
    assert f">100{NBSP}%<" in svg and f">0{NBSP}%<" in svg


def test_charts_escape_their_labels():
    label = 'Foyer <script>alert("x")</script> & cie'
    for draw in (pie_chart, bar_chart):
        svg = draw([(label, 3), ("Autre", 1)], title="<b>Titre</b>")
        assert "<script>" not in svg and "<b>" not in svg
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; cie" in svg
        assert "&lt;b&gt;Titre&lt;/b&gt;" in svg


@pytest.mark.parametrize("draw", [pie_chart, bar_chart])
@pytest.mark.parametrize("items", [[], [("A", 0), ("B", 0)]])
def test_no_chart_without_data(draw, items):
    assert draw(items) == ""


def test_bar_chart_draws_a_bar_per_share_and_its_percentage():
    svg = bar_chart(
        [("Nigéria", 1330), ("Asie", 174), ("Océanie", 0), ("Non précisé", 825)],
        shares=[32, 4, None, 20],
        title="Origine par région",
        muted=[3],
    )
    assert 'role="img"' in svg
    assert "Nigéria" in svg and "Non précisé" in svg and "Océanie" in svg
    assert f">32{NBSP}%<" in svg and f">4{NBSP}%<" in svg and ">—<" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 3  # none for Océanie, whose share is not known
    assert widths[0] == max(widths) and widths[1] < widths[2] < widths[0]
    assert "#aea397" in svg  # "Non précisé", grey
    assert f"Origine par région. Nigéria : 1{NBSP}330 (32{NBSP}%) ; Asie" in svg


def test_bar_chart_shares_default_to_the_items_total():
    svg = bar_chart([("A", 3), ("B", 1)])
    assert f">75{NBSP}%<" in svg and f">25{NBSP}%<" in svg


@pytest.mark.parametrize("draw", [pie_chart, bar_chart])
def test_narrow_charts_keep_every_label(draw):
    svg = draw(FORMS_2023, width=360)
    assert 'viewBox="0 0 360 ' in svg
    for label, _count in FORMS_2023:
        for word in label.replace("'", "&#x27;").split():
            assert word in svg


def test_summary_reads_each_item():
    assert summary([("A", 3), ("B", 1)], title="T") == f"T. A : 3 (75{NBSP}%) ; B : 1 (25{NBSP}%)"


# ------------------------------------------------------------------------------- pages


@pytest.fixture
def validated(campaign, association_a, association_b):
    """A and B validated; a third association's draft must not count."""
    make_submission(association_a, campaign, status=VALIDATED)
    make_submission(association_b, campaign, status=VALIDATED)
    draft = Association.objects.create(name="Association C", identifier="W131000003")
    make_submission(draft, campaign)
    return campaign


def page_url(campaign: Campaign) -> str:
    return reverse("reports:campaign", args=[campaign.year])


def test_staff_sees_every_table_with_its_scope_and_reading(staff_client, validated):
    response = staff_client.get(page_url(validated))
    assert response.status_code == 200
    page = page_text(response)
    tables = all_tables(validated)
    assert list(tables) == list(TABLES)
    positions = []
    for table in tables.values():
        assert text(table.title) in page, table.id
        assert text(scope_text(table)) in page, table.id
        assert text(f"Lecture : {table.reading}") in page, table.id
        positions.append(page.index(text(table.title)))
    assert positions == sorted(positions)  # the report's order
    # F1: 2 associations, 12 + 3 detected each.
    assert "Champ : 2 associations, 30 victimes" in page
    assert "Tableaux de l’enquête 2024" in page
    assert page.count(text(NOTE)) == 1


def test_tables_are_dsfr_tables_with_their_title_as_caption(staff_client, validated):
    html = staff_client.get(page_url(validated)).content.decode()
    tables = all_tables(validated)
    captions = [page_text(c) for c in re.findall(r"<caption>(.*?)</caption>", html, re.DOTALL)]
    for table in tables.values():
        assert text(table.title) in captions
    assert html.count('class="fr-table ') >= len(tables)
    # F1: detected, accompanied, share accompanied; its total row.
    f1 = html[html.index('id="tableau-f1"') : html.index('id="tableau-f2"')]
    assert "Victimes repérées" in f1 and "Victimes accompagnées" in f1
    assert "Part des victimes accompagnées" in f1
    assert re.search(
        r"<strong>30</strong>.*<strong>22</strong>.*<strong>73\s%</strong>", f1, re.DOTALL
    )
    # Other tables: count and share.
    f2 = page_text(html[html.index('id="tableau-f2"') : html.index('id="tableau-f3"')])
    assert "Exploitation sexuelle 24 80 %" in f2


def test_f1_shows_the_previous_campaign_and_the_evolution(
    staff_client, validated, previous_campaign, association_a
):
    html = staff_client.get(page_url(validated)).content.decode()
    f1 = html[html.index('id="tableau-f1"') : html.index('id="tableau-f2"')]
    assert "Évolution" not in f1  # the previous campaign has no validated answer yet
    make_submission(association_a, previous_campaign, status=VALIDATED)
    html = staff_client.get(page_url(validated)).content.decode()
    f1 = html[html.index('id="tableau-f1"') : html.index('id="tableau-f2"')]
    assert "Victimes repérées en 2022" in f1 and "Évolution des victimes repérées" in f1
    # 30 detected in 2023 against 15 in 2022 (A alone): +100 %; and the warning.
    assert re.search(
        r"<strong>30</strong>.*<strong>15</strong>.*<strong>\+100\s%</strong>", f1, re.DOTALL
    )
    assert text(NOT_COMPARABLE) in page_text(html)


def test_map_shows_regions_forms_and_main_countries_in_french(staff_client, validated):
    html = staff_client.get(page_url(validated)).content.decode()
    section = page_text(html[html.index('id="tableau-map"') : html.index('id="tableau-f7"')])
    # 2 × (5 from Nigeria, 3 from France, 1 from Mali): Western Europe 6 of 22.
    assert "Nigéria 10 45 % Nigeria" in section
    assert "Europe de l'Ouest 6 27 % France (dont 6 victimes de nationalité française)" in section
    assert "Mali" in section
    assert "Part de chaque forme d'exploitation" in section
    assert "Exploitation sexuelle" in section
    assert "originaires de 2 pays" in section
    assert "Afrique" in section


def test_charts_are_drawn_as_in_the_report(staff_client, validated):
    html = staff_client.get(page_url(validated)).content.decode()
    tables = all_tables(validated)
    drawn = [
        table
        for table in tables.values()
        if table.chart
        and any(table.row(key).count for key in table.chart_keys or [r.key for r in table.rows])
    ]
    assert {table.id for table in drawn} >= {"F2", "F3", "F4", "F5", "MAP"}
    # Each, wide and narrow; none for a table whose chart would be empty.
    assert html.count('role="img"') == 2 * len(drawn)
    f2 = html[html.index('id="tableau-f2"') : html.index('id="tableau-f3"')]
    assert "teh-chart--pie" in f2 and f"80{NBSP}%" in f2
    origin = html[html.index('id="tableau-map"') : html.index('id="tableau-f7"')]
    assert "teh-chart--bar" in origin and "Origine par région" in origin
    f1 = html[html.index('id="tableau-f1"') : html.index('id="tableau-f2"')]
    assert "<svg" not in f1  # a table in the report


def test_side_menu_links_every_table_and_downloads(staff_client, validated):
    html = staff_client.get(page_url(validated)).content.decode()
    for table_id in TABLES:
        anchor = f"tableau-{table_id.lower()}"
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    year = validated.year
    for href, label in [
        (f"/tableaux/{year}/tableaux.xlsx?mode=interne", "Classeur Excel — diffusion interne"),
        (
            f"/tableaux/{year}/tableaux.xlsx?mode=publication",
            "Classeur Excel — publication (petits effectifs masqués)",
        ),
        (f"/tableaux/{year}/tableaux.json", "JSON"),
        (f"/tableaux/{year}/donnees.xlsx", "Données brutes (XLSX)"),
        (f"/tableaux/{year}/donnees.csv", "Données brutes (CSV)"),
        (f"/tableaux/{year}/origines.xlsx", "Origines (XLSX)"),
        (f"/tableaux/{year}/origines.csv", "Origines (CSV)"),
    ]:
        assert re.search(rf'href="{re.escape(href)}"[^>]*>{re.escape(label)}</a>', html), href


def test_empty_campaign_says_so_and_draws_no_chart(staff_client, campaign):
    response = staff_client.get(page_url(campaign))
    assert response.status_code == 200
    assert "Aucune réponse validée" in page_text(response)
    assert "<svg" not in response.content.decode()


def test_index_lists_campaigns_with_their_validated_answers(
    staff_client, validated, previous_campaign
):
    response = staff_client.get(reverse("reports:index"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Enquête 2024 (données 2023) Ouverte 2 Tableaux de l’enquête 2024" in page
    assert "Enquête 2023 (données 2022) Close 0 Tableaux de l’enquête 2023" in page
    html = response.content.decode()
    assert 'href="/tableaux/2024/"' in html and 'href="/tableaux/2023/"' in html


def test_header_links_the_tables_for_staff_only(client, miprof, member_a, staff_user, validated):
    client.force_login(miprof)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/tableaux/"' in html
    # On the tables' pages, the link is the current one.
    html = client.get(page_url(validated)).content.decode()
    assert re.search(r'href="/tableaux/"\s+target="_self" aria-current="page">Tableaux<', html)
    client.force_login(member_a)
    assert 'href="/tableaux/"' not in client.get(reverse("home")).content.decode()


def test_unknown_year_is_404(staff_client, validated):
    assert staff_client.get("/tableaux/1999/").status_code == 404
    assert staff_client.get("/tableaux/1999/tableaux.json").status_code == 404
    assert staff_client.get("/tableaux/1999/donnees.csv").status_code == 404


def test_page_reads_in_a_fixed_number_of_queries(
    staff_client, validated, django_assert_max_num_queries
):
    url = page_url(validated)
    # session, user, the user's and the group's permissions, campaign, all_tables (the
    # previous campaign, stamps, stored figures; the first time 4 to compute them and 2
    # to store them), django-dsfr's site configuration, and the session saved again
    # (savepoint, update, release): it expires after inactivity.
    with CaptureQueriesContext(connection) as first:
        response = staff_client.get(url)
    assert len(first) <= 18
    respondents = response.context["respondents"]
    with django_assert_max_num_queries(12):
        assert staff_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as stored:
        staff_client.get(url)
    for index in range(5):
        association = Association.objects.create(name=f"Autre {index}", identifier=f"W99{index}")
        make_submission(association, validated, status=VALIDATED)
    with CaptureQueriesContext(connection) as recomputed:
        response = staff_client.get(url)
    assert len(recomputed) == len(first) - 1  # the figures' row is updated, not inserted
    assert response.context["respondents"] == respondents + 5
    with CaptureQueriesContext(connection) as stored_again:
        staff_client.get(url)
    assert len(stored_again) == len(stored)


# ------------------------------------------------------------------------------ access

URLS = [
    "/tableaux/",
    "/tableaux/2024/",
    "/tableaux/2024/tableaux.xlsx?mode=interne",
    "/tableaux/2024/tableaux.xlsx?mode=publication",
    "/tableaux/2024/tableaux.json",
    "/tableaux/2024/donnees.xlsx",
    "/tableaux/2024/donnees.csv",
    "/tableaux/2024/origines.xlsx",
    "/tableaux/2024/origines.csv",
]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_is_sent_to_login(client, validated, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/tableaux/")


@pytest.mark.parametrize("url", URLS)
def test_member_gets_404(client_a, validated, url):
    assert client_a.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS[:2])
def test_staff_without_the_role_gets_404(client, staff_user, validated, url):
    client.force_login(staff_user)  # is_staff, but not in the Miprof group
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", URLS[:2])
def test_superuser_sees_the_pages(client, superuser, validated, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


# --------------------------------------------------------------------------- downloads
# (path, module, content type, file name)
DOWNLOADS = [
    (
        "tableaux.xlsx?mode=interne",
        "reports.workbook",
        XLSX,
        "enquete-teh-2024-tableaux-interne.xlsx",
    ),
    (
        "tableaux.xlsx?mode=publication",
        "reports.workbook",
        XLSX,
        "enquete-teh-2024-tableaux-publication.xlsx",
    ),
    ("tableaux.json", "reports.workbook", "application/json", "enquete-teh-2024-tableaux.json"),
    ("donnees.xlsx", "reports.exports", XLSX, "enquete-teh-2024-donnees.xlsx"),
    ("donnees.csv", "reports.exports", "text/csv", "enquete-teh-2024-donnees.csv"),
    ("origines.xlsx", "reports.exports", XLSX, "enquete-teh-2024-origines.xlsx"),
    ("origines.csv", "reports.exports", "text/csv", "enquete-teh-2024-origines.csv"),
]


@pytest.mark.parametrize(("path", "module", "content_type", "filename"), DOWNLOADS)
def test_downloads_respond(staff_client, validated, path, module, content_type, filename):
    """With the real modules: the file; while a module is not written yet, 503."""
    response = staff_client.get(f"/tableaux/2024/{path}")
    if importlib.util.find_spec(module) is None:
        assert response.status_code == 503
        assert "Téléchargement indisponible" in page_text(response)
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content
    if content_type == XLSX:
        assert response.content.startswith(b"PK")  # a zip, as every .xlsx


@pytest.fixture
def fake_modules(monkeypatch):
    """Stand-ins for reports.workbook and reports.exports, recording their calls."""
    calls = []
    workbook = types.ModuleType("reports.workbook")

    def tables_workbook(campaign, publication):
        calls.append(("tables_workbook", campaign.year, publication))
        return b"PK-xlsx"

    def tables_json(tables):
        calls.append(("tables_json", list(tables)))
        return '{"F1": {}}'

    workbook.tables_workbook = tables_workbook
    workbook.tables_json = tables_json
    exports = types.ModuleType("reports.exports")
    for name in ("raw_answers_xlsx", "raw_answers_csv", "raw_origins_xlsx", "raw_origins_csv"):

        def export(campaign, name=name):
            calls.append((name, campaign.year))
            return f"{name};{campaign.year}".encode()

        setattr(exports, name, export)
    monkeypatch.setitem(sys.modules, "reports.workbook", workbook)
    monkeypatch.setitem(sys.modules, "reports.exports", exports)
    return calls


@pytest.mark.parametrize(("path", "module", "content_type", "filename"), DOWNLOADS)
def test_downloads_call_the_functions_with_the_campaign(
    staff_client, validated, fake_modules, path, module, content_type, filename
):
    response = staff_client.get(f"/tableaux/2024/{path}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert len(fake_modules) == 1
    call = fake_modules[0]
    if call[0] == "tables_workbook":
        assert call == ("tables_workbook", 2024, "publication" in path)
        assert response.content == b"PK-xlsx"
    elif call[0] == "tables_json":
        assert call == ("tables_json", list(TABLES))
        assert response.content == b'{"F1": {}}'
    else:
        assert call[1] == 2024
        assert response.content.decode() == f"{call[0]};2024"


@pytest.mark.parametrize(("path", "module", "content_type", "filename"), DOWNLOADS)
def test_downloads_answer_503_when_the_module_is_missing(
    staff_client, validated, monkeypatch, path, module, content_type, filename
):
    monkeypatch.setitem(sys.modules, module, None)  # `import` raises ImportError
    response = staff_client.get(f"/tableaux/2024/{path}")
    assert response.status_code == 503
    assert "Téléchargement indisponible" in page_text(response)
    assert "n’est pas installée" in page_text(response)


@pytest.mark.parametrize("mode", ["", "?mode=", "?mode=public"])
def test_workbook_needs_a_known_mode(staff_client, validated, fake_modules, mode):
    assert staff_client.get(f"/tableaux/2024/tableaux.xlsx{mode}").status_code == 404
    assert fake_modules == []
