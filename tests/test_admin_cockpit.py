"""The cockpit of a campaign in the admin: statuses, counts, problems, filters, export."""

import datetime
import io
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from survey.checks import errors, warnings
from survey.cockpit import NO_REGION, campaign_cockpit, safe_text
from survey.models import Association, FormAnswer, OriginCount, Submission
from survey.questionnaire import COUNT_FIELDS
from survey.services import submission_problems

from .conftest import consistent_answers, make_submission, page_text

Status = Submission.Status


def cockpit_url(campaign) -> str:
    return reverse("admin:survey_campaign_cockpit", args=[campaign.pk])


def export_url(campaign) -> str:
    return reverse("admin:survey_campaign_cockpit_export", args=[campaign.pk])


def association(name: str, identifier: str, region: str = "", departement: str = "") -> Association:
    return Association.objects.create(
        name=name, identifier=identifier, region=region, departement=departement
    )


@pytest.fixture
def every_status(campaign, association_a, association_b):
    """One association in each state: A draft, B sent, C returned, D validated, E nothing."""
    make_submission(association_a, campaign)
    make_submission(association_b, campaign, status=Status.SUBMITTED)
    c = association("Collectif Réseau C", "W131000003", "PAC", "13")
    make_submission(c, campaign, status=Status.RETURNED)
    d = association("Droits D", "W751000004", "IDF", "75")
    make_submission(d, campaign, status=Status.VALIDATED)
    association("Entraide E", "W000000005")  # no region, not started
    return campaign


def grown() -> dict:
    """consistent_answers() with 37 victims detected in sexual exploitation instead of 12."""
    data = consistent_answers()
    data["forms"]["sexual"]["detected"] = 37
    return data


def statuses(cockpit) -> dict[str, str]:
    return {row.association.name: row.status_label for row in cockpit.rows}


# --- What the cockpit computes ------------------------------------------------------------


def test_every_association_is_listed_with_its_status(every_status):
    cockpit = campaign_cockpit(every_status)

    assert statuses(cockpit) == {
        "Association A": "Brouillon",
        "Association B": "Transmise",
        "Collectif Réseau C": "Renvoyée pour correction",
        "Droits D": "Validée",
        "Entraide E": "Pas commencé",
    }
    a = cockpit.rows[0]
    assert a.last_activity == a.submission.updated_at
    assert (a.detected, a.accompanied, a.errors, a.warnings) == (15, 11, 0, 0)
    e = cockpit.rows[-1]
    assert (e.submission, e.last_activity, e.detected, e.errors) == (None, None, None, None)


def test_counts_per_status_and_region(every_status):
    cockpit = campaign_cockpit(every_status)

    assert [(count.label, count.count, count.percent) for count in cockpit.by_status] == [
        ("Pas commencé", 1, 20),
        ("Brouillon", 1, 20),
        ("Transmise", 1, 20),
        ("Renvoyée pour correction", 1, 20),
        ("Validée", 1, 20),
    ]
    assert (cockpit.total, cockpit.received, cockpit.percent) == (5, 2, 40)
    regions = {region.label: (region.total, region.counts) for region in cockpit.by_region}
    assert list(regions) == [
        "Auvergne-Rhône-Alpes",
        "Île-de-France",
        "Provence-Alpes-Côte d'Azur",
        "Région non renseignée",
    ]
    assert regions["Île-de-France"] == (2, [0, 1, 0, 0, 1])  # A draft, D validated
    assert regions["Auvergne-Rhône-Alpes"] == (1, [0, 0, 1, 0, 0])
    assert regions["Région non renseignée"] == (1, [1, 0, 0, 0, 0])
    assert cockpit.by_region[1].percent == 50


def test_errors_and_warnings_are_those_of_the_checks(
    campaign, previous_campaign, association_a, association_b
):
    broken = consistent_answers()
    broken["forms"]["labour"]["detected"] = 1  # 2 accompanied out of 1 detected
    a = make_submission(association_a, campaign, status=Status.SUBMITTED, data=broken)
    # B detected 15 victims last year, 40 now: the year-on-year warning.
    make_submission(association_b, previous_campaign, status=Status.VALIDATED)
    b = make_submission(association_b, campaign, data=grown())

    rows = {row.association: row for row in campaign_cockpit(campaign).rows}

    assert (rows[association_a].errors, rows[association_a].warnings) == (1, 0)
    assert (rows[association_b].errors, rows[association_b].warnings) == (0, 1)
    for submission in (a, b):
        problems = submission_problems(submission)
        row = rows[submission.association]
        assert (row.errors, row.warnings) == (len(errors(problems)), len(warnings(problems)))


