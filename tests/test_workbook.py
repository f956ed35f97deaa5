"""reports/workbook.py: the tables' workbook, reopened with openpyxl and read cell by cell.

The dataset: association A's validated answers (conftest `consistent_answers`): sexual
exploitation 12 detected, 9 accompanied (5 from Nigeria, 3 from France, 1 unknown);
labour 3 detected, 2 accompanied (1 from Mali, 1 unknown). Time is frozen at 12 September
2024, 14:30 in Paris.
"""

import datetime
import io
import json

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, PieChart

from reports.tables import NOTE, TABLES, Row, Table, all_tables
from reports.workbook import tables_json, tables_workbook
from survey.demo import consistent_form
from survey.models import Submission

from .conftest import consistent_answers, make_submission

SOURCE = "Source : Miprof, enquête 2024 auprès des associations (données 2023)."


@pytest.fixture
def answers(campaign, association_a, frozen_now):
    make_submission(association_a, campaign, status=Submission.Status.VALIDATED)
    return campaign


def open_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def column_a(sheet) -> list:
    return [sheet.cell(row=row, column=1).value for row in range(1, sheet.max_row + 1)]


def row_of(sheet, label: str) -> int:
    """The row whose first cell is `label`."""
    return column_a(sheet).index(label) + 1


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]][: sheet.max_column]


def cover_value(sheet, label: str):
    return sheet.cell(row=row_of(sheet, label), column=2).value


# --- The cover sheet ------------------------------------------------------------------


def test_the_cover_sheet_says_what_the_workbook_holds(answers):
    workbook = open_workbook(tables_workbook(answers))
    cover = workbook["Présentation"]
    assert workbook.sheetnames[0] == "Présentation"
    assert cover["A1"].value == (
        "Enquête 2024 — victimes de traite des êtres humains accompagnées par les associations"
    )
    assert cover_value(cover, "Campagne") == "Enquête 2024"
    assert cover_value(cover, "Année de référence") == 2023
    assert cover_value(cover, "Associations répondantes") == 1
    extracted = cover.cell(row=row_of(cover, "Date et heure d'extraction"), column=2)
    assert extracted.value == datetime.datetime(2024, 9, 12, 14, 30)  # Paris time
    assert extracted.number_format == "dd/mm/yyyy hh:mm"
    assert cover_value(cover, "Mode") == "Diffusion interne"

    text = "\n".join(str(value) for value in column_a(cover) if value)
    assert "Enquête déclarative" in text
    assert "Enquête non exhaustive" in text
    assert "Doubles comptes possibles" in text
    assert f"• {NOTE}" in text
    assert SOURCE in text
    # The list of tables links to their sheets.
    link = cover.cell(row=row_of(cover, "F2"), column=1)
    assert link.hyperlink.location == "'F2'!A1" or link.hyperlink.target == "#'F2'!A1"


def test_the_cover_of_a_publication_says_so(answers):
    cover = open_workbook(tables_workbook(answers, publication=True))["Présentation"]
    assert cover_value(cover, "Mode") == "Publication (petits effectifs masqués)"
    assert cover_value(cover, "Seuil des petits effectifs") == 3


# --- One sheet per table --------------------------------------------------------------


def test_one_sheet_per_table_named_after_its_id(answers):
    workbook = open_workbook(tables_workbook(answers))
    assert workbook.sheetnames == ["Présentation", *TABLES]


def test_f1_cell_by_cell(answers):
    table = all_tables(answers)["F1"]
    sheet = open_workbook(tables_workbook(answers))["F1"]

    assert sheet["A1"].value == table.title
    assert sheet["A1"].font.bold
    assert values(sheet, 3) == [
        "Forme d'exploitation",
        "Victimes repérées",
        "Victimes accompagnées",
        "Part des victimes accompagnées",
    ]
    for cell in sheet[3]:
        assert cell.font.bold
        assert cell.fill.fgColor.rgb.endswith("E3E3FD")
        assert cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text

    assert column_a(sheet)[3:11] == [row.label for row in table.rows]
    sexual = sheet[4]
    assert sexual[1].value == 12
    assert type(sexual[1].value) is int
    assert sexual[1].number_format == "#,##0"
    assert sexual[2].value == 9
    assert sexual[3].value == pytest.approx(0.75)
    assert isinstance(sexual[3].value, float)
    assert sexual[3].number_format == "0 %"
    labour = sheet[row_of(sheet, "dont exploitation par le travail hors domestique")]
    assert [labour[1].value, labour[2].value, labour[3].value] == [3, 2, pytest.approx(0.67)]
    assert labour[0].alignment.indent == 2  # a "dont" row
    domestic = sheet[row_of(sheet, "dont exploitation domestique")]
    assert [domestic[1].value, domestic[2].value, domestic[3].value] == [0, 0, None]
    total = sheet[row_of(sheet, "Total")]
    assert [total[1].value, total[2].value, total[3].value] == [15, 11, pytest.approx(0.73)]
    assert total[0].font.bold

    lines = [value for value in column_a(sheet) if isinstance(value, str)]
    assert f"Lecture : {table.reading}" in lines
    assert table.reading == (
        "En 2023, 12 victimes d'exploitation sexuelle ont été repérées par les associations, "
        "dont 75\u00a0% ont bénéficié d'un accompagnement."
    )
    assert "Champ : 1 association répondante, 15 victimes." in lines
    assert SOURCE in lines
    assert NOTE in lines
    assert sheet.freeze_panes == "B4"
    assert not sheet._charts  # F1 is a table in the report


