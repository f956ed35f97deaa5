"""`manage.py import_answers FILE`: the JSON format of questionnaire.md, all or nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from survey.answers_json import parse_answers
from survey.models import Association, Campaign, FormAnswer, OriginCount, Submission
from survey.questionnaire import PART2_FIELDS
from survey.services import answers_import

IDENTIFIER = "W751234567"


def example() -> dict:
    """The example entry of questionnaire.md, "Answers as JSON"."""
    return {
        "campaign": 2024,
        "association": {
            "identifier": IDENTIFIER,
            "name": "Association exemple",
            "departement": "75",
        },
        "status": "validated",
        "suspects_identified": 3,
        "association_civil_party_cases": None,
        "comment": "",
        "forms": {
            "sexual": {
                "detected": 12,
                "accompanied": 9,
                "france_only": 4,
                "france_and_abroad": 5,
                "abroad_only": 0,
                "women": 7,
                "trans_women": 1,
                "men": 1,
                "trans_men": 0,
                "non_binary": 0,
                "gender_unknown": 0,
                "under_15": 0,
                "age_15_17": 1,
                "age_18_24": 3,
                "age_25_plus": 5,
                "age_unknown": 0,
                "origin": {"NG": 5, "FR": 3},
                "origin_unknown": 1,
                "network": 7,
                "pregnancy": None,
            },
            "labour": {"detected": 0, "accompanied": 0},
        },
    }


def entry(identifier: str, name: str, **changes) -> dict:
    data = example()
    data["association"] = {"identifier": identifier, "name": name, "departement": "69"}
    data.update(changes)
    return data


def write(tmp_path, content, name="reponses.json"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run_import(path, **kwargs) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_answers", path, stdout=stdout, stderr=stderr, **kwargs)
    return stdout.getvalue(), stderr.getvalue()


def run_failing_import(path) -> tuple[CommandError, str]:
    stderr = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_answers", path, stdout=io.StringIO(), stderr=stderr)
    return raised.value, stderr.getvalue()


def database() -> dict:
    """Every row the import may touch, to show that a refused file changes nothing."""
    models = (Campaign, Association, Submission, FormAnswer, OriginCount)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def existing(campaign, association_a):
    """Data already there: association A's validated answer to campaign 2024."""
    submission = Submission.objects.create(
        association=association_a, campaign=campaign, status=Submission.Status.VALIDATED
    )
    answer = FormAnswer.objects.create(
        submission=submission, form="sexual", detected=3, accompanied=2, women=2
    )
    OriginCount.objects.create(answer=answer, country="FR", count=2)
    return submission


# --- The example of questionnaire.md ------------------------------------------------------


def test_example_creates_association_campaign_and_submission(db, tmp_path):
    out, _ = run_import(write(tmp_path, [example()]))

    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.reference_year) == (2024, 2023)
    assert campaign.status == Campaign.Status.DRAFT
    association = Association.objects.get()
    assert (association.identifier, association.name, association.departement) == (
        IDENTIFIER,
        "Association exemple",
        "75",
    )
    submission = Submission.objects.get()
    assert (submission.association, submission.campaign) == (association, campaign)
    assert submission.status == Submission.Status.VALIDATED
    assert submission.version == 1
    assert submission.suspects_identified == 3
    assert submission.association_civil_party_cases is None

    sexual = submission.answers.get(form="sexual")
    assert (sexual.detected, sexual.accompanied, sexual.women, sexual.age_25_plus) == (12, 9, 7, 5)
    assert sexual.network == 7
    assert sexual.pregnancy is None  # null stays "not answered"
    assert sexual.disability is None  # left out too
    assert {o.country.code: o.count for o in sexual.origins.all()} == {"NG": 5, "FR": 3}
    assert sexual.origin_unknown == 1

    # Forms left out, and the one given with zeros, are all zeros and blanks.
    for form in ("labour", "domestic", "crime", "begging", "other"):
        data = submission.to_data()["forms"][form]
        assert data == FormAnswer.empty_data(), form

    assert out == (
        "1 réponse(s) importée(s) (campagne 2024) ; associations créées : 1 ; "
        "campagne 2024 créée (année de référence 2023).\n"
    )


def test_imported_answer_reads_back_as_the_normalised_file(db, tmp_path):
    run_import(write(tmp_path, [example()]))

    data = Submission.objects.get().to_data()
    assert data["forms"]["sexual"]["origin"] == {"FR": 3, "NG": 5}
    assert all(
        data["forms"]["sexual"][field] is None for field in PART2_FIELDS if field != "network"
    )
    assert data["comment"] == ""


def test_standard_input_is_read_with_a_dash(db):
    raw = json.dumps([example()]).encode()

    out, _ = run_import("-", stdin=io.BytesIO(raw))

    assert out.startswith("1 réponse(s) importée(s)")
    assert Submission.objects.count() == 1


