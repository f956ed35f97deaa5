"""The audit log: every login, failed login, lockout, export and status change, with who,
from where and on what; staff read it, nobody (superusers included) changes it."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent, ImmutableError, record
from survey import services
from survey.models import Submission

from .conftest import make_submission

PASSWORD_A = "motdepasse-a-1234"
ADDRESS = "203.0.113.9"

pytestmark = pytest.mark.django_db


def events(action: Action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def only(action: Action) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, f"{len(found)} events {action}"
    return found[0]


# --- Logins ---------------------------------------------------------------------------------


def test_a_login_and_a_logout(client, member_a):
    client.post(
        reverse("login"),
        {"username": "Alice@A.example", "password": PASSWORD_A},
        REMOTE_ADDR=ADDRESS,
    )
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    login = only(Action.LOGIN)
    assert (login.actor, login.actor_identifier, login.ip_address) == (
        member_a,
        "alice@a.example",
        ADDRESS,
    )
    logout = only(Action.LOGOUT)
    assert (logout.actor, logout.ip_address) == (member_a, ADDRESS)


def test_a_failed_login_keeps_what_was_typed_and_the_account_it_names(client, member_a):
    client.post(
        reverse("login"),
        {"username": " ALICE@a.example", "password": "mauvais"},
        REMOTE_ADDR=ADDRESS,
    )
    client.post(reverse("login"), {"username": "personne@x.example", "password": "mauvais"})

    named, unknown = events(Action.LOGIN_FAILED)
    assert (named.actor, named.actor_identifier, named.ip_address) == (
        member_a,
        "alice@a.example",
        ADDRESS,
    )
    assert (unknown.actor, unknown.actor_identifier) == (None, "personne@x.example")
    assert "mauvais" not in str(named.details)  # never a password


def test_a_lockout(client, member_a):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "alice@a.example", "password": "mauvais"},
            REMOTE_ADDR=ADDRESS,
        )
    lockout = only(Action.LOCKOUT)
    assert (lockout.actor, lockout.actor_identifier, lockout.ip_address) == (
        member_a,
        "alice@a.example",
        ADDRESS,
    )
    assert len(events(Action.LOGIN_FAILED)) == 5


# --- Exports --------------------------------------------------------------------------------


def test_a_download_of_the_tables(client, miprof, campaign):
    client.force_login(miprof)
    response = client.get(reverse("reports:tables_json", args=[campaign.year]))
    assert response.status_code == 200
    export = only(Action.EXPORT)
    assert export.actor == miprof
    assert export.campaign_year == 2024
    assert export.object_repr == str(campaign)
    assert export.details == {"file": "enquete-teh-2024-tableaux.json"}
    assert export.ip_address == "127.0.0.1"


def test_a_raw_data_download(client, miprof, campaign):
    client.force_login(miprof)
    assert client.get(reverse("reports:raw_answers_csv", args=[campaign.year])).status_code == 200
    assert only(Action.EXPORT).details == {"file": "enquete-teh-2024-donnees.csv"}


def test_the_cockpit_export(client, miprof, campaign):
    client.force_login(miprof)
    url = reverse("admin:survey_campaign_cockpit_export", args=[campaign.pk])
    assert client.get(url).status_code == 200
    export = only(Action.EXPORT)
    assert (export.actor, export.campaign_year) == (miprof, 2024)


def test_an_associations_copy_of_its_answers(client_a, member_a, association_a, submission_a):
    response = client_a.get(reverse("copy", args=[association_a.pk, 2024]))
    assert response.status_code == 200
    export = only(Action.EXPORT)
    assert (export.actor, export.association, export.campaign_year) == (
        member_a,
        association_a,
        2024,
    )


# --- Status changes -------------------------------------------------------------------------


def test_submit_validate_return_reopen(member_a, miprof, submission_a):
    services.submission_submit(
        submission=submission_a, user=member_a, expected_version=submission_a.version
    )
    services.submission_return(submission=submission_a, user=miprof, message="Vérifiez.")
    Submission.objects.filter(pk=submission_a.pk).update(status=Submission.Status.SUBMITTED)
    services.submission_validate(submission=submission_a, user=miprof)
    services.submission_reopen(submission=submission_a, user=miprof, reason="Doublon.")

    logged = [
        (event.action, event.actor, event.association, event.campaign_year, event.object_id)
        for event in AuditEvent.objects.exclude(action=Action.LOGIN).order_by("pk")
    ]
    where = (submission_a.association, 2024, str(submission_a.pk))
    assert logged == [
        (Action.SUBMISSION_SUBMITTED, member_a, *where),
        (Action.SUBMISSION_RETURNED, miprof, *where),
        (Action.SUBMISSION_VALIDATED, miprof, *where),
        (Action.SUBMISSION_REOPENED, miprof, *where),
    ]
    assert only(Action.SUBMISSION_REOPENED).details == {"reason": "Doublon."}


def test_a_refused_change_is_not_logged(miprof, submission_a):
    with pytest.raises(services.ReviewRefused):
        services.submission_validate(submission=submission_a, user=miprof)  # a draft
    assert not events(Action.SUBMISSION_VALIDATED)


def test_a_change_made_in_the_admin_carries_the_address(client, miprof, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    client.force_login(miprof)
    url = reverse("admin:survey_submission_review", args=[submission.pk])
    client.post(url, {"action": "validate"}, REMOTE_ADDR=ADDRESS)
    validated = only(Action.SUBMISSION_VALIDATED)
    assert (validated.actor, validated.ip_address) == (miprof, ADDRESS)


# --- Nobody changes it ----------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted(member_a):
    event = record(None, Action.LOGIN, actor=member_a)
    event.actor_identifier = "quelqu-un@d-autre.example"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_identifier="x")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.actor_identifier == "alice@a.example"


def test_deleting_an_account_keeps_its_events(member_a):
    record(None, Action.LOGIN, actor=member_a)
    member_a.delete()
    event = only(Action.LOGIN)
    assert (event.actor, event.actor_identifier) == (None, "alice@a.example")


def admin_urls(event: AuditEvent) -> dict[str, str]:
    return {
        "list": reverse("admin:audit_auditevent_changelist"),
        "detail": reverse("admin:audit_auditevent_change", args=[event.pk]),
        "add": reverse("admin:audit_auditevent_add"),
        "delete": reverse("admin:audit_auditevent_delete", args=[event.pk]),
    }


@pytest.mark.parametrize("role", ["superuser", "miprof"])
def test_staff_read_it_in_the_admin_and_nobody_changes_it(client, request, member_a, role):
    event = record(None, Action.LOGIN, actor=member_a, details={"note": "avant"})
    client.force_login(request.getfixturevalue(role))
    urls = admin_urls(event)

    listing = client.get(urls["list"], {"q": "alice"})
    assert listing.status_code == 200
    assert "alice@a.example" in listing.content.decode()
    assert client.get(urls["list"], {"action__exact": "login"}).status_code == 200
    detail = client.get(urls["detail"])
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()

    assert client.post(urls["detail"], {"actor_identifier": "x"}).status_code == 403
    assert client.get(urls["add"]).status_code == 403
    assert client.post(urls["delete"], {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.actor_identifier, event.details) == ("alice@a.example", {"note": "avant"})


def test_staff_outside_the_miprof_group_do_not_see_it(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
