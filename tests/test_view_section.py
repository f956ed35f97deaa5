"""`section`: one page of the questionnaire, saved on its own ("Enregistrer").

Grids (a row per category, a column per form of exploitation), the origin page (a row
per country), the association's profile and the complements; drafts may break the
rules; no lost update between two members; read-only once sent or when closed.
"""

from re import search as re_search

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.demo import consistent_form
from survey.models import Campaign, FormAnswer, Membership, OriginCount, Submission
from survey.questionnaire import FORM_LABELS, SECTIONS

from .conftest import cell_text, consistent_answers, form_fields, make_submission, page_text

SAVED = "Ces réponses ne peuvent plus être modifiées."
CLOSED_NOTICE = "Cette campagne n’est pas ouverte : les réponses sont en lecture seule."
SENT_NOTICE = "Vos réponses ont été transmises à la Miprof : elles sont en lecture seule."
STALE_TITLE = "Rien n’a été enregistré : un autre membre a modifié ces réponses"
NOT_SAVED_TITLE = "Rien n’a été enregistré : corrigez la saisie"
WOMEN = "Exploitation sexuelle — femmes (cisgenres)"  # a count's form and field, as named


def section_url(association, year: int, slug: str, query: str = "") -> str:
    return reverse("section", args=[association.pk, year, slug]) + query


def answer(submission: Submission, form: str) -> FormAnswer:
    return FormAnswer.objects.get(submission=submission, form=form)


def stored(submission: Submission) -> dict:
    """Everything stored for a submission, to show that nothing changed."""
    submission = Submission.objects.get(pk=submission.pk)
    return {"version": submission.version, **submission.to_data()}


@pytest.fixture
def member_a2(django_user_model, association_a):
    """A second member of association A, answering at the same time as the first."""
    user = django_user_model.objects.create_user(
        username="anne@a.example", email="anne@a.example", password="motdepasse-a2-1234"
    )
    Membership.objects.create(user=user, association=association_a)
    return user


# --- Grids ------------------------------------------------------------------------------


def test_a_grid_shows_the_saved_answers_in_its_inputs(client_a, submission_a, association_a):
    response = client_a.get(section_url(association_a, 2024, "genre"))

    assert response.status_code == 200
    fields = form_fields(response)
    assert fields["sexual-women"] == "7"
    assert fields["sexual-trans_women"] == "1"
    assert fields["labour-men"] == "2"
    assert fields["version"] == str(submission_a.version)
    text = page_text(response)
    assert "Identité de genre" in text
    assert "Brouillon — non transmis" in text
    assert "Enregistrer" in text


