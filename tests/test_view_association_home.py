"""`association_home`: the association's space for the open campaign and the past ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import Campaign, Membership, Message, Submission
from survey.questionnaire import SECTIONS

from .conftest import consistent_answers, make_submission, page_text


def home_url(association) -> str:
    return reverse("association_home", args=[association.pk])


def test_the_open_campaign_with_its_deadline(client_a, association_a, campaign):
    response = client_a.get(home_url(association_a))

    assert response.status_code == 200
    text = page_text(response)
    assert "Association A" in text
    assert "Enquête 2024 (données 2023)" in text
    assert "À transmettre au plus tard le 25 septembre 2024." in text
    assert "Les chiffres portent sur l’année 2023." in text
    assert "Statut : Non commencé" in text
    assert "Commencer le questionnaire" in text
    page = response.content.decode()
    assert f'href="{reverse("section", args=[association_a.pk, 2024, "profil"])}"' in page
    assert f'href="{reverse("copy", args=[association_a.pk, 2024])}"' not in page


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Submission.Status.DRAFT, "Brouillon — non transmis"),
        (Submission.Status.SUBMITTED, "Transmis le 12 septembre 2024"),
        (Submission.Status.RETURNED, "À corriger : voir le message de la Miprof"),
        (Submission.Status.VALIDATED, "Validé"),
    ],
    ids=str,
)
def test_the_status_in_plain_words(
    client_a, association_a, campaign, member_a, frozen_now, status, shown
):
    make_submission(association_a, campaign, status=status, user=member_a)

    text = page_text(client_a.get(home_url(association_a)))

    assert f"Statut : {shown}" in text


def test_a_draft_can_be_continued_and_downloaded(client_a, association_a, submission_a):
    response = client_a.get(home_url(association_a))

    text = page_text(response)
    assert "Continuer le questionnaire" in text
    assert "Vérifier et transmettre" in text
    page = response.content.decode()
    assert f'href="{reverse("review", args=[association_a.pk, 2024])}"' in page
    assert f'href="{reverse("copy", args=[association_a.pk, 2024])}"' in page


def test_sent_answers_can_be_seen_not_continued(client_a, association_a, campaign, member_a):
    make_submission(association_a, campaign, status=Submission.Status.SUBMITTED, user=member_a)

    text = page_text(client_a.get(home_url(association_a)))

    assert "Voir les réponses transmises" in text
    assert "Continuer le questionnaire" not in text


def test_progress_per_section(client_a, association_a, campaign):
    data = consistent_answers()
    data["forms"]["sexual"]["women"] = 8  # the gender grid no longer adds up
    data["forms"]["sexual"]["gender_unknown"] = 0
    data["forms"]["labour"]["gender_unknown"] = 2  # 2 of 2 accompanied: a warning
    data["forms"]["labour"]["men"] = 0
    make_submission(association_a, campaign, data=data, sections_saved=["profil", "genre"])

    text = page_text(client_a.get(home_url(association_a)))

    assert "Avancement par section Section État Erreurs Avertissements" in text
    assert "Votre association Enregistrée — —" in text
    assert "Victimes repérées et accompagnées À remplir — —" in text
    assert "Identité de genre Enregistrée 1 1" in text
    assert "Âge À remplir — —" in text
    assert "Vulnérabilités facultatif À remplir — —" in text
    for section in SECTIONS:
        assert section.title in text


def test_staff_messages_are_shown(client_a, association_a, campaign, staff_user, member_a):
    submission = make_submission(association_a, campaign)
    Message.objects.create(
        submission=submission, author=staff_user, from_staff=True, body="Bienvenue !"
    )
    Message.objects.create(submission=submission, author=member_a, body="Merci.")

    text = page_text(client_a.get(home_url(association_a)))

    assert "Messages Miprof —" in text
    assert "Bienvenue !" in text
    assert "alice@a.example —" in text
    assert "Merci." in text
    assert "staff@miprof.example" not in text  # the Miprof signs as the Miprof


def test_a_returned_submission_shows_the_staffs_last_message(
    client_a, association_a, campaign, staff_user, member_a
):
    submission = make_submission(
        association_a, campaign, status=Submission.Status.RETURNED, user=member_a
    )
    Message.objects.create(
        submission=submission, author=staff_user, from_staff=True, body="Premier message."
    )
    Message.objects.create(
        submission=submission,
        author=staff_user,
        from_staff=True,
        body="Le total des âges ne correspond pas.",
    )

    text = page_text(client_a.get(home_url(association_a)))

    assert "À corriger : voir le message de la Miprof" in text
    assert "La Miprof vous demande une correction Le total des âges ne correspond pas." in text
    assert "Continuer le questionnaire" in text


def test_another_associations_messages_are_not_shown(
    client_a, association_a, association_b, campaign, staff_user
):
    make_submission(association_a, campaign)
    theirs = make_submission(association_b, campaign)
    Message.objects.create(
        submission=theirs, author=staff_user, from_staff=True, body="Pour B seulement."
    )

    assert "Pour B seulement." not in page_text(client_a.get(home_url(association_a)))


def test_past_campaigns_are_listed_read_only(client_a, association_a, campaign, previous_campaign):
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)

    response = client_a.get(home_url(association_a))

    assert "Campagnes précédentes Enquête 2023 (données 2022) — Validé" in page_text(response)
    past_url = reverse("section", args=[association_a.pk, 2023, "victimes"])
    assert f'href="{past_url}"' in response.content.decode()
    past = client_a.get(past_url)
    assert past.status_code == 200
    assert "les réponses sont en lecture seule" in page_text(past)


def test_no_past_campaign(client_a, association_a, campaign):
    text = page_text(client_a.get(home_url(association_a)))

    assert "Votre association n’a pas répondu aux campagnes précédentes sur ce service." in text


def test_without_an_open_campaign(client_a, association_a, campaign, previous_campaign):
    campaign.status = Campaign.Status.CLOSED
    campaign.save()
    make_submission(association_a, campaign, status=Submission.Status.VALIDATED)

    text = page_text(client_a.get(home_url(association_a)))

    assert "Aucune campagne ouverte" in text
    assert "Enquête 2024 (données 2023) — Validé" in text  # among the past campaigns


def test_a_member_of_two_associations_sees_each_apart(
    client, member_a, association_a, association_b, campaign
):
    Membership.objects.create(user=member_a, association=association_b)
    make_submission(association_b, campaign, status=Submission.Status.VALIDATED)
    client.force_login(member_a)

    assert "Statut : Non commencé" in page_text(client.get(home_url(association_a)))
    assert "Statut : Validé" in page_text(client.get(home_url(association_b)))


def test_a_fixed_number_of_queries_whatever_the_past(
    client_a, django_assert_max_num_queries, association_a, campaign, previous_campaign, staff_user
):
    submission = make_submission(association_a, campaign)
    Message.objects.create(submission=submission, author=staff_user, from_staff=True, body="1")
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)
    with CaptureQueriesContext(connection) as queries:
        client_a.get(home_url(association_a))
    few = len(queries)

    for year in range(2015, 2023):
        past = Campaign.objects.create(
            year=year, reference_year=year - 1, status=Campaign.Status.PUBLISHED
        )
        make_submission(association_a, past, status=Submission.Status.VALIDATED)
    for body in ("2", "3", "4"):
        Message.objects.create(submission=submission, author=staff_user, from_staff=True, body=body)

    with django_assert_max_num_queries(few):
        response = client_a.get(home_url(association_a))
    assert "Enquête 2015 (données 2014)" in page_text(response)