def test_f1_with_the_previous_campaign_shows_its_detected_victims_and_the_evolution(
    answers, association_a, previous_campaign
):
    # 2022: 10 victims of sexual exploitation detected, 2 of labour exploitation.
    previous = consistent_answers(
        sexual=consistent_form(
            10, 8, place=(4, 4, 0), gender=(6, 1, 1, 0, 0, 0), age=(0, 1, 3, 4, 0), origin={}
        ),
        labour=consistent_form(
            2, 1, place=(1, 0, 0), gender=(0, 0, 1, 0, 0, 0), age=(0, 0, 0, 1, 0), origin={}
        ),
    )
    make_submission(
        association_a, previous_campaign, status=Submission.Status.VALIDATED, data=previous
    )
    table = all_tables(answers)["F1"]
    sheet = open_workbook(tables_workbook(answers))["F1"]
    assert values(sheet, 3)[4:] == ["Victimes repérées en 2022", "Évolution des victimes repérées"]
    sexual = sheet[4]
    assert sexual[4].value == 10 and sexual[4].number_format == "#,##0"
    assert sexual[5].value == pytest.approx(0.2)  # 12 against 10
    assert sexual[5].number_format == "+0 %;-0 %;0 %"
    labour = sheet[row_of(sheet, "dont exploitation par le travail hors domestique")]
    assert [labour[4].value, labour[5].value] == [2, pytest.approx(0.5)]  # 3 against 2
    domestic = sheet[row_of(sheet, "dont exploitation domestique")]
    assert [domestic[4].value, domestic[5].value] == [0, None]  # no base
    assert sheet.page_setup.orientation == "landscape"
    assert table.note in column_a(sheet)  # with the report's warning on comparisons

    # In publication, the previous year's counts are protected like the others.
    sheet = open_workbook(tables_workbook(answers, publication=True))["F1"]
    labour = sheet[row_of(sheet, "dont exploitation par le travail hors domestique")]
    assert [labour[4].value, labour[5].value] == ["< 3", None]
    # 12 (total) − 0 − 0 − 0 would give labour's 2 back from sexual's 10: hidden too.
    assert [sheet[4][4].value, sheet[4][5].value] == ["masqué", None]


def test_counts_and_shares_of_a_table_with_count_and_share(answers):
    sheet = open_workbook(tables_workbook(answers))["F2"]
    assert values(sheet, 3) == ["Forme d'exploitation", "Victimes repérées", "Part"]
    sexual = sheet[4]
    assert sexual[0].value == "Exploitation sexuelle"
    assert sexual[1].value == 12 and sexual[1].number_format == "#,##0"
    assert sexual[2].value == pytest.approx(0.8) and sexual[2].number_format == "0 %"
    for row in sheet.iter_rows(min_row=4, max_row=9, min_col=3, max_col=3):
        assert 0 <= row[0].value <= 1


def test_a_part_2_table_shows_the_base_of_each_share(answers):
    sheet = open_workbook(tables_workbook(answers))["F8"]
    assert values(sheet, 3) == [
        "Indicateur",
        "Effectif",
        "Part",
        "Base de la part (victimes)",
        "Associations répondantes",
    ]


def test_the_map_names_main_countries_in_french_and_the_share_of_each_form(answers):
    sheet = open_workbook(tables_workbook(answers))["MAP"]
    header = values(sheet, 3)
    assert header[:3] == ["Région d'origine", "Victimes accompagnées", "Part"]
    assert "Exp. sexuelle" in header
    assert header[-1] == "Principaux pays d'origine"
    nigeria = values(sheet, row_of(sheet, "Nigéria"))
    assert nigeria[1] == 5
    assert nigeria[header.index("Exp. sexuelle")] == 1.0
    assert nigeria[-1] == "Nigeria"  # django-countries spells it so
    west = values(sheet, row_of(sheet, "Afrique de l'Ouest (hors Nigéria)"))
    assert west[-1] == "Mali"
    assert west[header.index("Exp. par le travail (y c. domestique)")] == 1.0
    assert values(sheet, row_of(sheet, "Europe de l'Ouest"))[-1] == "France"


def test_charts_are_native_excel_charts(answers):
    workbook = open_workbook(tables_workbook(answers))
    (pie,) = workbook["F2"]._charts
    assert isinstance(pie, PieChart)
    (bars,) = workbook["MAP"]._charts
    assert isinstance(bars, BarChart)
    assert bars.type == "bar"
    assert not workbook["F8"]._charts