def test_only_a_validated_previous_answer_warns(
    campaign, previous_campaign, association_a, association_b
):
    make_submission(association_a, previous_campaign, status=Status.SUBMITTED)
    make_submission(association_a, campaign, data=grown())

    row = campaign_cockpit(campaign).rows[0]
    assert (row.association, row.warnings) == (association_a, 0)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "draft"}, ["Association A"]),
        ({"status": "not_started"}, ["Entraide E"]),
        ({"status": "validated"}, ["Droits D"]),
        ({"region": "IDF"}, ["Association A", "Droits D"]),
        ({"region": NO_REGION}, ["Entraide E"]),
        ({"region": "IDF", "status": "validated"}, ["Droits D"]),
        ({"search": "reseau"}, ["Collectif Réseau C"]),  # accents and case ignored
        ({"search": "W69100"}, ["Association B"]),  # a part of the identifier
        ({"search": "  association  "}, ["Association A", "Association B"]),
        ({"search": "nobody"}, []),
    ],
)
def test_filters_and_search_select_the_rows(every_status, filters, expected):
    cockpit = campaign_cockpit(every_status, **filters)

    assert [row.association.name for row in cockpit.rows] == expected
    assert cockpit.total == 5  # the counts still cover every association
    assert sum(count.count for count in cockpit.by_status) == 5


# --- The page -----------------------------------------------------------------------------


def test_page_shows_statuses_counts_and_links(staff_client, every_status):
    response = staff_client.get(cockpit_url(every_status))

    assert response.status_code == 200
    text = page_text(response)
    assert "Suivi de la campagne 2024" in text
    assert "2 réponses transmises ou validées sur 5 associations attendues (40 %)" in text
    assert "Pas commencé 1 20 %" in text
    assert "Île-de-France 2 0 1 0 0 1 1/2 (50 %)" in text
    assert "Association A W751000001 Île-de-France Brouillon" in text
    assert "Entraide E W000000005 Région non renseignée Pas commencé — — — — —" in text
    page = response.content.decode()
    a = Submission.objects.get(association__name="Association A")
    assert f'href="{reverse("admin:survey_submission_change", args=[a.pk])}"' in page
    e = Association.objects.get(name="Entraide E")
    assert f'href="{reverse("admin:survey_association_change", args=[e.pk])}"' in page
    assert '<progress max="5" value="1"' in page
    assert f'href="{export_url(every_status)}"' in page


def test_page_filters_from_the_query_string(staff_client, every_status):
    response = staff_client.get(cockpit_url(every_status), {"region": "IDF", "q": "droits"})

    text = page_text(response)
    assert "1 association sur 5" in text
    assert "Droits D" in text and "Association A W751" not in text
    page = response.content.decode()
    assert f'href="{export_url(every_status)}?region=IDF&amp;q=droits"' in page
    # Summary links change one filter and keep the others.
    assert 'href="?region=IDF&amp;q=droits&amp;status=draft"' in page


def test_a_bad_filter_value_is_ignored(staff_client, every_status):
    response = staff_client.get(cockpit_url(every_status), {"status": "lost", "region": "XX"})

    assert response.status_code == 200
    assert "5 associations sur 5" in page_text(response)


def test_reached_from_the_campaign_list_and_page(staff_client, campaign):
    link = f'href="{cockpit_url(campaign)}"'
    changelist = staff_client.get(reverse("admin:survey_campaign_changelist"))
    change = staff_client.get(reverse("admin:survey_campaign_change", args=[campaign.pk]))

    assert link in changelist.content.decode()
    assert link in change.content.decode()


# --- Who may open it ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [cockpit_url, export_url])
def test_miprof_staff_open_it(staff_client, campaign, url):
    assert staff_client.get(url(campaign)).status_code == 200


@pytest.mark.parametrize("url", [cockpit_url, export_url])
def test_staff_without_the_miprof_role_are_refused(client, staff_user, campaign, url):
    client.force_login(staff_user)
    assert client.get(url(campaign)).status_code == 403


@pytest.mark.parametrize("url", [cockpit_url, export_url])
def test_member_and_anonymous_are_sent_to_the_admin_login(client, member_a, campaign, url):
    anonymous = client.get(url(campaign))
    client.force_login(member_a)
    member = client.get(url(campaign))

    for response in (anonymous, member):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_unknown_campaign_is_not_found(staff_client, campaign):
    url = reverse("admin:survey_campaign_cockpit", args=[campaign.pk + 1])
    assert staff_client.get(url).status_code == 404


