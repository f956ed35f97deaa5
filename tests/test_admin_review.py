"""The review page of a submission in the admin, and the history it compares with.

Staff of the Miprof read every grid with its totals and last year's answers, the checks'
problems with the association's explanations, and act: validate, return for correction,
reopen, write. Each action shows its outcome as an admin message.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from survey import history, services
from survey.demo import consistent_form
from survey.models import Association, Message, Submission, WarningExplanation

from .conftest import consistent_answers, form_fields, make_submission, page_text

GENDER_WARNING = (
    "Exploitation par le travail (hors travail domestique) : « identité de genre non "
    "renseignée » concerne 2 victimes sur 2 accompagnées, plus de la moitié."
)
GENDER_WARNING_KEY = "gender_unknown_share@forms.labour.gender_unknown"
GENDER_ERROR = (
    "Exploitation sexuelle : la somme des identités de genre (10) diffère du nombre de "
    "victimes accompagnées (9)."
)


def review_url(submission: Submission) -> str:
    return reverse("admin:survey_submission_review", args=[submission.pk])


def act(client, submission: Submission, action: str, **fields):
    return client.post(review_url(submission), {"action": action, **fields}, follow=True)


def admin_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def table_rows(response, caption: str) -> dict[str, list[str]]:
    """The table whose caption starts with `caption`: row header → text of each cell.

    A cell reads "this year last year" ("7 8") when last year's answer is shown.
    """
    for table in re.findall(r"<table>.*?</table>", response.content.decode(), flags=re.DOTALL):
        found = re.search(r"<caption>(.*?)</caption>", table, flags=re.DOTALL)
        if found and page_text(found.group(1)).startswith(caption):
            rows = {}
            for row in re.findall(r"<tr\b.*?</tr>", table, flags=re.DOTALL):
                cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.DOTALL)
                rows[page_text(cells[0])] = [page_text(cell) for cell in cells[1:]]
            return rows
    raise AssertionError(f"no table captioned {caption!r}")


def with_a_warning() -> dict:
    data = consistent_answers()
    data["forms"]["labour"].update(men=0, gender_unknown=2)  # 2 of 2 not known
    return data


def with_an_error() -> dict:
    data = consistent_answers()
    data["forms"]["sexual"]["women"] = 8  # 8 + 1 + 1 for 9 accompanied
    return data


@pytest.fixture
def last_year(association_a, previous_campaign):
    """A's validated answer to the 2023 campaign: sexual exploitation only."""
    sexual = consistent_form(
        10, 8, place=(4, 4, 0), gender=(8, 0, 0, 0, 0, 0), age=(0, 0, 3, 5, 0), origin={"NG": 8}
    )
    return make_submission(
        association_a,
        previous_campaign,
        status=Submission.Status.VALIDATED,
        data=consistent_answers(sexual=sexual, labour={}),
    )


# --- What the page shows ----------------------------------------------------------------