def test_a_chart_of_rows_apart_reads_a_copy_of_them(answers):
    # F4's chart shows the six gender fields, between which the table has subtotals.
    sheet = open_workbook(tables_workbook(answers))["F4"]
    start = row_of(sheet, "Données du graphique")
    assert [sheet.cell(row=start + 1 + i, column=1).value for i in range(2)] == [
        "Femmes (cisgenres)",
        "Femmes transgenres",
    ]
    assert sheet.cell(row=start + 1, column=2).number_format == "0 %"
    assert len(sheet._charts) == 1


def test_print_settings(answers):
    workbook = open_workbook(tables_workbook(answers))
    f1, map_sheet = workbook["F1"], workbook["MAP"]
    assert f1.page_setup.orientation == "portrait"
    assert map_sheet.page_setup.orientation == "landscape"  # wide: 9 columns
    for sheet in (f1, map_sheet):
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$3:$3"
        assert sheet.oddHeader.left.text == "Miprof — enquête 2024 (données 2023)"
        assert sheet.oddHeader.right.text == "Diffusion interne"
        assert sheet.oddFooter.center.text == "Page &P sur &N"
        assert sheet.oddFooter.left.text == "Extraction du 12/09/2024 à 14:30"
        assert sheet.column_dimensions["A"].width >= 26
        assert sheet.column_dimensions["B"].width >= 12


# --- Publication ----------------------------------------------------------------------


def test_publication_hides_small_counts_and_lists_every_hidden_cell(answers):
    workbook = open_workbook(tables_workbook(answers, publication=True))
    sheet = workbook["F1"]
    # 2 accompanied victims of labour exploitation: "< 3", their share not shown.
    labour = sheet[row_of(sheet, "dont exploitation par le travail hors domestique")]
    assert [labour[1].value, labour[2].value, labour[3].value] == [3, "< 3", None]
    labour_total = sheet[row_of(sheet, "Exploitation par le travail")]
    assert [labour_total[2].value, labour_total[3].value] == ["< 3", None]
    # Otherwise total − sexual − 0 − 0 − 0 would give them back: sexual goes too.
    sexual = sheet[4]
    assert [sexual[1].value, sexual[2].value, sexual[3].value] == [12, "masqué", None]
    total = sheet[row_of(sheet, "Total")]
    assert total[2].value == 11
    # The reading quotes sexual exploitation's share: withdrawn.
    assert "Lecture : non publiée, elle citerait un chiffre masqué." in column_a(sheet)

    assert workbook.sheetnames[-1] == "Cellules masquées"
    listing = workbook["Cellules masquées"]
    assert values(listing, 3) == ["Tableau", "Ligne", "Colonne", "Motif"]
    rows = [values(listing, row) for row in range(4, listing.max_row + 1)]
    assert ["F1", "Exploitation sexuelle", "Victimes accompagnées"] in [row[:3] for row in rows]
    f1_labour = [
        row
        for row in rows
        if row[:3] == ["F1", "Exploitation par le travail", "Victimes accompagnées"]
    ]
    assert f1_labour[0][3] == "petit effectif (< 3)"
    sexual_reason = next(row[3] for row in rows if row[:2] == ["F1", "Exploitation sexuelle"])
    assert sexual_reason.startswith("masquage secondaire (protège")
    assert all(row[0] in TABLES for row in rows)


def test_internal_mode_shows_every_number(answers):
    workbook = open_workbook(tables_workbook(answers, publication=False))
    sheet = workbook["F1"]
    labour = sheet[row_of(sheet, "dont exploitation par le travail hors domestique")]
    assert labour[2].value == 2
    assert "Cellules masquées" not in workbook.sheetnames
    for name in workbook.sheetnames:
        for row in workbook[name].iter_rows():
            assert not any(cell.value in ("< 3", "masqué") for cell in row)


def test_the_threshold_comes_from_the_settings(answers, settings):
    settings.SMALL_COUNT_THRESHOLD = 13
    sheet = open_workbook(tables_workbook(answers, publication=True))["F1"]
    assert sheet[4][1].value == "< 13"  # 12 detected
    sheet = open_workbook(tables_workbook(answers, publication=True, threshold=3))["F1"]
    assert sheet[4][1].value == 12


# --- Given tables, text and JSON ------------------------------------------------------


def test_text_is_never_a_formula(campaign):
    table = Table(
        id="F2",
        title='=HYPERLINK("http://example.com")',
        covered=3,
        respondents=1,
        rows=[Row("sexual", "=1+1", 3, 100)],
        reading="+33 1 23",
        note="",
        chart=None,
    )
    sheet = open_workbook(tables_workbook(campaign, {"F2": table}))["F2"]
    assert sheet["A1"].value == '=HYPERLINK("http://example.com")'
    assert sheet["A1"].data_type == "s"
    assert sheet["A4"].value == "=1+1"
    assert sheet["A4"].data_type == "s"
    assert sheet["B4"].value == 3


def test_tables_json_is_every_table_as_json(answers):
    tables = all_tables(answers)
    text = tables_json(tables)
    assert json.loads(text) == {id: table.as_json() for id, table in tables.items()}
    assert list(json.loads(text)) == list(TABLES)
    assert "Exploitation sexuelle" in text  # not \u00e9-escaped
    assert text.startswith('{\n  "F1": {\n    "title": ')