# --- Excel export -------------------------------------------------------------------------


def open_workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="suivi-campagne-2024.xlsx"' in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content)).active


HEADER = [
    "Association",
    "Identifiant (RNA ou SIRET)",
    "Département",
    "Région",
    "Statut",
    "Dernière activité",
    "Victimes repérées",
    "Victimes accompagnées",
    "Erreurs",
    "Avertissements",
]


def test_export_writes_the_rows_shown(frozen_now, staff_client, every_status):
    formula = '=HYPERLINK("http://x";"D")'
    Association.objects.filter(name="Droits D").update(name=formula)

    sheet = open_workbook(staff_client.get(export_url(every_status), {"region": "IDF"}))

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    paris = datetime.datetime(2024, 9, 12, 14, 30)  # frozen_now, as read in Paris
    assert rows == [
        HEADER,
        [formula, "W751000004", "75", "Île-de-France", "Validée", paris, 15, 11, 0, 0],
        ["Association A", "W751000001", "75", "Île-de-France", "Brouillon", paris, 15, 11, 0, 0],
    ]
    assert (sheet["A2"].data_type, sheet["A2"].quotePrefix) == ("s", True)  # text, not a formula
    assert sheet["G2"].data_type == "n" and sheet["F2"].is_date
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J3"
    assert sheet.column_dimensions["A"].width == 40
    assert sheet["A1"].font.bold


def test_export_of_an_association_not_started_leaves_numbers_empty(staff_client, every_status):
    sheet = open_workbook(staff_client.get(export_url(every_status), {"status": "not_started"}))

    assert [cell.value for cell in sheet[2]] == [
        "Entraide E",
        "W000000005",
        None,
        "Région non renseignée",
        "Pas commencé",
        None,
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("value", ["=1+1", "+33 1 23", "-5", "@SUM(A1)"])
def test_safe_text_keeps_formula_like_values_as_text(value):
    from openpyxl import Workbook

    sheet = Workbook().active
    cell = safe_text(sheet, value)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)


def test_safe_text_leaves_plain_text_alone_and_drops_control_characters():
    from openpyxl import Workbook

    cell = safe_text(Workbook().active, "Association\x07 A")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("Association A", "s", False)


# --- A fixed number of queries ------------------------------------------------------------

REGIONS = ["IDF", "ARA", "PAC", "OCC", ""]
STATUSES = [None, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.VALIDATED]


def populate(count: int, campaign, previous) -> None:
    """`count` associations in every state, with answers this year and validated last year."""
    associations = Association.objects.bulk_create(
        Association(name=f"Association {i:04}", identifier=f"W{i:09}", region=region)
        for i, region in zip(range(count), itertools.cycle(REGIONS), strict=False)
    )
    now = timezone.now()
    submissions = [
        Submission(association=association, campaign=campaign, status=status, submitted_at=now)
        for association, status in zip(associations, itertools.cycle(STATUSES), strict=False)
        if status
    ] + [
        Submission(association=association, campaign=previous, status=Status.VALIDATED)
        for association in associations
    ]
    Submission.objects.bulk_create(submissions)
    forms = consistent_answers()["forms"]
    answers = FormAnswer.objects.bulk_create(
        FormAnswer(submission=submission, form=form, **{f: values[f] for f in COUNT_FIELDS})
        for submission in submissions
        for form, values in forms.items()
    )
    OriginCount.objects.bulk_create(
        OriginCount(answer=answer, country=country, count=n)
        for answer in answers
        for country, n in forms[answer.form]["origin"].items()
    )


# Session, user, the campaign, permissions (2), site configuration; then the cockpit (8);
# and the session saved again (savepoint, update, release): it expires after inactivity.
MAX_QUERIES = 17


@pytest.mark.parametrize("count", [10, 1000])
def test_page_makes_a_fixed_number_of_queries(
    staff_client, campaign, previous_campaign, count, django_assert_max_num_queries
):
    populate(count, campaign, previous_campaign)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(cockpit_url(campaign))

    assert response.status_code == 200
    assert f"{count} associations sur {count}" in page_text(response)


@pytest.mark.parametrize("count", [10, 1000])
def test_selector_makes_eight_queries(
    campaign, previous_campaign, count, django_assert_num_queries
):
    populate(count, campaign, previous_campaign)

    with django_assert_num_queries(8):
        cockpit = campaign_cockpit(campaign)
        assert len(cockpit.rows) == count