def test_saving_a_grid_writes_its_answers_only(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    data.update({"sexual-women": "6", "sexual-gender_unknown": "1"})

    response = client_a.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "« Identité de genre » enregistré." in page_text(response)
    sexual = answer(submission_a, "sexual")
    assert (sexual.women, sexual.gender_unknown) == (6, 1)
    assert (sexual.detected, sexual.accompanied, sexual.france_only) == (12, 9, 4)
    assert set(sexual.origins.values_list("country", flat=True)) == {"NG", "FR"}
    submission_a.refresh_from_db()
    assert submission_a.version == 2
    assert submission_a.sections_saved == ["genre"]


def test_only_the_answers_that_changed_are_written_again(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    data["sexual-women"] = "6"
    history = FormAnswer.history.count()

    client_a.post(url, data)

    # Labour's answer is as it was: one history row, for sexual exploitation only.
    assert FormAnswer.history.count() == history + 1
    assert FormAnswer.history.latest("history_id").form == "sexual"
    origins = OriginCount.objects.count()
    url = section_url(association_a, 2024, "origine")
    client_a.post(url, form_fields(client_a.get(url)))
    assert OriginCount.objects.count() == origins
    assert not OriginCount.history.filter(history_type="-").exists()  # none deleted


def test_the_first_save_creates_the_submission(client_a, campaign, association_a, member_a):
    url = section_url(association_a, 2024, "victimes")
    data = form_fields(client_a.get(url))
    assert data["version"] == "0"
    data.update({"sexual-detected": "4", "sexual-accompanied": "3"})

    assert client_a.post(url, data).status_code == 302

    submission = Submission.objects.get(association=association_a, campaign=campaign)
    assert submission.status == Submission.Status.DRAFT
    assert (submission.version, submission.updated_by) == (1, member_a)
    sexual = answer(submission, "sexual")
    assert (sexual.detected, sexual.accompanied) == (4, 3)


def test_a_grid_is_saved_even_when_it_breaks_a_rule(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    data["sexual-women"] = "8"  # 8 + 1 + 1 = 10 for 9 accompanied

    response = client_a.post(url, data, follow=True)

    assert answer(submission_a, "sexual").women == 8
    text = page_text(response)
    assert "1 incohérence à corriger avant de transmettre" in text
    assert (
        "Exploitation sexuelle : la somme des identités de genre (10) diffère du nombre de "
        "victimes accompagnées (9)." in text
    )
    assert form_fields(response)["sexual-women"] == "8"  # what was typed is still there


def test_blank_counts_are_zero_in_part_1_and_unanswered_in_part_2(
    client_a, submission_a, association_a
):
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    data["sexual-trans_women"] = ""
    client_a.post(url, data)

    url = section_url(association_a, 2024, "vulnerabilities")
    data = form_fields(client_a.get(url))
    data.update({"sexual-pregnancy": "2", "sexual-disability": ""})
    client_a.post(url, data)

    sexual = answer(submission_a, "sexual")
    assert sexual.trans_women == 0
    assert (sexual.pregnancy, sexual.disability) == (2, None)


def test_counts_are_read_as_people_type_them(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "victimes")
    data = form_fields(client_a.get(url))
    data.update({"sexual-detected": "1 200", "sexual-accompanied": " 9 "})

    assert client_a.post(url, data).status_code == 302

    assert answer(submission_a, "sexual").detected == 1200


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", f"{WOMEN} : « abc » n'est pas un nombre entier."),
        ("12,5", f"{WOMEN} : « 12,5 » n'est pas un nombre entier."),
        ("-3", f"{WOMEN} : « -3 » n'est pas un nombre entre 0 et 1 000 000."),
        ("2000000", f"{WOMEN} : « 2000000 » n'est pas un nombre entre 0 et 1 000 000."),
    ],
)
def test_what_is_not_a_count_is_refused_and_kept_in_the_inputs(
    client_a, submission_a, association_a, typed, message
):
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    data.update({"sexual-women": typed, "labour-men": "1", "labour-gender_unknown": "1"})
    before = stored(submission_a)

    response = client_a.post(url, data)

    assert response.status_code == 200
    text = page_text(response)
    assert NOT_SAVED_TITLE in text
    assert message in text
    assert message in cell_text(response, "sexual-women")  # beside the input at fault
    fields = form_fields(response)
    assert fields["sexual-women"] == typed
    assert (fields["labour-men"], fields["labour-gender_unknown"]) == ("1", "1")
    assert stored(submission_a) == before


def test_the_other_forms_label_is_asked_with_the_counts(client_a, association_a, campaign):
    url = section_url(association_a, 2024, "victimes")
    data = form_fields(client_a.get(url))
    assert "other-other_label" in data
    data.update(
        {"other-detected": "2", "other-accompanied": "1", "other-other_label": "Mariage forcé"}
    )

    client_a.post(url, data)

    submission = Submission.objects.get(association=association_a, campaign=campaign)
    assert answer(submission, "other").other_label == "Mariage forcé"


def test_the_other_forms_label_is_required_when_victims_are_detected(
    client_a, submission_a, association_a
):
    url = section_url(association_a, 2024, "victimes")
    data = form_fields(client_a.get(url))
    data.update({"other-detected": "2", "other-accompanied": "0"})

    response = client_a.post(url, data, follow=True)

    assert answer(submission_a, "other").detected == 2  # saved all the same
    assert (
        "Autre forme d'exploitation : précisez de quelle forme d'exploitation il s'agit "
        "(2 victimes repérées)." in page_text(response)
    )


# --- Forms without victims are hidden ---------------------------------------------------


def test_forms_without_victims_are_hidden_in_the_following_grids(
    client_a, submission_a, association_a
):
    response = client_a.get(section_url(association_a, 2024, "lieu"))

    fields = form_fields(response)
    assert {name.split("-")[0] for name in fields if "-" in name} - {"csrfmiddlewaretoken"} == {
        "sexual",
        "labour",
    }
    hidden = [FORM_LABELS[code] for code in ("domestic", "crime", "begging", "other")]
    assert f"Formes sans victime repérée, masquées : {', '.join(hidden)}." in page_text(response)
    assert 'href="?toutes=1"' in response.content.decode()


def test_toutes_shows_every_form(client_a, submission_a, association_a):
    response = client_a.get(section_url(association_a, 2024, "lieu", "?toutes=1"))

    fields = form_fields(response)
    for code in FORM_LABELS:
        assert f"{code}-france_only" in fields
    assert "masquées" not in page_text(response)


def test_saving_with_toutes_comes_back_to_every_form(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "lieu", "?toutes=1")
    data = form_fields(client_a.get(url))

    response = client_a.post(url, data)

    assert response.status_code == 302
    assert response.url == url


def test_the_first_grid_shows_every_form(client_a, submission_a, association_a):
    fields = form_fields(client_a.get(section_url(association_a, 2024, "victimes")))

    assert {f"{code}-detected" for code in FORM_LABELS} <= set(fields)


def test_before_any_victim_is_detected_every_form_is_shown(client_a, campaign, association_a):
    fields = form_fields(client_a.get(section_url(association_a, 2024, "lieu")))

    assert {f"{code}-france_only" for code in FORM_LABELS} <= set(fields)


def test_a_hidden_form_is_not_touched_by_saving_the_grid(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "lieu")
    data = form_fields(client_a.get(url))
    data["domestic-france_only"] = "5"  # not on the page: ignored

    assert client_a.post(url, data).status_code == 302

    assert answer(submission_a, "domestic").france_only == 0


@pytest.mark.parametrize("slug", ["profil", "complements"])
def test_pages_without_forms_hide_no_form(client_a, submission_a, association_a, slug):
    response = client_a.get(section_url(association_a, 2024, slug))

    assert "masquées" not in page_text(response)
    assert "?toutes=1" not in response.content.decode()


# --- Last year beside this year ----------------------------------------------------------


def validated_last_year(association, previous_campaign, **forms) -> Submission:
    return make_submission(
        association,
        previous_campaign,
        status=Submission.Status.VALIDATED,
        data=consistent_answers(**forms),
    )


def test_each_input_shows_last_years_validated_answer(
    client_a, submission_a, association_a, previous_campaign
):
    validated_last_year(
        association_a,
        previous_campaign,
        sexual=consistent_form(
            10, 8, place=(3, 5, 0), gender=(8, 0, 0, 0, 0, 0), age=(0, 0, 2, 6, 0), origin={}
        ),
        labour={},
    )

    response = client_a.get(section_url(association_a, 2024, "lieu"))

    assert "Sous chaque case, votre réponse validée pour 2022." in page_text(response)
    assert cell_text(response, "sexual-france_only") == "2022 : 3"
    assert cell_text(response, "sexual-france_and_abroad") == "2022 : 5"
    assert cell_text(response, "labour-france_only") == "2022 : 0"
    # Part 2: a blank answer last year is shown as a dash, not as 0.
    response = client_a.get(section_url(association_a, 2024, "vulnerabilities"))
    assert cell_text(response, "sexual-pregnancy") == "2022 : —"


def test_no_previous_year_without_a_validated_answer(
    client_a, submission_a, association_a, previous_campaign
):
    make_submission(association_a, previous_campaign, status=Submission.Status.SUBMITTED)

    response = client_a.get(section_url(association_a, 2024, "lieu"))

    assert cell_text(response, "sexual-france_only") == ""
    assert "2022 :" not in page_text(response)


def test_only_the_campaign_just_before_counts_as_last_year(
    client_a, submission_a, association_a, previous_campaign
):
    older = Campaign.objects.create(year=2022, reference_year=2021, status=Campaign.Status.CLOSED)
    make_submission(
        association_a,
        older,
        status=Submission.Status.VALIDATED,
        data=consistent_answers(
            sexual=consistent_form(
                1, 1, place=(1, 0, 0), gender=(1, 0, 0, 0, 0, 0), age=(0, 0, 0, 1, 0), origin={}
            ),
            labour={},
        ),
    )

    response = client_a.get(section_url(association_a, 2024, "victimes"))

    text = page_text(response)
    assert "2021 :" not in text
    assert "Le total des victimes repérées" not in text


def test_the_year_on_year_warning_appears_with_the_detected_victims(
    client_a, submission_a, association_a, previous_campaign
):
    validated_last_year(
        association_a,
        previous_campaign,
        sexual=consistent_form(
            2, 2, place=(2, 0, 0), gender=(2, 0, 0, 0, 0, 0), age=(0, 0, 0, 2, 0), origin={}
        ),
        labour={},
    )

    response = client_a.get(section_url(association_a, 2024, "victimes"))

    text = page_text(response)
    assert cell_text(response, "sexual-detected") == "2022 : 2"
    assert (
        "À vérifier Le total des victimes repérées (15) varie de +650 % par rapport à votre "
        "réponse validée de l'édition précédente (2)." in text
    )


def test_no_year_on_year_warning_for_a_small_change(
    client_a, submission_a, association_a, previous_campaign
):
    # 15 this year against 6: +150 %, but only 9 victims more.
    validated_last_year(
        association_a,
        previous_campaign,
        sexual=consistent_form(
            6, 6, place=(6, 0, 0), gender=(6, 0, 0, 0, 0, 0), age=(0, 0, 0, 6, 0), origin={}
        ),
        labour={},
    )

    response = client_a.get(section_url(association_a, 2024, "victimes"))

    assert "Le total des victimes repérées" not in page_text(response)


# --- Origin -----------------------------------------------------------------------------


def origin_post(version: int, rows: list[tuple[str, dict]], unknown: dict) -> dict:
    """The origin page as posted: a country typed per row, its counts, and "non précisé"."""
    data = {"version": str(version)}
    for index, (country, counts) in enumerate(rows):
        data[f"country-{index}"] = country
        for form, count in counts.items():
            data[f"{form}-country-{index}"] = count
    for form, count in unknown.items():
        data[f"{form}-origin_unknown"] = count
    return data


def test_the_origin_page_lists_the_countries_by_french_name(client_a, submission_a, association_a):
    response = client_a.get(section_url(association_a, 2024, "origine"))

    fields = form_fields(response)
    countries = [fields[f"country-{index}"] for index in range(5)]
    assert countries == ["France", "Mali", "Nigeria", "", ""]  # and blank rows to fill
    assert (fields["sexual-country-2"], fields["labour-country-2"]) == ("5", "")
    assert (fields["labour-country-1"], fields["sexual-country-1"]) == ("1", "")
    assert (fields["sexual-origin_unknown"], fields["labour-origin_unknown"]) == ("1", "1")
    page = response.content.decode()
    assert '<datalist id="countries">' in page
    assert '<option value="Côte d&#x27;Ivoire">' in page
    assert "Non précisé" in page_text(response)


def test_origin_rows_are_saved_by_country_name(client_a, submission_a, association_a):
    data = origin_post(
        1,
        [
            ("Nigeria", {"sexual": "4"}),
            ("côte d'ivoire", {"sexual": "2"}),  # case and accents do not matter
            ("Roumanie", {"sexual": "2", "labour": "2"}),
            ("", {"sexual": "", "labour": ""}),  # a blank row is ignored
        ],
        {"sexual": "1", "labour": "0"},
    )

    response = client_a.post(section_url(association_a, 2024, "origine"), data)

    assert response.status_code == 302
    sexual, labour = answer(submission_a, "sexual"), answer(submission_a, "labour")
    assert sexual.to_data()["origin"] == {"CI": 2, "NG": 4, "RO": 2}
    assert labour.to_data()["origin"] == {"RO": 2}  # Mali removed: its row is gone
    assert (sexual.origin_unknown, labour.origin_unknown) == (1, 0)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("Atlantide", {"sexual": "3"})],
            "Pays « Atlantide » inconnu : choisissez un pays dans la liste.",
        ),
        ([("", {"sexual": "3"})], "Indiquez le pays de cette ligne."),
        (
            [("Nigeria", {"sexual": "3"}), ("nigeria", {"sexual": "2"})],
            "Nigeria est saisi sur deux lignes : regroupez les nombres sur une seule ligne.",
        ),
        (
            [("Nigeria", {"sexual": "trois"})],
            "Exploitation sexuelle — Nigeria : « trois » n'est pas un nombre entier.",
        ),
    ],
)
def test_a_wrong_origin_row_is_refused_and_nothing_is_saved(
    client_a, submission_a, association_a, rows, message
):
    before = stored(submission_a)
    data = origin_post(1, [("France", {"sexual": "3"}), *rows], {"sexual": "1", "labour": "1"})

    response = client_a.post(section_url(association_a, 2024, "origine"), data)

    assert response.status_code == 200
    text = page_text(response)
    assert NOT_SAVED_TITLE in text
    assert message in text
    assert stored(submission_a) == before
    fields = form_fields(response)
    assert [fields[f"country-{index}"] for index in range(len(rows) + 1)] == [
        "France",
        *(country for country, _ in rows),
    ]
    assert fields["sexual-country-1"] == rows[0][1]["sexual"]


