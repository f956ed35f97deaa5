"""Admin list pages: staff see the demo submissions with their totals."""

import io

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from survey.models import Submission

ADMIN_LISTS = [
    "survey_campaign",
    "survey_association",
    "survey_membership",
    "survey_submission",
    "survey_formanswer",
]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def staff_client(client, demo):
    # django-axes checks every login against its lockouts, which needs a request.
    client.login(
        request=HttpRequest(), username="agent@miprof.example", password="demo-miprof-2024"
    )
    return client


@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_staff_opens_every_list(staff_client, name):
    response = staff_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


def test_submission_list_shows_status_and_totals(staff_client):
    page = staff_client.get(reverse("admin:survey_submission_changelist")).content.decode()
    assert "Horizon Solidaire" in page
    assert "Validée" in page and "Renvoyée pour correction" in page
    # Horizon Solidaire: 30 sexual + 4 domestic detected, 20 + 4 accompanied.
    assert ">34<" in page and ">24<" in page


def test_submission_list_makes_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("admin:survey_submission_changelist"))


def test_submission_page_opens(staff_client):
    submission = Submission.objects.get(association__identifier="W751000101")
    url = reverse("admin:survey_submission_change", args=[submission.pk])
    assert staff_client.get(url).status_code == 200


def test_member_cannot_open_the_admin(client, demo):
    client.login(
        request=HttpRequest(),
        username="contact@horizon-solidaire.example",
        password="demo-miprof-2024",
    )
    response = client.get(reverse("admin:survey_submission_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
