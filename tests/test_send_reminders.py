"""`manage.py send_reminders`: e-mail the associations that have not sent their answers."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from survey.models import Association, Campaign, Membership, Reminder, Submission

from .conftest import make_submission

Status = Submission.Status
SITE = "https://enquete.example.gouv.fr"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def send(*args: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--campaign", "2024", *args, stdout=out)
    return out.getvalue()


def member(django_user_model, association: Association, username: str, **fields):
    fields.setdefault("email", username)
    user = django_user_model.objects.create_user(username=username, **fields)
    Membership.objects.create(user=user, association=association)
    return user


@pytest.fixture
def associations(campaign, django_user_model, member_a, member_b, association_a, association_b):
    """A not started; B a draft; C returned; D sent; E validated; F no one to write to."""
    make_submission(association_b, campaign)
    c = Association.objects.create(name="Collectif C", identifier="W131000003")
    member(django_user_model, c, "claire@c.example")
    member(django_user_model, c, "cyril@c.example")
    member(django_user_model, c, "ancien@c.example", is_active=False)
    make_submission(c, campaign, status=Status.RETURNED)
    for name, identifier, status in (
        ("Droits D", "W751000004", Status.SUBMITTED),
        ("Entraide E", "W751000005", Status.VALIDATED),
    ):
        association = Association.objects.create(name=name, identifier=identifier)
        member(django_user_model, association, f"contact@{identifier}.example")
        make_submission(association, campaign, status=status)
    f = Association.objects.create(name="Foyer F", identifier="W751000006")
    member(django_user_model, f, "sans-adresse", email="")
    return {"A": association_a, "B": association_b, "C": c, "F": f}


def by_recipient(mailoutbox) -> dict[str, object]:
    assert all(len(message.to) == 1 for message in mailoutbox)  # one e-mail per member
    return {message.to[0]: message for message in mailoutbox}


def test_reminds_exactly_the_associations_that_have_not_sent(associations, mailoutbox):
    output = send()

    mails = by_recipient(mailoutbox)
    assert sorted(mails) == [
        "alice@a.example",
        "bob@b.example",
        "claire@c.example",
        "cyril@c.example",
    ]
    assert output.splitlines()[-1] == (
        "3 association(s) relancée(s), 4 e-mail(s) envoyé(s). Ignorées : 0 déjà relancée(s) "
        "aujourd'hui, 1 sans membre avec une adresse e-mail."
    )
    assert "Aucun membre avec une adresse e-mail : Foyer F" in output
    assert "alice@a.example" not in output  # no addresses in cron logs


def test_not_started_text(associations, mailoutbox):
    send()

    mail = by_recipient(mailoutbox)["alice@a.example"]
    assert mail.subject == "Enquête 2024 : votre réponse est attendue"
    body = " ".join(mail.body.split())
    assert "Association A n'a pas encore commencé à y répondre" in body
    assert "ouverte jusqu'au 25 septembre 2024" in body
    assert f"{SITE}{reverse('association_home', args=[associations['A'].pk])}" in body
    assert "brouillon" not in body


def test_draft_text_says_the_draft_is_not_sent(associations, mailoutbox):
    send()

    mail = by_recipient(mailoutbox)["bob@b.example"]
    assert mail.subject == "Enquête 2024 : vos réponses ne sont pas encore transmises"
    body = " ".join(mail.body.split())
    assert "un brouillon existe, mais il n'a pas encore été transmis à la Miprof" in body
    assert "avant la clôture de l'enquête, le 25 septembre 2024" in body
    assert f"{SITE}{reverse('association_home', args=[associations['B'].pk])}" in body


def test_returned_answers_get_the_draft_text_with_the_reason(associations, mailoutbox):
    send()

    body = " ".join(by_recipient(mailoutbox)["claire@c.example"].body.split())
    assert "La Miprof a renvoyé à Collectif C ses réponses" in body
    assert "pas encore transmises de nouveau" in body


def test_records_one_reminder_per_association_and_day(associations, mailoutbox, frozen_now):
    send()

    reminders = {
        (r.association.name, r.kind, r.recipients, r.sent_on)
        for r in Reminder.objects.select_related("association")
    }
    today = datetime.date(2024, 9, 12)
    assert reminders == {
        ("Association A", Reminder.Kind.NOT_STARTED, 1, today),
        ("Association B", Reminder.Kind.DRAFT, 1, today),
        ("Collectif C", Reminder.Kind.DRAFT, 2, today),
    }


def test_not_twice_the_same_day(associations, mailoutbox, frozen_now):
    send()
    mailoutbox.clear()

    output = send()

    assert mailoutbox == []
    assert output.splitlines()[-1] == (
        "0 association(s) relancée(s), 0 e-mail(s) envoyé(s). Ignorées : 3 déjà relancée(s) "
        "aujourd'hui, 1 sans membre avec une adresse e-mail."
    )
    assert Reminder.objects.count() == 3


def test_again_the_next_day(associations, mailoutbox, monkeypatch):
    send()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    mailoutbox.clear()

    send()

    assert len(mailoutbox) == 4
    assert Reminder.objects.count() == 6


def test_an_association_that_sent_since_is_not_reminded_again(
    associations, campaign, mailoutbox, monkeypatch
):
    send()
    Submission.objects.filter(association=associations["B"]).update(status=Status.SUBMITTED)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    mailoutbox.clear()

    send()

    assert "bob@b.example" not in by_recipient(mailoutbox)


def test_dry_run_lists_without_sending(associations, mailoutbox):
    output = send("--dry-run")

    assert mailoutbox == []
    assert not Reminder.objects.exists()
    assert "À relancer : Association A (pas commencé), 1 e-mail(s) : alice@a.example" in output
    assert (
        "À relancer : Collectif C (brouillon non transmis), 2 e-mail(s) : "
        "claire@c.example, cyril@c.example"
    ) in output
    assert output.splitlines()[-1].startswith(
        "Simulation : 3 association(s) seraient relancées, 4 e-mail(s) ; rien n'a été envoyé."
    )


def test_unknown_campaign(db):
    with pytest.raises(CommandError, match="Campagne 2024 inconnue"):
        send()


@pytest.mark.parametrize("status", [Campaign.Status.DRAFT, Campaign.Status.CLOSED])
def test_campaign_not_open(campaign, association_a, member_a, mailoutbox, status):
    Campaign.objects.filter(pk=campaign.pk).update(status=status)

    with pytest.raises(CommandError, match="La campagne 2024 n'est pas ouverte"):
        send()
    assert mailoutbox == []