def test_a_wrong_unknown_origin_count_is_refused(client_a, submission_a, association_a):
    before = stored(submission_a)
    data = origin_post(1, [("France", {"sexual": "8"})], {"sexual": "1,5", "labour": "1"})

    response = client_a.post(section_url(association_a, 2024, "origine"), data)

    assert response.status_code == 200
    assert (
        "Exploitation sexuelle — pays non précisé : « 1,5 » n'est pas un nombre entier."
        in page_text(response)
    )
    assert stored(submission_a) == before


def test_an_origin_total_that_does_not_add_up_is_saved_and_shown(
    client_a, submission_a, association_a
):
    data = origin_post(
        1, [("Nigeria", {"sexual": "5", "labour": ""})], {"sexual": "0", "labour": "2"}
    )

    response = client_a.post(section_url(association_a, 2024, "origine"), data, follow=True)

    assert answer(submission_a, "sexual").to_data()["origin"] == {"NG": 5}
    assert (
        "Exploitation sexuelle : la somme des pays d'origine (5) diffère du nombre de victimes "
        "accompagnées (9)." in page_text(response)
    )


def test_the_origin_page_hides_forms_without_victims(client_a, submission_a, association_a):
    fields = form_fields(client_a.get(section_url(association_a, 2024, "origine")))

    assert set(fields) >= {"sexual-origin_unknown", "labour-origin_unknown"}
    assert "domestic-origin_unknown" not in fields


