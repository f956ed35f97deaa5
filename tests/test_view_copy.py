"""`copy`: the association's answers as a JSON file, to keep a copy of what it sent."""

import json

from django.urls import reverse

from survey.answers_json import parse_answers
from survey.models import Campaign, Submission

from .conftest import consistent_answers, make_submission


def copy_url(association, year: int = 2024) -> str:
    return reverse("copy", args=[association.pk, year])


def test_the_copy_is_the_json_format_of_the_answers(client_a, association_a, campaign, member_a):
    make_submission(
        association_a,
        campaign,
        status=Submission.Status.SUBMITTED,
        user=member_a,
        suspects_identified=3,
        comment="Chiffres de notre base « suivi ».",
    )

    response = client_a.get(copy_url(association_a))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="enquete-teh-2024-W751000001.json"'
    )
    (entry,) = json.loads(response.content)
    assert entry["campaign"] == 2024
    assert entry["association"] == {
        "identifier": "W751000001",
        "name": "Association A",
        "departement": "75",
    }
    assert entry["status"] == "submitted"
    assert (entry["suspects_identified"], entry["comment"]) == (
        3,
        "Chiffres de notre base « suivi ».",
    )
    expected = consistent_answers()["forms"]
    assert entry["forms"]["sexual"]["origin"] == {"FR": 3, "NG": 5}
    for form, answers in expected.items():
        for field, value in answers.items():
            assert entry["forms"][form][field] == value, (form, field)
    assert entry["forms"]["domestic"]["detected"] == 0


def test_the_copy_can_be_imported_again(client_a, association_a, submission_a):
    response = client_a.get(copy_url(association_a))

    entries, problems = parse_answers(response.content.decode())

    assert problems == []
    assert entries == [submission_a.to_data()]


def test_a_draft_can_be_downloaded_too(client_a, association_a, submission_a):
    response = client_a.get(copy_url(association_a))

    assert response.status_code == 200
    assert json.loads(response.content)[0]["status"] == "draft"


def test_a_past_campaigns_copy(client_a, association_a, campaign, previous_campaign):
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)

    response = client_a.get(copy_url(association_a, 2023))

    assert response.status_code == 200
    assert 'filename="enquete-teh-2023-W751000001.json"' in response["Content-Disposition"]
    assert json.loads(response.content)[0]["campaign"] == 2023


def test_no_copy_before_anything_is_saved(client_a, association_a, campaign):
    assert client_a.get(copy_url(association_a)).status_code == 404


def test_no_copy_of_a_campaign_in_preparation(client_a, association_a):
    draft = Campaign.objects.create(year=2025, reference_year=2024)
    make_submission(association_a, draft)

    assert client_a.get(copy_url(association_a, 2025)).status_code == 404


def test_only_the_associations_own_answers(client_a, association_a, association_b, campaign):
    make_submission(association_b, campaign)

    assert client_a.get(copy_url(association_a)).status_code == 404
    assert client_a.get(copy_url(association_b)).status_code == 404