def test_an_empty_list_imports_nothing(db, tmp_path):
    out, _ = run_import(write(tmp_path, []))

    assert "rien n'a été modifié" in out
    assert Submission.objects.count() == 0


# --- Rules of the questionnaire block the whole file ---------------------------------------


def test_gender_sum_that_differs_from_accompanied_imports_nothing(existing, tmp_path):
    data = example()
    data["forms"]["sexual"] = {
        "detected": 120,
        "accompanied": 115,
        "france_only": 115,
        "women": 112,
        "age_25_plus": 115,
        "origin": {"FR": 115},
    }
    before = database()

    error, err = run_failing_import(write(tmp_path, [data]))

    assert database() == before
    assert str(error) == "Import annulé : 1 problème(s) ; rien n'a été modifié."
    assert err == (
        "[0].forms.sexual.women: Association exemple (W751234567) — Exploitation sexuelle : "
        "la somme des identités de genre (112) diffère du nombre de victimes accompagnées "
        "(115).\n"
    )


def test_warnings_are_printed_but_do_not_block(db, tmp_path):
    data = example()
    sexual = data["forms"]["sexual"]
    sexual.update(women=1, gender_unknown=6)  # 6 of 9 "non renseigné": over half

    out, err = run_import(write(tmp_path, [data]))

    assert (
        "Avertissement : [0].forms.sexual.gender_unknown: Association exemple (W751234567) —" in err
    )
    assert "plus de la moitié" in err
    assert out.startswith("1 réponse(s) importée(s)")
    assert Submission.objects.get().answers.get(form="sexual").gender_unknown == 6


def test_year_on_year_warning_compares_with_the_previous_validated_answer(existing, tmp_path):
    # Association A declared 3 victims in 2024; 32 in 2025.
    data = entry("W751000001", "Association A", campaign=2025)
    data["forms"]["labour"]["detected"] = 20

    _, err = run_import(write(tmp_path, [data]))

    assert "Avertissement : [0].detected: Association A (W751000001) —" in err
    assert "(32) varie de +967" in err
    assert Submission.objects.filter(campaign__year=2025).count() == 1


# --- Malformed files: one test per kind, each naming its place ----------------------------


def with_change(change):
    data = example()
    change(data)
    return [data]