# --- The association and the complements ----------------------------------------------


def test_the_profile_section_saves_the_association(client_a, association_a, campaign):
    url = section_url(association_a, 2024, "profil")
    data = form_fields(client_a.get(url))
    assert (data["departement"], data["region"]) == ("75", "IDF")
    data.update({"departement": "93", "description": "Accueil de jour à Saint-Denis."})

    assert client_a.post(url, data).status_code == 302

    association_a.refresh_from_db()
    assert (association_a.departement, association_a.region) == ("93", "IDF")
    assert association_a.description == "Accueil de jour à Saint-Denis."
    submission = Submission.objects.get(association=association_a, campaign=campaign)
    assert submission.sections_saved == ["profil"]


def test_a_wrong_departement_is_refused(client_a, association_a, campaign):
    url = section_url(association_a, 2024, "profil")
    data = form_fields(client_a.get(url))
    data["departement"] = "123"

    response = client_a.post(url, data)

    assert response.status_code == 200
    assert "Saisissez un numéro de département (01 à 95, 2A, 2B, 971 à 976)." in page_text(response)
    association_a.refresh_from_db()
    assert association_a.departement == "75"
    assert not Submission.objects.filter(association=association_a).exists()


def test_the_complements_are_saved(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "complements")
    data = form_fields(client_a.get(url))
    data.update(
        {
            "suspects_identified": "3",
            "association_civil_party_cases": "",
            "comment": "Année marquée par l'ouverture d'un accueil de nuit.",
        }
    )

    assert client_a.post(url, data).status_code == 302

    submission_a.refresh_from_db()
    assert (submission_a.suspects_identified, submission_a.association_civil_party_cases) == (
        3,
        None,
    )
    assert submission_a.comment == "Année marquée par l'ouverture d'un accueil de nuit."


