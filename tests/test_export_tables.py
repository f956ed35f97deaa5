"""`manage.py export_tables`: the published tables as JSON or as a workbook.

On a small dataset (association A's validated answers), then on the full demo (70
associations, loaded once for the module) whose F1 is the report's.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from openpyxl import load_workbook

from reports.suppression import protect, relations
from reports.tables import TABLES, all_tables
from survey.demo import load_demo
from survey.models import Campaign, Submission

from .conftest import make_submission

pytestmark = pytest.mark.django_db


def export(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_tables", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def answers(campaign, association_a):
    make_submission(association_a, campaign, status=Submission.Status.VALIDATED)
    return campaign


# --- JSON -----------------------------------------------------------------------------


def test_json_to_stdout_is_every_table_in_the_published_shape(answers):
    out, err = export("--campaign", "2024", "--format", "json")
    data = json.loads(out)
    assert list(data) == list(TABLES)
    assert data == {id: table.as_json() for id, table in all_tables(answers).items()}
    for table in data.values():
        assert {"title", "covered", "respondents", "rows"} <= set(table)
        for row in table["rows"]:
            assert {"key", "label"} <= set(row)
    f1 = data["F1"]
    assert [row["key"] for row in f1["rows"]] == [
        "sexual",
        "labour_total",
        "domestic",
        "labour",
        "crime",
        "begging",
        "other",
        "total",
    ]
    assert f1["rows"][0] == {
        "key": "sexual",
        "label": "Exploitation sexuelle",
        "detected": 12,
        "accompanied": 9,
        "accompanied_share": 75,
    }
    assert data["F2"]["rows"][0] == {
        "key": "sexual",
        "label": "Exploitation sexuelle",
        "count": 12,
        "share": 80,
    }
    assert "Répartition" in out  # ensure_ascii=False
    assert err == ""


def test_json_is_the_default_format_and_dash_is_stdout(answers):
    out, _ = export("--campaign", "2024", "--output", "-")
    assert json.loads(out)["F1"]["covered"] == 15
    assert out == export("--campaign", "2024")[0]


def test_json_to_a_file(answers, tmp_path):
    path = tmp_path / "tables.json"
    out, _ = export("--campaign", "2024", "--format", "json", "--output", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["F1"]["covered"] == 15
    assert "16 tableaux de la campagne 2024 exportés vers" in out


# --- Workbook -------------------------------------------------------------------------


def test_xlsx_to_a_file(answers, tmp_path):
    path = tmp_path / "tables.xlsx"
    out, _ = export("--campaign", "2024", "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Présentation", *TABLES]
    assert workbook["F1"]["B4"].value == 12
    assert "(xlsx, diffusion interne)" in out


def test_xlsx_for_publication(answers, tmp_path):
    path = tmp_path / "publication.xlsx"
    out, _ = export(
        "--campaign", "2024", "--format", "xlsx", "--output", str(path), "--publication"
    )
    workbook = load_workbook(path)
    assert workbook.sheetnames[-1] == "Cellules masquées"
    assert workbook["F1"]["C5"].value == "< 3"  # labour_total: 2 accompanied
    assert "(xlsx, publication)" in out


# --- Errors and empty campaigns ---------------------------------------------------------


def test_unknown_campaign():
    with pytest.raises(CommandError, match="Campagne 2030 inconnue"):
        export("--campaign", "2030", "--format", "json")


def test_a_workbook_needs_a_file(answers):
    with pytest.raises(CommandError, match=r"--output FICHIER\.xlsx"):
        export("--campaign", "2024", "--format", "xlsx")


def test_publication_is_for_the_workbook_only(answers):
    with pytest.raises(CommandError, match="--publication ne s'applique qu'au classeur"):
        export("--campaign", "2024", "--format", "json", "--publication")


def test_unwritable_output(answers, tmp_path):
    with pytest.raises(CommandError, match="Impossible d'écrire"):
        export("--campaign", "2024", "--output", str(tmp_path / "missing" / "tables.json"))


def test_a_campaign_without_validated_answers_still_exports_with_a_warning(
    campaign, association_a, tmp_path
):
    make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    out, err = export("--campaign", "2024")
    assert "Attention : aucune réponse validée pour la campagne 2024" in err
    data = json.loads(out)
    assert data["F1"]["respondents"] == 0
    assert {row["detected"] for row in data["F1"]["rows"]} == {0}
    assert {row["accompanied_share"] for row in data["F1"]["rows"]} == {None}
    assert {row["share"] for row in data["F2"]["rows"]} == {None}

    path = tmp_path / "empty.xlsx"
    _, err = export("--campaign", "2024", "--format", "xlsx", "--output", str(path))
    assert "Attention" in err
    assert load_workbook(path)["F1"]["B4"].value == 0


# --- The full demo ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """The demo loaded once for the module, exported, then rolled back."""
    folder = tmp_path_factory.mktemp("export_tables")
    with django_db_blocker.unblock(), transaction.atomic():
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or Path(name).name.startswith("test"), name  # never the real db
        load_demo()
        json_out, _ = export("--campaign", "2024", "--format", "json")
        export("--campaign", "2024", "--format", "xlsx", "--output", str(folder / "t.xlsx"))
        export(
            "--campaign",
            "2024",
            "--format",
            "xlsx",
            "--output",
            str(folder / "p.xlsx"),
            "--publication",
        )
        tables = all_tables(Campaign.objects.get(year=2024))
        transaction.set_rollback(True)
    return {
        "json": json.loads(json_out),
        "internal": load_workbook(folder / "t.xlsx"),
        "publication": load_workbook(folder / "p.xlsx"),
        "tables": tables,
    }


# The report's figure 1.
F1_DETECTED = {
    "sexual": 4672,
    "labour_total": 1057,
    "domestic": 289,
    "labour": 768,
    "crime": 236,
    "begging": 42,
    "other": 15,
    "total": 6022,
}
F1_ACCOMPANIED_SHARE = {
    "sexual": 69,
    "labour_total": 71,
    "domestic": 99,
    "labour": 61,
    "crime": 52,
    "begging": 69,
    "other": 93,
    "total": 69,
}


def test_the_demo_json_gives_the_reports_f1(demo):
    rows = {row["key"]: row for row in demo["json"]["F1"]["rows"]}
    assert {key: row["detected"] for key, row in rows.items()} == F1_DETECTED
    assert {key: row["accompanied_share"] for key, row in rows.items()} == F1_ACCOMPANIED_SHARE
    assert demo["json"]["F1"]["respondents"] == 70
    assert rows["total"]["accompanied"] == 4160


def test_the_demo_workbook_gives_the_reports_f1(demo):
    sheet = demo["internal"]["F1"]
    keys = list(F1_DETECTED)
    for offset, key in enumerate(keys):
        row = sheet[4 + offset]
        assert row[1].value == F1_DETECTED[key], key
        assert round(row[3].value * 100) == F1_ACCOMPANIED_SHARE[key], key
    assert "Champ : 70 associations répondantes, 6\u00a0022 victimes." in [
        cell.value for (cell,) in sheet.iter_rows(min_col=1, max_col=1)
    ]


def test_the_demo_publication_shows_f1_whole_and_protects_every_relation(demo):
    # No count of F1 is small: the publication shows it as the report does.
    sheet = demo["publication"]["F1"]
    for offset, key in enumerate(F1_DETECTED):
        assert sheet[4 + offset][1].value == F1_DETECTED[key]
    protected, cells = protect(demo["tables"], 3)
    for id, item in protected.items():
        for relation in relations(item.table):
            assert sum(item.is_hidden(*cell) for cell in relation.cells) != 1, (id, relation)
    listing = demo["publication"]["Cellules masquées"]
    assert listing.max_row - 3 == len(cells)
    # F6: one MNA of "other" exploitation, and labour's 4 that would give it back.
    f6 = demo["publication"]["F6"]
    labels = [cell.value for (cell,) in f6.iter_rows(min_col=1, max_col=1)]
    other = f6[labels.index("Autre forme d'exploitation") + 1]
    assert [other[1].value, other[2].value] == ["< 3", None]
    labour = f6[labels.index("Exploitation par le travail (hors travail domestique)") + 1]
    assert labour[1].value == "masqué"


def test_an_export_is_in_the_audit_log(answers, tmp_path):
    from audit.models import Action, AuditEvent

    call_command("export_tables", "--campaign", "2024", "--output", str(tmp_path / "t.json"))

    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor is None and event.actor_identifier.startswith("manage.py export_tables (")
    assert event.campaign_year == 2024 and event.details["format"] == "json"
