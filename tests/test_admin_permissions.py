"""Who does what in the admin: a URL × role matrix.

Miprof staff (the "Miprof" group) read submissions and review them (validate, return,
reopen, write); they do not change answers, manage accounts or campaigns: superusers do.
Staff outside the group see nothing; members of associations and anonymous visitors are
sent to the admin's login page. A refused request changes nothing.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from survey.models import FormAnswer, Message, Submission

from .conftest import make_submission

LOGIN = "login"  # 302 to the admin's login page
DONE = "done"  # 302 back to the review page, the action carried out

# What the action needs the submission to be, and what it sends.
ACTIONS = {
    "validate": (Submission.Status.SUBMITTED, {}),
    "return": (Submission.Status.SUBMITTED, {"message": "Corrigez les âges."}),
    "reopen": (Submission.Status.VALIDATED, {"reason": "Doublon."}),
    "message": (Submission.Status.SUBMITTED, {"body": "Bonjour."}),
}

# What, then the expected answer for:
#   anonymous, member of A, Miprof staff, staff outside the group, superuser
MATRIX = [
    ("GET submission list", LOGIN, LOGIN, 200, 403, 200),
    ("GET review", LOGIN, LOGIN, 200, 403, 200),
    *((f"POST {action}", LOGIN, LOGIN, DONE, 403, DONE) for action in ACTIONS),
    ("GET submission change", LOGIN, LOGIN, 200, 403, 200),  # read-only but for superusers
    ("POST submission change", LOGIN, LOGIN, 403, 403, 302),
    ("GET answer change", LOGIN, LOGIN, 200, 403, 200),  # read-only but for superusers
    ("POST answer change", LOGIN, LOGIN, 403, 403, 302),
    ("POST answer delete", LOGIN, LOGIN, 403, 403, 302),
    ("GET campaign add", LOGIN, LOGIN, 403, 403, 200),
    ("GET user list", LOGIN, LOGIN, 403, 403, 200),
    ("GET user add", LOGIN, LOGIN, 403, 403, 200),
]
ROLES = ("anonymous", "member_a", "miprof", "staff_user", "superuser")

CASES = [
    pytest.param(what, role, expected, id=f"{what} {role}")
    for what, *answers in MATRIX
    for role, expected in zip(ROLES, answers, strict=True)
]


def everything_stored() -> dict:
    """What a refused request must leave as it was."""
    return {
        "submissions": [
            (submission.status, submission.version, submission.to_data())
            for submission in Submission.objects.order_by("pk")
        ],
        "messages": list(Message.objects.values_list("body", flat=True)),
    }


def answer_payload(answer: FormAnswer) -> dict:
    """The answer's change form, posted as it stands but for one count."""
    fields = {
        field.name: getattr(answer, field.attname)
        for field in FormAnswer._meta.concrete_fields
        if field.name != "id"
    }
    fields = {name: "" if value is None else value for name, value in fields.items()}
    fields["detected"] = 99
    management = {
        "origins-TOTAL_FORMS": 0,
        "origins-INITIAL_FORMS": 0,
        "origins-MIN_NUM_FORMS": 0,
        "origins-MAX_NUM_FORMS": 1000,
    }
    return {**fields, **management}


def submission_payload(submission: Submission) -> dict:
    return {
        "association": submission.association_id,
        "campaign": submission.campaign_id,
        "status": Submission.Status.VALIDATED,
        "sections_saved": "[]",
        "comment": "Modifié dans l'admin",
        "answers-TOTAL_FORMS": 0,
        "answers-INITIAL_FORMS": 0,
        "answers-MIN_NUM_FORMS": 0,
        "answers-MAX_NUM_FORMS": 1000,
    }


def request_for(what: str, submission: Submission) -> tuple[str, str, dict]:
    """(method, URL, data) of a line of the matrix."""
    answer = submission.answers.get(form="labour")
    review = reverse("admin:survey_submission_review", args=[submission.pk])
    method, name = what.split(" ", 1)
    if name in ACTIONS:
        return method, review, {"action": name, **ACTIONS[name][1]}
    return {
        "submission list": (method, reverse("admin:survey_submission_changelist"), {}),
        "review": (method, review, {}),
        "submission change": (
            method,
            reverse("admin:survey_submission_change", args=[submission.pk]),
            submission_payload(submission),
        ),
        "answer change": (
            method,
            reverse("admin:survey_formanswer_change", args=[answer.pk]),
            answer_payload(answer),
        ),
        "answer delete": (
            method,
            reverse("admin:survey_formanswer_delete", args=[answer.pk]),
            {"post": "yes"},
        ),
        "campaign add": (method, reverse("admin:survey_campaign_add"), {}),
        "user list": (method, reverse("admin:auth_user_changelist"), {}),
        "user add": (method, reverse("admin:auth_user_add"), {}),
    }[name]


@pytest.mark.parametrize(("what", "role", "expected"), CASES)
def test_admin_access(client, request, association_a, campaign, member_a, what, role, expected):
    action = what.split(" ", 1)[1]
    status = ACTIONS[action][0] if action in ACTIONS else Submission.Status.SUBMITTED
    submission = make_submission(association_a, campaign, status=status)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    method, url, data = request_for(what, submission)
    before = everything_stored()

    response = client.get(url) if method == "GET" else client.post(url, data)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url == f"{reverse('admin:login')}?next={quote(url)}"
    elif expected == DONE:
        assert response.status_code == 302
        assert response.url == reverse("admin:survey_submission_review", args=[submission.pk])
        assert everything_stored() != before
    else:
        assert response.status_code == expected
    if method == "POST" and expected not in (DONE, 302):
        assert everything_stored() == before
    if method == "POST" and expected == 302:  # a superuser's change went through
        assert everything_stored() != before


def test_miprof_staff_cannot_revert_a_submission_through_its_history(
    client, miprof, association_a, campaign
):
    """simple-history's "revert" saves an old version: a change, refused without the right."""
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    first = submission.history.earliest()
    client.force_login(miprof)
    url = reverse("admin:survey_submission_simple_history", args=[submission.pk, first.pk])
    before = everything_stored()

    assert client.get(url).status_code == 200  # reading the old version is fine
    assert client.post(url, {}).status_code == 403
    assert everything_stored() == before


def test_the_matrix_covers_every_review_action():
    from survey.admin_submissions import REVIEW_ACTIONS

    assert set(REVIEW_ACTIONS) == set(ACTIONS)