def test_a_wrong_complement_count_is_refused(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "complements")
    data = form_fields(client_a.get(url))
    data.update({"suspects_identified": "trois", "comment": "Gardé tel quel."})
    before = stored(submission_a)

    response = client_a.post(url, data)

    assert response.status_code == 200
    assert (
        "mis et mises en cause identifiés grâce aux victimes : « trois » n'est pas un nombre "
        "entier." in page_text(response)
    )
    fields = form_fields(response)
    assert (fields["suspects_identified"], fields["comment"]) == ("trois", "Gardé tel quel.")
    assert stored(submission_a) == before


def test_a_comment_that_could_identify_someone_is_saved_with_a_warning(
    client_a, submission_a, association_a
):
    url = section_url(association_a, 2024, "complements")
    data = form_fields(client_a.get(url))
    data["comment"] = "Contact : referente@asso.example"

    response = client_a.post(url, data, follow=True)

    submission_a.refresh_from_db()
    assert submission_a.comment == "Contact : referente@asso.example"
    assert (
        "« commentaire » semble contenir une adresse e-mail. Retirez toute information qui "
        "permettrait d'identifier une personne." in page_text(response)
    )


# --- No lost update ----------------------------------------------------------------------


def test_a_stale_save_is_refused_and_shows_what_the_other_member_saved(
    client, member_a, member_a2, submission_a, association_a
):
    url = section_url(association_a, 2024, "genre")
    client.force_login(member_a)
    alices_page = form_fields(client.get(url))
    client.force_login(member_a2)
    annes_page = form_fields(client.get(url))
    assert alices_page["version"] == annes_page["version"] == "1"

    client.force_login(member_a)
    client.post(url, {**alices_page, "sexual-women": "8"})
    client.force_login(member_a2)
    response = client.post(url, {**annes_page, "sexual-women": "6", "sexual-men": "2"})

    assert response.status_code == 409
    assert answer(submission_a, "sexual").women == 8  # nothing overwritten
    assert answer(submission_a, "sexual").men == 1
    text = page_text(response)
    assert STALE_TITLE in text
    assert "alice@a.example a enregistré" in text
    assert (
        "Réponse Enregistré par l’autre membre Votre saisie "
        "Exploitation sexuelle — femmes (cisgenres) 8 6 "
        "Exploitation sexuelle — hommes (cisgenres) 1 2" in text
    )
    fields = form_fields(response)
    assert (fields["sexual-women"], fields["sexual-men"]) == ("6", "2")  # her typing is kept
    assert fields["version"] == "2"

    response = client.post(url, fields)  # "Enregistrer" again: her version wins

    assert response.status_code == 302
    sexual = answer(submission_a, "sexual")
    assert (sexual.women, sexual.men) == (6, 2)
    submission_a.refresh_from_db()
    assert (submission_a.version, submission_a.updated_by) == (3, member_a2)


