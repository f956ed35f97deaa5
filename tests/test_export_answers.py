"""`manage.py export_answers --campaign YEAR [--output FILE]`: what import_answers reads."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from survey.answers_json import parse_answers
from survey.models import Association, FormAnswer, OriginCount, Submission
from survey.services import answers_import


def answer(identifier: str, name: str, *, campaign: int = 2024, **changes) -> dict:
    """A valid submission in the JSON format, with some of every kind of field."""
    data = {
        "campaign": campaign,
        "association": {"identifier": identifier, "name": name, "departement": "2A"},
        "status": "submitted",
        "suspects_identified": None,
        "association_civil_party_cases": 2,
        "comment": "Chiffres issus de notre base « suivi » ; été 2023 compris.",
        "forms": {
            "sexual": {
                "detected": 20,
                "accompanied": 10,
                "france_only": 10,
                "women": 9,
                "non_binary": 1,
                "age_18_24": 4,
                "age_25_plus": 6,
                "origin": {"NG": 6, "CM": 2, "FR": 2},
                "network": 8,
                "exit_programme": 3,
                "link_family": 0,
            },
            "domestic": {
                "detected": 2,
                "accompanied": 2,
                "abroad_only": 2,
                "men": 2,
                "age_25_plus": 2,
                "origin_unknown": 2,
            },
            "other": {
                "detected": 1,
                "accompanied": 1,
                "france_only": 1,
                "women": 1,
                "age_unknown": 1,
                "origin": {"RO": 1},
                "other_label": "mariage forcé",
            },
        },
    }
    data.update(changes)
    return data


def store(*entries: dict) -> None:
    parsed, problems = parse_answers(json.dumps(entries))
    assert problems == []
    answers_import(entries=parsed)


def run_export(*args: str) -> str:
    stdout = io.StringIO()
    call_command("export_answers", *args, stdout=stdout)
    return stdout.getvalue()


def test_exports_every_submission_of_the_campaign_by_identifier(db):
    store(
        answer("W751000002", "Zèbre"),
        answer("W751000001", "Abri", status="validated"),
        answer("W751000001", "Abri", campaign=2023),
    )

    exported = json.loads(run_export("--campaign", "2024"))

    assert [entry["association"]["identifier"] for entry in exported] == [
        "W751000001",
        "W751000002",
    ]
    assert (
        exported[0]
        == Submission.objects.get(
            association__identifier="W751000001", campaign__year=2024
        ).to_data()
    )
    assert exported[0]["status"] == "validated"
    sexual = exported[0]["forms"]["sexual"]
    assert sexual["origin"] == {"CM": 2, "FR": 2, "NG": 6}
    assert sexual["link_family"] == 0  # an answered zero stays a zero…
    assert sexual["pregnancy"] is None  # …and a blank stays null
    assert exported[0]["forms"]["labour"] == FormAnswer.empty_data()
    assert exported[0]["forms"]["other"]["other_label"] == "mariage forcé"


def test_output_is_indented_utf8_with_a_final_newline(db):
    store(answer("W751000001", "Élan"))

    text = run_export("--campaign", "2024")

    assert text.startswith('[\n  {\n    "campaign": 2024,\n')
    assert '"name": "Élan"' in text  # not \u00c9lan
    assert text.endswith("}\n]\n")


def test_output_file(db, tmp_path):
    store(answer("W751000001", "Élan"))
    path = tmp_path / "export.json"

    out = run_export("--campaign", "2024", "--output", str(path))

    assert out == f"1 réponse(s) exportée(s) vers {path}.\n"
    assert path.read_text(encoding="utf-8") == run_export("--campaign", "2024")


def test_campaign_without_submissions_gives_an_empty_list(campaign):
    assert run_export("--campaign", "2024") == "[]\n"


def test_unknown_campaign(campaign):
    with pytest.raises(CommandError, match="Campagne 2030 inconnue"):
        call_command("export_answers", "--campaign", "2030")


def test_export_import_export_is_byte_identical(db, tmp_path):
    store(
        answer("W751000001", "Abri", status="validated"),
        answer("12345678901234", "Zèbre", status="draft", comment=""),
    )
    first = run_export("--campaign", "2024")
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")

    # Into an empty database…
    OriginCount.objects.all().delete()
    FormAnswer.objects.all().delete()
    Submission.objects.all().delete()
    Association.objects.all().delete()
    call_command("import_answers", str(path), stdout=io.StringIO())
    assert run_export("--campaign", "2024") == first

    # …and over the same answers.
    call_command("import_answers", str(path), stdout=io.StringIO())
    assert run_export("--campaign", "2024") == first


@pytest.mark.parametrize("submissions", [3, 30])
def test_query_count_does_not_grow_with_submissions(db, django_assert_max_num_queries, submissions):
    store(*(answer(f"W75100{i:04d}", f"Association {i}") for i in range(submissions)))

    # The campaign, the audit log's row, the submissions with their associations, the
    # answers, the origins.
    with django_assert_max_num_queries(5):
        text = run_export("--campaign", "2024")

    assert len(json.loads(text)) == submissions


def test_an_export_is_in_the_audit_log(db):
    from audit.models import Action, AuditEvent

    store(answer("W751000001", "Abri"))
    run_export("--campaign", "2024")

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor_identifier.startswith("manage.py export_answers (")
    assert event.campaign_year == 2024
