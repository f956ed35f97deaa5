"""`review`: every error and warning, explanations, and "Transmettre à la Miprof"."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.demo import consistent_form
from survey.models import Campaign, Message, Submission, WarningExplanation

from .conftest import consistent_answers, form_fields, make_submission, page_text

GENDER_ERROR = (
    "Exploitation sexuelle : la somme des identités de genre (10) diffère du nombre de "
    "victimes accompagnées (9)."
)
ORIGIN_ERROR = (
    "Exploitation par le travail (hors travail domestique) : la somme des pays d'origine (1) "
    "diffère du nombre de victimes accompagnées (2)."
)
GENDER_WARNING = (
    "Exploitation par le travail (hors travail domestique) : « identité de genre non "
    "renseignée » concerne 2 victimes sur 2 accompagnées, plus de la moitié."
)
GENDER_WARNING_KEY = "gender_unknown_share@forms.labour.gender_unknown"
SUBMIT = "Transmettre à la Miprof"


def review_url(association, year: int = 2024) -> str:
    return reverse("review", args=[association.pk, year])


def section_link(association, slug: str) -> str:
    return f'href="{reverse("section", args=[association.pk, 2024, slug])}?toutes=1"'


def with_errors() -> dict:
    data = consistent_answers()
    data["forms"]["sexual"]["women"] = 8  # 8 + 1 + 1 for 9 accompanied
    data["forms"]["labour"]["origin_unknown"] = 0  # Mali 1 for 2 accompanied
    return data


def with_a_warning() -> dict:
    data = consistent_answers()
    data["forms"]["labour"].update(men=0, gender_unknown=2)  # 2 of 2 not known
    return data


def submit(client, association, **explanations) -> object:
    """Click "Transmettre à la Miprof" on the review page, as it stands."""
    data = form_fields(client.get(review_url(association)))
    data.update({f"explanation-{key}": text for key, text in explanations.items()})
    return client.post(review_url(association), {**data, "submit": ""}, follow=True)


# --- Errors and warnings ----------------------------------------------------------------


def test_before_anything_is_saved(client_a, association_a, campaign):
    response = client_a.get(review_url(association_a))

    assert response.status_code == 200
    text = page_text(response)
    assert "Vous n’avez encore rien enregistré" in text
    assert SUBMIT not in text
    client_a.post(review_url(association_a), {"version": "0", "submit": ""})
    assert not Submission.objects.exists()


def test_consistent_answers_can_be_sent(client_a, association_a, submission_a):
    response = client_a.get(review_url(association_a))

    text = page_text(response)
    assert "Erreurs à corriger Aucune erreur" in text
    assert "Avertissements Aucun avertissement" in text
    assert SUBMIT in text
    assert "disabled" not in response.content.decode().split('name="submit"')[1].split(">")[0]


def test_every_hard_error_is_listed_with_a_link_to_its_section(client_a, association_a, campaign):
    make_submission(association_a, campaign, data=with_errors())

    response = client_a.get(review_url(association_a))

    text = page_text(response)
    assert "Erreurs à corriger (2) La transmission est impossible tant qu’il reste une erreur." in (
        text
    )
    assert f"{GENDER_ERROR} Corriger dans « Identité de genre »" in text
    assert f"{ORIGIN_ERROR} Corriger dans « Pays d'origine »" in text
    page = response.content.decode()
    assert section_link(association_a, "genre") in page
    assert section_link(association_a, "origine") in page


def test_submitting_is_refused_while_an_error_remains(
    client_a, association_a, campaign, mailoutbox
):
    submission = make_submission(association_a, campaign, data=with_errors())

    page = client_a.get(review_url(association_a)).content.decode()
    assert "disabled" in page.split('name="submit"')[1].split(">")[0]
    response = submit(client_a, association_a)

    assert "Transmission impossible : 2 erreur(s) à corriger." in page_text(response)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert submission.submitted_at is None
    assert mailoutbox == []


def test_every_warning_asks_for_an_explanation(client_a, association_a, campaign):
    make_submission(association_a, campaign, data=with_a_warning())

    response = client_a.get(review_url(association_a))

    text = page_text(response)
    assert "Erreurs à corriger Aucune erreur" in text
    assert "Avertissements (1)" in text
    assert f"{GENDER_WARNING} Voir « Identité de genre »" in text
    assert section_link(association_a, "genre") in response.content.decode()
    assert form_fields(response)[f"explanation-{GENDER_WARNING_KEY}"] == ""


def test_an_unexplained_warning_blocks_submitting(client_a, association_a, campaign, mailoutbox):
    submission = make_submission(association_a, campaign, data=with_a_warning())

    response = submit(client_a, association_a)

    assert (
        "Transmission impossible : 1 avertissement(s) sans explication. Corrigez la réponse "
        "ou expliquez-la en quelques mots." in page_text(response)
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert mailoutbox == []


def test_explanations_are_saved(client_a, association_a, campaign):
    submission = make_submission(association_a, campaign, data=with_a_warning())
    data = form_fields(client_a.get(review_url(association_a)))
    data[f"explanation-{GENDER_WARNING_KEY}"] = "Accueil anonyme : le genre n'est pas demandé."

    response = client_a.post(review_url(association_a), {**data, "save": ""}, follow=True)

    assert response.redirect_chain == [(review_url(association_a), 302)]
    assert "Explications enregistrées." in page_text(response)
    explanation = WarningExplanation.objects.get(submission=submission)
    assert explanation.key == GENDER_WARNING_KEY
    assert explanation.text == "Accueil anonyme : le genre n'est pas demandé."
    fields = form_fields(response)
    assert fields[f"explanation-{GENDER_WARNING_KEY}"] == explanation.text
    submission.refresh_from_db()
    assert submission.version == 1  # explaining is not changing the answers


def test_an_emptied_explanation_is_removed(client_a, association_a, campaign):
    submission = make_submission(association_a, campaign, data=with_a_warning())
    WarningExplanation.objects.create(submission=submission, key=GENDER_WARNING_KEY, text="x")
    data = form_fields(client_a.get(review_url(association_a)))
    data[f"explanation-{GENDER_WARNING_KEY}"] = "  "

    client_a.post(review_url(association_a), {**data, "save": ""})

    assert not WarningExplanation.objects.exists()


def test_an_explained_warning_lets_the_answers_go(
    client_a, association_a, campaign, member_a, mailoutbox
):
    submission = make_submission(association_a, campaign, data=with_a_warning())

    response = submit(
        client_a, association_a, **{GENDER_WARNING_KEY: "Accueil anonyme : genre non demandé."}
    )

    assert "Réponses transmises à la Miprof le" in page_text(response)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.explanations.get().text == "Accueil anonyme : genre non demandé."
    assert len(mailoutbox) == 1


def test_an_explanation_outlives_saves_of_the_answers(client_a, association_a, campaign):
    submission = make_submission(association_a, campaign, data=with_a_warning())
    WarningExplanation.objects.create(
        submission=submission, key=GENDER_WARNING_KEY, text="Genre non demandé."
    )
    url = reverse("section", args=[association_a.pk, 2024, "age"])
    client_a.post(url, form_fields(client_a.get(url)))  # another section is saved

    response = client_a.get(review_url(association_a))

    assert form_fields(response)[f"explanation-{GENDER_WARNING_KEY}"] == "Genre non demandé."


def test_a_corrected_warning_needs_no_explanation(client_a, association_a, campaign):
    submission = make_submission(association_a, campaign, data=with_a_warning())
    url = reverse("section", args=[association_a.pk, 2024, "genre"])
    data = form_fields(client_a.get(url))
    client_a.post(url, {**data, "labour-men": "2", "labour-gender_unknown": "0"})

    assert "Aucun avertissement" in page_text(client_a.get(review_url(association_a)))
    submit(client_a, association_a)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_the_year_on_year_warning(client_a, association_a, submission_a, previous_campaign):
    make_submission(
        association_a,
        previous_campaign,
        status=Submission.Status.VALIDATED,
        data=consistent_answers(
            sexual=consistent_form(
                2, 2, place=(2, 0, 0), gender=(2, 0, 0, 0, 0, 0), age=(0, 0, 0, 2, 0), origin={}
            ),
            labour={},
        ),
    )

    response = client_a.get(review_url(association_a))

    assert (
        "Le total des victimes repérées (15) varie de +650 % par rapport à votre réponse "
        "validée de l'édition précédente (2). Vérifiez les chiffres ou expliquez cette "
        "évolution. Voir « Victimes repérées et accompagnées »" in page_text(response)
    )
    assert "explanation-year_on_year@detected" in form_fields(response)


# --- Transmettre à la Miprof --------------------------------------------------------------


def test_submitting_sends_the_answers_and_an_email(
    client_a, association_a, submission_a, member_a, frozen_now, mailoutbox
):
    response = submit(client_a, association_a)

    assert response.redirect_chain == [(review_url(association_a), 302)]
    submission_a.refresh_from_db()
    assert submission_a.status == Submission.Status.SUBMITTED
    assert (submission_a.submitted_at, submission_a.submitted_by) == (frozen_now, member_a)
    text = page_text(response)
    assert (
        "Réponses transmises à la Miprof le 12/09/2024 à 14:30. Un e-mail de confirmation vous "
        "a été envoyé." in text
    )
    assert "Transmis le 12 septembre 2024" in text
    assert "Réponses transmises à la Miprof le 12 septembre 2024 à 14:30" in text
    assert SUBMIT not in text
    copy_url = reverse("copy", args=[association_a.pk, 2024])
    assert f'href="{copy_url}"' in response.content.decode()

    (email,) = mailoutbox
    assert email.to == ["alice@a.example"]
    assert email.subject == "Enquête 2024 : réponses de Association A transmises"
    assert (
        "Les réponses de Association A à l'enquête 2024 (données 2023) ont bien été transmises "
        "à la Miprof le 12 septembre 2024 à 14:30, par alice@a.example." in email.body
    )
    assert f"http://testserver{review_url(association_a)}" in email.body


def test_sent_answers_are_read_only(client_a, association_a, submission_a, mailoutbox):
    submit(client_a, association_a)

    url = reverse("section", args=[association_a.pk, 2024, "genre"])
    response = client_a.get(url)
    assert "elles sont en lecture seule" in page_text(response)
    client_a.post(url, {"version": "2", "sexual-women": "0"})
    assert submission_a.answers.get(form="sexual").women == 7
    response = submit(client_a, association_a)  # a second click does nothing
    assert len(mailoutbox) == 1


def test_submitting_stale_answers_is_refused(client_a, association_a, submission_a, mailoutbox):
    data = form_fields(client_a.get(review_url(association_a)))
    Submission.objects.filter(pk=submission_a.pk).update(version=2)  # another member saved

    response = client_a.post(review_url(association_a), {**data, "submit": ""})

    assert response.status_code == 200
    assert (
        "Un autre membre de votre association a modifié les réponses entre-temps : "
        "relisez-les avant de les transmettre." in page_text(response)
    )
    submission_a.refresh_from_db()
    assert submission_a.status == Submission.Status.DRAFT
    assert mailoutbox == []


def test_a_returned_submission_is_corrected_and_sent_again(
    client_a, association_a, submission_a, staff_user, monkeypatch, mailoutbox
):
    submit(client_a, association_a)
    # The Miprof sends the answers back, with a message (in the admin).
    submission_a.refresh_from_db()
    submission_a.status = Submission.Status.RETURNED
    submission_a.save()
    Message.objects.create(
        submission=submission_a,
        author=staff_user,
        from_staff=True,
        body="Merci de vérifier les âges de l'exploitation par le travail.",
    )

    home = page_text(client_a.get(reverse("association_home", args=[association_a.pk])))
    assert "À corriger : voir le message de la Miprof" in home
    assert "Merci de vérifier les âges de l'exploitation par le travail." in home
    url = reverse("section", args=[association_a.pk, 2024, "age"])
    data = form_fields(client_a.get(url))
    response = client_a.post(url, {**data, "labour-age_18_24": "0", "labour-age_25_plus": "2"})
    assert response.status_code == 302
    assert submission_a.answers.get(form="labour").age_25_plus == 2

    later = datetime.datetime(2024, 9, 20, 8, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    response = submit(client_a, association_a)

    submission_a.refresh_from_db()
    assert submission_a.status == Submission.Status.SUBMITTED
    assert submission_a.submitted_at == later
    assert "Transmis le 20 septembre 2024" in page_text(response)
    assert len(mailoutbox) == 2
    assert "le 20 septembre 2024 à 10:00" in mailoutbox[1].body


def test_a_closed_campaigns_review_is_read_only(client_a, association_a, previous_campaign):
    submission = make_submission(association_a, previous_campaign, data=with_a_warning())

    response = client_a.get(review_url(association_a, 2023))

    assert response.status_code == 200
    assert SUBMIT not in page_text(response)
    assert f"explanation-{GENDER_WARNING_KEY}" not in form_fields(response)  # disabled
    client_a.post(
        review_url(association_a, 2023),
        {"version": "1", f"explanation-{GENDER_WARNING_KEY}": "x", "submit": ""},
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert not WarningExplanation.objects.exists()


def test_a_fixed_number_of_queries(
    client_a, django_assert_max_num_queries, association_a, campaign, previous_campaign
):
    submission = make_submission(association_a, campaign, data=with_a_warning())
    WarningExplanation.objects.create(submission=submission, key=GENDER_WARNING_KEY, text="x")
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)
    with CaptureQueriesContext(connection) as queries:
        client_a.get(review_url(association_a))
    few = len(queries)

    data = with_errors()
    data["forms"]["sexual"]["origin"] = dict.fromkeys(("DE", "BE", "CN", "RO", "UA"), 1)
    submission.delete()
    submission = make_submission(association_a, campaign, data=data)
    for year in range(2015, 2023):
        past = Campaign.objects.create(
            year=year, reference_year=year - 1, status=Campaign.Status.PUBLISHED
        )
        make_submission(association_a, past, status=Submission.Status.VALIDATED)

    with django_assert_max_num_queries(few):
        client_a.get(review_url(association_a))


@pytest.mark.parametrize("version", ["", "abc"])
def test_a_tampered_version_is_refused_as_stale(client_a, association_a, submission_a, version):
    response = client_a.post(review_url(association_a), {"version": version, "submit": ""})

    assert response.status_code == 200
    assert "Un autre membre de votre association a modifié les réponses" in page_text(response)
    submission_a.refresh_from_db()
    assert submission_a.status == Submission.Status.DRAFT


def test_a_returned_submission_shows_the_miprof_message_on_every_page(
    client_a, submission_a, association_a, staff_user
):
    submission_a.status = Submission.Status.RETURNED
    submission_a.save()
    Message.objects.create(
        submission=submission_a, author=staff_user, from_staff=True, body="Vérifiez l'âge."
    )
    pages = [
        review_url(association_a),
        reverse("section", args=[association_a.pk, 2024, "genre"]),
        reverse("association_home", args=[association_a.pk]),
    ]
    for url in pages:
        text = page_text(client_a.get(url))
        assert "La Miprof vous demande une correction Vérifiez l'âge." in text, url


def test_no_correction_message_once_resubmitted(client_a, submission_a, association_a, staff_user):
    Message.objects.create(
        submission=submission_a, author=staff_user, from_staff=True, body="Vérifiez l'âge."
    )
    assert "demande une correction" not in page_text(client_a.get(review_url(association_a)))