def test_two_first_saves_do_not_overwrite_each_other(
    client, member_a, member_a2, association_a, campaign
):
    url = section_url(association_a, 2024, "victimes")
    client.force_login(member_a)
    page = form_fields(client.get(url))
    client.post(url, {**page, "sexual-detected": "4"})
    client.force_login(member_a2)

    response = client.post(url, {**page, "sexual-detected": "5"})

    assert response.status_code == 409
    submission = Submission.objects.get(association=association_a, campaign=campaign)
    assert answer(submission, "sexual").detected == 4
    assert "Exploitation sexuelle — victimes repérées 4 5" in page_text(response)


def test_a_stale_origin_save_compares_the_countries(
    client_a, member_a2, submission_a, association_a
):
    submission_a.version = 2  # someone saved since the page was loaded
    submission_a.updated_by = member_a2
    submission_a.save()
    data = origin_post(
        1,
        [("Nigeria", {"sexual": "5"}), ("France", {"sexual": "4"}), ("Mali", {"labour": "1"})],
        {"sexual": "0", "labour": "1"},
    )

    response = client_a.post(section_url(association_a, 2024, "origine"), data)

    assert response.status_code == 409
    assert "Exploitation sexuelle — pays d'origine FR : 3, NG : 5 FR : 4, NG : 5" in page_text(
        response
    )
    assert answer(submission_a, "sexual").to_data()["origin"] == {"FR": 3, "NG": 5}