def test_the_list_and_the_record_link_to_the_review(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    listing = staff_client.get(reverse("admin:survey_submission_changelist"))
    record = staff_client.get(reverse("admin:survey_submission_change", args=[submission.pk]))

    assert f'href="{review_url(submission)}"' in listing.content.decode()
    assert f'href="{review_url(submission)}"' in record.content.decode()


def test_every_grid_with_its_totals_and_last_year(staff_client, association_a, campaign, last_year):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    response = staff_client.get(review_url(submission))

    assert response.status_code == 200
    text = page_text(response)
    for title in ("Victimes repérées et accompagnées", "Lieu d'exploitation", "Âge", "Plaintes"):
        assert title in text
    # Columns: the forms answered this year or last; "this year last year" in each cell.
    assert table_rows(response, "Victimes repérées et accompagnées") == {
        "en gris : 2022": [
            "Exploitation sexuelle",
            "Exploitation par le travail (hors travail domestique)",
        ],
        "Victimes repérées": ["12 10", "3 0"],
        "Dont victimes accompagnées individuellement": ["9 8", "2 0"],
    }
    assert table_rows(response, "Identité de genre") == {
        "en gris : 2022": [
            "Exploitation sexuelle",
            "Exploitation par le travail (hors travail domestique)",
        ],
        "Femmes (cisgenres)": ["7 8", "0 0"],
        "Femmes transgenres": ["1 0", "0 0"],
        "Hommes (cisgenres)": ["1 0", "2 0"],
        "Hommes transgenres": ["0 0", "0 0"],
        "Personnes non binaires": ["0 0", "0 0"],
        "Identité de genre non renseignée": ["0 0", "0 0"],
        "Total": ["9 8", "2 0"],
        "Victimes accompagnées (le total doit être égal)": ["9 8", "2 0"],
    }
    # Part 2 left blank: "—", and its total counts what was answered.
    assert table_rows(response, "Vulnérabilités")["Grossesse au cours de l'exploitation"] == [
        "— —",
        "— —",
    ]
    assert table_rows(response, "Vulnérabilités")["Total"] == ["0 0", "0 0"]


def test_origin_by_country_in_french(staff_client, association_a, campaign, last_year):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    rows = table_rows(staff_client.get(review_url(submission)), "Pays d'origine")

    # Sorted by French name; a country left out counts 0.
    assert list(rows)[1:4] == ["France", "Mali", "Nigeria"]
    assert rows["Nigeria"] == ["5 7", "0 0"]
    assert rows["Mali"] == ["0 0", "1 0"]
    assert rows["Non précisé"] == ["1 1", "1 0"]
    assert rows["Total"] == ["9 8", "2 0"]


def test_forms_without_any_answer_are_left_out(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    response = staff_client.get(review_url(submission))

    assert table_rows(response, "Âge")[""] == [
        "Exploitation sexuelle",
        "Exploitation par le travail (hors travail domestique)",
    ]
    assert (
        "Sans aucune réponse (colonnes masquées) : Exploitation domestique, Contrainte à "
        "commettre des délits ou des crimes, Mendicité forcée, Autre forme d'exploitation."
    ) in page_text(response)
    assert "en gris" not in page_text(response)  # no answer validated last year


def test_warnings_with_the_associations_explanations(staff_client, association_a, campaign):
    submission = make_submission(
        association_a,
        campaign,
        status=Submission.Status.SUBMITTED,
        data=with_a_warning(),
        comment="Appeler le 06 12 34 56 78.",
    )
    WarningExplanation.objects.create(
        submission=submission, key=GENDER_WARNING_KEY, text="Elles n'ont pas souhaité répondre."
    )

    response = staff_client.get(review_url(submission))

    text = page_text(response)
    assert "Contrôles : 0 erreur, 2 avertissements" in text
    assert f"{GENDER_WARNING} Elles n'ont pas souhaité répondre." in text
    assert "semble contenir un numéro de téléphone" in text
    assert "Aucune explication" in text
    # The answer a warning is about stands out in its grid.
    assert 'class="flag-warning">2' in response.content.decode()


def test_errors_and_the_per_submission_answers(staff_client, association_a, campaign):
    submission = make_submission(
        association_a,
        campaign,
        status=Submission.Status.SUBMITTED,
        data=with_an_error(),
        suspects_identified=3,
        comment="Année marquée par un afflux de mineurs.",
    )

    response = staff_client.get(review_url(submission))

    text = page_text(response)
    assert "Contrôles : 1 erreur, 0 avertissement" in text
    assert GENDER_ERROR in text
    assert "1 erreur bloquante (voir les contrôles) : la validation sera refusée." in text
    assert "Mis et mises en cause identifiés grâce aux victimes 3" in text
    assert "Affaires où l'association s'est constituée partie civile —" in text
    assert "Commentaire Année marquée par un afflux de mineurs." in text
    assert 'class="flag-error">8' in response.content.decode()


def test_status_with_dates_and_who(staff_client, association_a, campaign, member_a, frozen_now):
    submission = make_submission(
        association_a, campaign, status=Submission.Status.SUBMITTED, user=member_a
    )

    text = page_text(staff_client.get(review_url(submission)))

    assert "Statut : Transmise" in text
    assert "Transmise le 12 septembre 2024 à 14:30 par alice@a.example" in text
    assert "Validée —" in text


def test_page_makes_a_fixed_number_of_queries(
    staff_client, association_a, campaign, last_year, django_assert_max_num_queries
):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    Message.objects.create(submission=submission, body="Bonjour", from_staff=False)

    with django_assert_max_num_queries(25):
        staff_client.get(review_url(submission))


# --- Validate -----------------------------------------------------------------------------


def test_validate(staff_client, miprof, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    response = act(staff_client, submission, "validate")

    assert response.redirect_chain == [(review_url(submission), 302)]
    assert admin_messages(response) == ["La réponse de Association A est validée."]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VALIDATED
    assert submission.validated_by == miprof
    assert "Statut : Validée" in page_text(response)


def test_validate_is_refused_while_an_error_remains(staff_client, association_a, campaign):
    submission = make_submission(
        association_a, campaign, status=Submission.Status.SUBMITTED, data=with_an_error()
    )

    response = act(staff_client, submission, "validate")

    assert admin_messages(response) == [
        f"Validation impossible : 1 erreur(s) restent dans la réponse (par exemple : "
        f"{GENDER_ERROR})"
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_a_draft_cannot_be_validated(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign)

    response = act(staff_client, submission, "validate")

    assert admin_messages(response) == ["Validation impossible : la réponse est « Brouillon »."]
    assert "Brouillon : l’association ne l’a pas encore transmise." in page_text(response)


# --- Return for correction ----------------------------------------------------------------


def test_return_needs_a_message(staff_client, association_a, campaign, mailoutbox):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    response = act(staff_client, submission, "return", message="  ")

    assert admin_messages(response) == [
        "Renvoi impossible : écrivez le message qui explique la correction."
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_return_posts_the_message_and_emails_the_members(
    staff_client, miprof, association_a, campaign, member_a, mailoutbox
):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    body = "Les tranches d'âge ne correspondent pas."

    response = act(staff_client, submission, "return", message=body)

    assert admin_messages(response) == [
        "La réponse de Association A est renvoyée pour correction ; les membres de "
        "l'association ont reçu votre message par e-mail."
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    message = Message.objects.get()
    assert (message.submission, message.author, message.from_staff, message.body) == (
        submission,
        miprof,
        True,
        body,
    )
    [mail] = mailoutbox
    assert mail.to == ["alice@a.example"]
    assert body in mail.body
    home = reverse("association_home", args=[association_a.pk])
    assert f"http://testserver{home}" in mail.body
    assert f"Miprof {miprof.email}" in page_text(response)  # in the thread


def test_after_a_return_the_association_corrects_and_submits_again(
    staff_client, association_a, campaign, member_a
):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    act(staff_client, submission, "return", message="Vérifiez le nombre de victimes repérées.")
    association = Client()
    association.force_login(member_a)
    section = reverse("section", args=[association_a.pk, 2024, "victimes"])
    review = reverse("review", args=[association_a.pk, 2024])

    fields = form_fields(association.get(section))
    saved = association.post(section, {**fields, "sexual-detected": "13"})
    submitted = association.post(review, {**form_fields(association.get(review)), "submit": ""})

    assert (saved.status_code, submitted.status_code) == (302, 302)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.answers.get(form="sexual").detected == 13
    rows = table_rows(staff_client.get(review_url(submission)), "Victimes repérées")
    assert rows["Victimes repérées"][0] == "13"


# --- Reopen -------------------------------------------------------------------------------


def test_reopen_needs_a_reason(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.VALIDATED)

    response = act(staff_client, submission, "reopen", reason="")

    assert admin_messages(response) == ["Réouverture impossible : indiquez la raison."]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VALIDATED


def test_reopen(staff_client, association_a, campaign, member_a, mailoutbox):
    submission = make_submission(association_a, campaign, status=Submission.Status.VALIDATED)

    response = act(staff_client, submission, "reopen", reason="Doublon avec une autre antenne.")

    assert admin_messages(response) == [
        "La réponse de Association A est rouverte : elle est de nouveau « Transmise » et ne "
        "compte plus parmi les réponses validées."
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert (submission.validated_at, submission.validated_by) == (None, None)
    assert "Doublon avec une autre antenne." in Message.objects.get().body
    assert [mail.to for mail in mailoutbox] == [["alice@a.example"]]


def test_a_long_return_message_and_reopen_reason_are_kept(staff_client, association_a, campaign):
    """The history's change reason is short (100 characters); the whole text is a message."""
    body = "Merci de revoir les tranches d'âge de l'exploitation sexuelle. " * 8
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    validated = make_submission(
        Association.objects.create(name="Association C", identifier="W131000003"),
        campaign,
        status=Submission.Status.VALIDATED,
    )

    act(staff_client, submission, "return", message=body)
    act(staff_client, validated, "reopen", reason=body)

    submission.refresh_from_db()
    validated.refresh_from_db()
    assert (submission.status, validated.status) == ("returned", "submitted")
    assert submission.messages.get().body == body.strip()
    assert body.strip() in validated.messages.get().body


# --- Messages -----------------------------------------------------------------------------


def test_staff_write_to_the_association(
    staff_client, association_a, campaign, member_a, mailoutbox
):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    Message.objects.create(submission=submission, author=member_a, body="Faut-il compter les MNA ?")

    response = act(staff_client, submission, "message", body="Oui, dans chaque forme.")

    assert admin_messages(response) == ["Message envoyé à Association A."]
    assert list(submission.messages.values_list("body", "from_staff")) == [
        ("Faut-il compter les MNA ?", False),
        ("Oui, dans chaque forme.", True),
    ]
    text = page_text(response)
    assert text.index("Faut-il compter les MNA ?") < text.index("Oui, dans chaque forme.")
    [mail] = mailoutbox
    assert mail.to == ["alice@a.example"] and "Oui, dans chaque forme." in mail.body


def test_an_empty_message_is_refused(staff_client, association_a, campaign, mailoutbox):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    response = act(staff_client, submission, "message", body=" ")

    assert admin_messages(response) == ["Le message est vide."]
    assert not Message.objects.exists() and mailoutbox == []


def test_an_unknown_action_is_a_bad_request(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)

    assert staff_client.post(review_url(submission), {"action": "delete"}).status_code == 400


# --- History: versions and comparison -----------------------------------------------------


def save_forms(submission: Submission, user, forms: dict) -> Submission:
    return services.submission_save_forms(
        association=submission.association,
        campaign=submission.campaign,
        forms=forms,
        expected_version=submission.version,
        user=user,
    )


@pytest.fixture
def edited(association_a, campaign, member_a):
    """A's answers saved once, then changed: (submission, answers as first saved)."""
    first = services.submission_save_forms(
        association=association_a,
        campaign=campaign,
        forms=consistent_answers()["forms"],
        expected_version=0,
        user=member_a,
    )
    saved = Submission.objects.get(pk=first.pk).to_data()
    sexual = {"women": 6, "men": 2, "origin": {"NG": 4, "FR": 3, "CI": 1}}
    save_forms(first, member_a, {"sexual": sexual, "labour": {"age_18_24": 2, "age_25_plus": 0}})
    return Submission.objects.get(pk=first.pk), saved


def test_versions_newest_first(edited):
    submission, _ = edited

    versions = history.submission_versions(submission)

    assert [(version.version, version.kind) for version in versions] == [
        (2, "~"),
        (1, "~"),
        (1, "+"),
    ]
    assert versions[0].status == "Brouillon"


def test_data_as_of_a_version_is_the_answers_it_saved(edited):
    submission, saved = edited
    first_save = history.submission_versions(submission)[1]

    assert history.submission_data_as_of(submission, first_save.date) == saved
    assert history.submission_data_as_of(
        submission, history.submission_versions(submission)[0].date
    ) == (submission.to_data())


def test_the_comparison_lists_exactly_the_changed_answers(edited):
    submission, saved = edited

    differences = history.data_differences(saved, submission.to_data())

    assert [(d.form, d.field, d.before, d.after) for d in differences] == [
        ("sexual", "women", 7, 6),
        ("sexual", "men", 1, 2),
        ("sexual", "origin.CI", 0, 1),  # Côte d'Ivoire before Nigeria
        ("sexual", "origin.NG", 5, 4),
        ("labour", "age_18_24", 1, 2),
        ("labour", "age_25_plus", 1, 0),
    ]
    assert differences[2].label == "pays d'origine : Côte d'Ivoire"


def test_differences_of_the_per_submission_answers():
    before = {
        **consistent_answers(),
        "status": "submitted",
        "comment": "",
        "suspects_identified": None,
    }
    after = {**before, "status": "returned", "comment": "Corrigé", "suspects_identified": 0}

    assert [
        (d.where, d.label, d.before_text, d.after_text)
        for d in history.data_differences(before, after)
    ] == [
        ("Ensemble de la réponse", "statut", "Transmise", "Renvoyée pour correction"),
        (
            "Ensemble de la réponse",
            "mis et mises en cause identifiés grâce aux victimes",
            "(vide)",
            "0",
        ),
        ("Ensemble de la réponse", "commentaire", "(vide)", "Corrigé"),
    ]


def test_the_review_page_compares_with_an_earlier_version(staff_client, edited):
    submission, _ = edited
    first_save = history.submission_versions(submission)[1]

    response = staff_client.get(review_url(submission), {"version": first_save.history_id})

    text = page_text(response)
    assert (
        "Exploitation sexuelle Femmes (cisgenres) 7 6 "
        "Exploitation sexuelle Hommes (cisgenres) 1 2 "
        "Exploitation sexuelle Pays d'origine : Côte d'Ivoire 0 1 "
        "Exploitation sexuelle Pays d'origine : Nigeria 5 4 "
        "Exploitation par le travail (hors travail domestique) 18–24 ans 1 2 "
        "Exploitation par le travail (hors travail domestique) 25 ans et plus 1 0"
    ) in text


def test_the_versions_name_who_and_why(staff_client, association_a, campaign):
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    act(staff_client, submission, "return", message="Précisez l'autre forme.")

    response = staff_client.get(review_url(submission))

    options = re.findall(r"<option value=\"\d+\"[^>]*>(.*?)</option>", response.content.decode())
    assert (
        "staff@miprof.example — Renvoyée pour correction — Renvoyée pour correction : "
        in (options[0])
    )
    # The current version compared with now: nothing differs.
    latest = history.submission_versions(submission)[0]
    compared = staff_client.get(review_url(submission), {"version": latest.history_id})
    assert "Aucune différence entre la version du" in page_text(compared)