def set_in(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def remove(path: str):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        del target[last]

    return change


MALFORMED = {
    "not JSON": (
        '[{"campaign": 2024,,}]',
        "JSON invalide (ligne 1, colonne 20) : nom de clé entre guillemets doubles attendu",
    ),
    "empty file": ("  \n", "le fichier est vide"),
    "top level not a list": (
        '{"campaign": 2024}',
        'le fichier doit contenir une liste de réponses [{…}, …] (reçu : objet {"campaign": 2024})',
    ),
    "entry not an object": ([42], "[0]: chaque réponse doit être un objet JSON (reçu : nombre"),
    "campaign missing": (with_change(remove("campaign")), "[0].campaign: année de la campagne"),
    "campaign as text": (
        with_change(set_in("campaign", "2024")),
        '[0].campaign: une année est attendue (reçu : texte "2024")',
    ),
    "campaign not a year": (
        with_change(set_in("campaign", 24)),
        "[0].campaign: une année sur quatre chiffres est attendue (reçu : 24)",
    ),
    "association missing": (with_change(remove("association")), "[0].association: association"),
    "association not an object": (
        with_change(set_in("association", IDENTIFIER)),
        "[0].association: « association » doit être un objet JSON",
    ),
    "identifier missing": (
        with_change(remove("association.identifier")),
        "[0].association.identifier: champ obligatoire manquant",
    ),
    "identifier invalid": (
        with_change(set_in("association.identifier", "W75")),
        "[0].association.identifier: Saisissez un numéro RNA (W suivi de 9 chiffres)",
    ),
    "name missing": (
        with_change(remove("association.name")),
        "[0].association.name: champ obligatoire manquant (nom)",
    ),
    "name blank": (with_change(set_in("association.name", "  ")), "[0].association.name: "),
    "departement invalid": (
        with_change(set_in("association.departement", "99")),
        "[0].association.departement: Saisissez un numéro de département",
    ),
    "unknown status": (
        with_change(set_in("status", "done")),
        '[0].status: statut inconnu : texte "done" (attendu : draft, submitted, returned, '
        "validated)",
    ),
    "unknown top-level key": (
        with_change(set_in("year", 2024)),
        "[0].year: clé inconnue (attendu : campaign, association, status",
    ),
    "forms not an object": (
        with_change(set_in("forms", [])),
        "[0].forms: « forms » doit être un objet JSON (reçu : liste [])",
    ),
    "unknown form": (
        with_change(set_in("forms.slavery", {})),
        "[0].forms.slavery: forme d'exploitation inconnue (attendu : sexual, labour, "
        "domestic, crime, begging, other)",
    ),
    "form not an object": (
        with_change(set_in("forms.labour", 0)),
        "[0].forms.labour: une forme d'exploitation doit être un objet JSON",
    ),
    "unknown field in a form": (
        with_change(set_in("forms.sexual.girls", 3)),
        "[0].forms.sexual.girls: champ inconnu",
    ),
    "count as text": (
        with_change(set_in("forms.sexual.women", "7")),
        '[0].forms.sexual.women: un nombre entier est attendu (reçu : texte "7")',
    ),
    "count as a float, even a whole one": (
        with_change(set_in("forms.sexual.women", 7.0)),
        "[0].forms.sexual.women: un nombre entier est attendu (reçu : nombre décimal 7.0)",
    ),
    "count as a boolean": (
        with_change(set_in("forms.sexual.women", True)),
        "[0].forms.sexual.women: un nombre entier est attendu (reçu : booléen true)",
    ),
    "count as a list": (
        with_change(set_in("forms.sexual.women", [7])),
        "[0].forms.sexual.women: un nombre entier est attendu (reçu : liste [7])",
    ),
    "Part 1 count null": (
        with_change(set_in("forms.sexual.men", None)),
        "[0].forms.sexual.men: réponse obligatoire : un nombre entier est attendu, pas null",
    ),
    "Part 2 count as text": (
        with_change(set_in("forms.sexual.network", "7")),
        '[0].forms.sexual.network: un nombre entier est attendu (reçu : texte "7")',
    ),
    "negative count": (
        with_change(set_in("forms.sexual.women", -1)),
        "[0].forms.sexual.women: Association exemple (W751234567) — Exploitation sexuelle : "
        "« femmes (cisgenres) » doit être un nombre entier entre 0 et 1\u00a0000\u00a0000 "
        "(valeur saisie : -1)",
    ),
    "count above the maximum": (
        with_change(set_in("forms.sexual.detected", 1_000_001)),
        "[0].forms.sexual.detected: Association exemple (W751234567) — Exploitation sexuelle : "
        "« victimes repérées » doit être un nombre entier entre 0 et 1\u00a0000\u00a0000 "
        "(valeur saisie : 1\u00a0000\u00a0001)",
    ),
    "per-submission count as a float": (
        with_change(set_in("suspects_identified", 3.5)),
        "[0].suspects_identified: un nombre entier est attendu (reçu : nombre décimal 3.5)",
    ),
    "unknown country code": (
        with_change(set_in("forms.sexual.origin", {"NG": 5, "XX": 3})),
        "[0].forms.sexual.origin.XX: code pays inconnu",
    ),
    "origin not an object": (
        with_change(set_in("forms.sexual.origin", [["NG", 5]])),
        "[0].forms.sexual.origin: un objet est attendu, un nombre par code pays",
    ),
    "origin count as text": (
        with_change(set_in("forms.sexual.origin", {"NG": "5", "FR": 3})),
        '[0].forms.sexual.origin.NG: un nombre entier est attendu (reçu : texte "5")',
    ),
    "other_label not a string": (
        with_change(set_in("forms.other", {"other_label": 12})),
        "[0].forms.other.other_label: un texte est attendu (reçu : nombre entier 12)",
    ),
    "other_label on another form": (
        with_change(set_in("forms.labour.other_label", "mariage forcé")),
        "[0].forms.labour.other_label: seule la forme « other » se précise",
    ),
    "comment not a string": (
        with_change(set_in("comment", None)),
        "[0].comment: un texte est attendu (reçu : null)",
    ),
    "the same association and campaign twice": (
        [example(), example()],
        "[1].association.identifier: l'association W751234567 a déjà une réponse pour la "
        "campagne 2024 dans ce fichier (entrée [0])",
    ),
    "a key written twice": (
        json.dumps([example()]).replace('"women": 7', '"women": 7, "women": 8'),
        "[0].forms.sexual.women: clé présente plusieurs fois",
    ),
}


@pytest.mark.parametrize(("content", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_is_refused_with_its_place(existing, tmp_path, content, message):
    before = database()

    error, err = run_failing_import(write(tmp_path, content))

    assert message in err
    assert str(error) == "Import annulé : 1 problème(s) ; rien n'a été modifié."
    assert database() == before


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"Fichier introuvable : .*absent\.json"):
        call_command("import_answers", str(tmp_path / "absent.json"))


def test_file_not_in_utf8(db, tmp_path):
    raw = json.dumps([example(), entry("W751000009", "Élan")], ensure_ascii=False)

    with pytest.raises(CommandError, match="n'est pas encodé en UTF-8"):
        call_command("import_answers", write(tmp_path, raw.encode("latin-1")))
    assert Association.objects.count() == 0


def test_entry_in_position_3_is_named_3(db, tmp_path):
    entries = [entry(f"W75100000{i}", f"Association {i}") for i in range(5)]
    entries[3]["forms"]["sexual"]["women"] = "sept"

    _, err = run_failing_import(write(tmp_path, entries))

    assert err == ('[3].forms.sexual.women: un nombre entier est attendu (reçu : texte "sept")\n')


def test_a_bad_entry_among_good_ones_imports_nothing(existing, tmp_path):
    entries = [entry(f"W69100000{i}", f"Association {i}") for i in range(4)]
    entries[2]["forms"]["sexual"]["women"] = 8  # gender sums to 10, accompanied is 9
    before = database()

    _, err = run_failing_import(write(tmp_path, entries))

    assert database() == before
    assert err.startswith("[2].forms.sexual.women: Association 2 (W691000002) —")
    assert "(10)" in err and "(9)" in err


def test_every_problem_of_the_file_is_listed(db, tmp_path):
    entries = [entry(f"W75100000{i}", f"Association {i}") for i in range(3)]
    entries[0]["status"] = "ok"
    entries[0]["forms"]["sexual"]["origin"]["ZZ"] = 1
    entries[1]["forms"]["sexual"]["accompanied"] = 10  # every breakdown is now 1 short
    entries[2]["campaign"] = "2024"

    error, err = run_failing_import(write(tmp_path, entries))

    lines = err.splitlines()
    assert lines[0].startswith("[0].status: statut inconnu")
    assert lines[1].startswith("[0].forms.sexual.origin.ZZ: code pays inconnu")
    assert [line.split(":")[0] for line in lines[2:6]] == [
        "[1].forms.sexual.france_only",
        "[1].forms.sexual.women",
        "[1].forms.sexual.under_15",
        "[1].forms.sexual.origin_unknown",
    ]
    assert all("Association 1 (W751000001) — Exploitation sexuelle" in x for x in lines[2:6])
    assert lines[6].startswith("[2].campaign: une année est attendue")
    assert str(error) == "Import annulé : 7 problème(s) ; rien n'a été modifié."
    assert Submission.objects.count() == 0


# --- Replacing and creating ----------------------------------------------------------------


def test_reimport_replaces_the_submission(db, tmp_path):
    run_import(write(tmp_path, [example()]))
    submission = Submission.objects.get()
    changed = example()
    changed["status"] = "submitted"
    changed["association"]["name"] = "Association exemple (nouveau nom)"
    changed["forms"]["sexual"]["origin"] = {"ML": 8}
    changed["forms"]["sexual"]["pregnancy"] = 2

    out, _ = run_import(write(tmp_path, [changed]))

    replaced = Submission.objects.get()
    assert replaced.pk == submission.pk
    assert replaced.version == 2
    assert replaced.status == Submission.Status.SUBMITTED
    assert replaced.association.name == "Association exemple (nouveau nom)"
    assert FormAnswer.objects.count() == 6
    sexual = replaced.answers.get(form="sexual")
    assert sexual.pregnancy == 2
    assert list(OriginCount.objects.values_list("country", "count")) == [("ML", 8)]
    assert out == ("1 réponse(s) importée(s) (campagne 2024) ; associations créées : 0.\n")


def test_existing_campaign_is_reused_and_new_one_is_reported(campaign, association_a, tmp_path):
    entries = [
        entry("W751000001", "Association A"),
        entry("W751000001", "Association A", campaign=2025),
        entry("W751000009", "Association nouvelle", campaign=2025),
    ]

    out, _ = run_import(write(tmp_path, entries))

    assert out == (
        "3 réponse(s) importée(s) (campagnes 2024, 2025) ; associations créées : 1 ; "
        "campagne 2025 créée (année de référence 2024).\n"
    )
    assert Campaign.objects.get(year=2024).status == Campaign.Status.OPEN
    assert Campaign.objects.get(year=2025).reference_year == 2024
    assert Submission.objects.filter(association=association_a).count() == 2


def test_origin_counts_of_zero_are_not_stored(db, tmp_path):
    data = example()
    data["forms"]["sexual"]["origin"] = {"ng": 5, "FR": 3, "ML": 0}

    run_import(write(tmp_path, [data]))

    assert sorted(OriginCount.objects.values_list("country", "count")) == [("FR", 3), ("NG", 5)]


def test_import_records_the_user_and_dates_of_the_status(staff_user):
    entries, _ = parse_answers(json.dumps([example()]))

    result = answers_import(entries=entries, user=staff_user)

    submission = Submission.objects.get()
    assert result.submissions == [submission]
    assert submission.validated_by == submission.submitted_by == staff_user
    assert submission.validated_at is not None