def test_a_stale_complements_save_compares_the_fields(
    client_a, member_a2, submission_a, association_a
):
    url = section_url(association_a, 2024, "complements")
    data = form_fields(client_a.get(url))
    Submission.objects.filter(pk=submission_a.pk).update(version=2, comment="Version d'Anne.")

    response = client_a.post(url, {**data, "comment": "Version d'Alice."})

    assert response.status_code == 409
    assert "commentaire Version d'Anne. Version d'Alice." in page_text(response)
    submission_a.refresh_from_db()
    assert submission_a.comment == "Version d'Anne."


def test_a_stale_profile_save_changes_nothing(client_a, submission_a, association_a):
    url = section_url(association_a, 2024, "profil")
    data = form_fields(client_a.get(url))
    Submission.objects.filter(pk=submission_a.pk).update(version=2)

    response = client_a.post(url, {**data, "departement": "93"})

    assert response.status_code == 409
    association_a.refresh_from_db()
    assert association_a.departement == "75"


# --- Read-only ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Submission.Status.SUBMITTED, Submission.Status.VALIDATED], ids=str
)
def test_sent_answers_are_read_only(client_a, association_a, campaign, member_a, status):
    submission = make_submission(association_a, campaign, status=status, user=member_a)
    url = section_url(association_a, 2024, "genre")

    response = client_a.get(url)

    assert response.status_code == 200
    text = page_text(response)
    assert SENT_NOTICE in text
    assert "sexual-women" not in form_fields(response)
    assert "Enregistrer" not in text
    before = stored(submission)
    response = client_a.post(url, {"version": "1", "sexual-women": "0"}, follow=True)
    assert SAVED in page_text(response)
    assert stored(submission) == before


def test_a_closed_campaign_is_read_only(client_a, association_a, previous_campaign):
    submission = make_submission(
        association_a, previous_campaign, status=Submission.Status.VALIDATED
    )
    url = section_url(association_a, 2023, "genre")

    response = client_a.get(url)

    assert response.status_code == 200
    text = page_text(response)
    assert CLOSED_NOTICE in text
    assert "Enquête 2023 (données 2022)" in text
    assert "sexual-women" not in form_fields(response)
    assert "Femmes (cisgenres) 7 0" in text  # the answers, as text
    before = stored(submission)
    response = client_a.post(url, {"version": "1", "sexual-women": "0"}, follow=True)
    assert SAVED in page_text(response)
    assert stored(submission) == before


