"""Who reaches association A's pages: every URL of survey/urls.py that takes an association.

A member of A may; anyone else logged in gets 404, as if the association did not exist
(staff included: they review answers in the admin, not through the associations' side);
an anonymous visitor is sent to the login page. A refused POST changes nothing.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from survey.models import Association, Message, Submission, WarningExplanation
from survey.questionnaire import SECTIONS
from survey.urls import urlpatterns

from .conftest import make_submission

LOGIN = "login"  # 302 to the login page, coming back here afterwards
SAVED = "saved"  # 302 to the same page, after saving
HOME = "home"  # 302 to the association's home, after writing to the Miprof

# method, URL name, arguments after the association's pk, then the expected answer for:
#   anonymous, member of A, member of B, staff (not a member), superuser (not a member)
MATRIX = [
    ("GET", "association_home", (), LOGIN, 200, 404, 404, 404),
    *(("GET", "section", (2024, s.slug), LOGIN, 200, 404, 404, 404) for s in SECTIONS),
    ("GET", "review", (2024,), LOGIN, 200, 404, 404, 404),
    ("GET", "copy", (2024,), LOGIN, 200, 404, 404, 404),
    *(("POST", "section", (2024, s.slug), LOGIN, SAVED, 404, 404, 404) for s in SECTIONS),
    ("POST", "review", (2024,), LOGIN, SAVED, 404, 404, 404),
    ("POST", "submission_message", (2024,), LOGIN, HOME, 404, 404, 404),
    ("GET", "spreadsheet_download", (2024,), LOGIN, 200, 404, 404, 404),
    ("GET", "spreadsheet_upload", (2024,), LOGIN, 200, 404, 404, 404),
    ("GET", "spreadsheet_preview", (2024,), LOGIN, 200, 404, 404, 404),
    # No file posted: said on the page; no import waiting: nothing to confirm.
    ("POST", "spreadsheet_upload", (2024,), LOGIN, 200, 404, 404, 404),
    ("POST", "spreadsheet_preview", (2024,), LOGIN, 409, 404, 404, 404),
]
ROLES = ("anonymous", "member_a", "member_b", "staff_user", "superuser")

CASES = [
    pytest.param(
        method, name, args, role, expected, id=f"{method} {name} {'/'.join(map(str, args))} {role}"
    )
    for method, name, args, *answers in MATRIX
    for role, expected in zip(ROLES, answers, strict=True)
]

# One payload that would change something on every page: a count of each grid, a country,
# the association's département, the complements, and "Transmettre à la Miprof".
POSTED = {
    "version": "1",
    "sexual-detected": "99",
    "sexual-women": "99",
    "sexual-france_only": "99",
    "sexual-under_15": "99",
    "country-0": "Chine",
    "sexual-country-0": "9",
    "sexual-origin_unknown": "0",
    "departement": "13",
    "region": "PAC",
    "description": "Modifié",
    "suspects_identified": "9",
    "comment": "Modifié",
    "body": "Modifié",
    "submit": "",
}


def everything_stored() -> dict:
    """What a refused request must leave as it was."""
    return {
        "associations": list(Association.objects.order_by("pk").values()),
        "submissions": [
            (submission.version, submission.to_data())
            for submission in Submission.objects.order_by("pk")
        ],
        "explanations": list(WarningExplanation.objects.values()),
        "messages": list(Message.objects.values()),
    }


@pytest.mark.parametrize(("method", "name", "args", "role", "expected"), CASES)
def test_access(client, request, association_a, campaign, method, name, args, role, expected):
    make_submission(association_a, campaign)  # so that A's copy exists
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[association_a.pk, *args])
    before = everything_stored()

    response = client.get(url) if method == "GET" else client.post(url, POSTED)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={quote(url)}"
    elif expected == SAVED:
        assert response.status_code == 302
        assert response.url == url
    elif expected == HOME:
        assert response.status_code == 302
        assert response.url == reverse("association_home", args=[association_a.pk])
    else:
        assert response.status_code == expected
    if method == "POST" and expected not in (SAVED, HOME):
        assert everything_stored() == before
    if expected in (SAVED, HOME):
        assert everything_stored() != before  # the payload does change A's answers


def test_the_matrix_covers_every_url_taking_an_association():
    with_association = {
        pattern.name for pattern in urlpatterns if "<int:pk>" in str(pattern.pattern)
    }

    assert with_association == {name for _, name, *_ in MATRIX}
    assert {args[1] for method, name, args, *_ in MATRIX if name == "section"} == {
        section.slug for section in SECTIONS
    }