def test_nothing_is_created_on_a_closed_campaign(client_a, association_a, previous_campaign):
    url = section_url(association_a, 2023, "victimes")

    response = client_a.post(url, {"version": "0", "sexual-detected": "3"})

    assert response.status_code == 302
    assert not Submission.objects.exists()


def test_the_closed_origin_page_is_read_only(client_a, association_a, previous_campaign):
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)

    response = client_a.get(section_url(association_a, 2023, "origine"))

    assert CLOSED_NOTICE in page_text(response)
    assert not any(name.startswith("country-") for name in form_fields(response))
    assert "Nigeria 5" in page_text(response)


def test_a_returned_submission_is_editable_again(client_a, association_a, campaign, member_a):
    submission = make_submission(
        association_a, campaign, status=Submission.Status.RETURNED, user=member_a
    )
    url = section_url(association_a, 2024, "genre")
    data = form_fields(client_a.get(url))
    assert data["sexual-women"] == "7"

    assert client_a.post(url, {**data, "sexual-women": "6"}).status_code == 302

    assert answer(submission, "sexual").women == 6


@pytest.mark.parametrize(
    ("year", "slug"),
    [(2024, "inconnue"), (2019, "victimes"), (2025, "victimes")],
    ids=["unknown section", "unknown campaign", "campaign in preparation"],
)
def test_not_found(client_a, campaign, association_a, year, slug):
    Campaign.objects.create(year=2025, reference_year=2024, status=Campaign.Status.DRAFT)

    assert client_a.get(section_url(association_a, year, slug)).status_code == 404


# --- A fixed number of queries ------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("slug", [section.slug for section in SECTIONS])
def test_a_section_makes_a_fixed_number_of_queries(
    client_a, django_assert_max_num_queries, association_a, campaign, previous_campaign, slug
):
    submission = make_submission(association_a, campaign)
    make_submission(association_a, previous_campaign, status=Submission.Status.VALIDATED)
    url = section_url(association_a, 2024, slug)
    few = count_queries(client_a, url)

    # Many more countries this year and last year, and many more past campaigns.
    countries = ["DE", "BE", "CN", "RO", "UA", "BR", "SN", "CI", "CM", "MA", "DZ", "VN"]
    for submission_ in Submission.objects.all():
        sexual = answer(submission_, "sexual")
        OriginCount.objects.bulk_create(
            OriginCount(answer=sexual, country=code, count=1) for code in countries
        )
    for year in range(2015, 2023):
        past = Campaign.objects.create(
            year=year, reference_year=year - 1, status=Campaign.Status.PUBLISHED
        )
        make_submission(association_a, past, status=Submission.Status.VALIDATED)
    submission.refresh_from_db()

    with django_assert_max_num_queries(few):
        assert client_a.get(url).status_code == 200


def test_origin_shows_last_years_countries_and_values(
    client_a, submission_a, association_a, previous_campaign
):
    validated_last_year(
        association_a,
        previous_campaign,
        sexual=consistent_form(
            10,
            8,
            place=(8, 0, 0),
            gender=(8, 0, 0, 0, 0, 0),
            age=(0, 0, 2, 6, 0),
            origin={"NG": 5, "CM": 2},
        ),
        labour={},
    )

    response = client_a.get(section_url(association_a, 2024, "origine"))

    assert "les pays de 2022 sont rappelés" in page_text(response)
    html = response.content.decode()

    def row_of(country: str) -> str:
        match = re_search(rf'name="country-(\d+)"[^>]*value="{country}"', html)
        assert match, f"no row for {country}"
        return match.group(1)

    # Cameroon was answered last year only: recalled, blank this year, 2 last year.
    assert cell_text(response, f"sexual-country-{row_of('Cameroun')}") == "2022 : 2"
    # Nigeria: 5 this year (the input's value), 5 last year.
    assert cell_text(response, f"sexual-country-{row_of('Nigeria')}") == "2022 : 5"
    assert cell_text(response, "sexual-origin_unknown") == "2022 : 1"
