"""reports/exports.py: the raw data of a campaign, reopened and compared cell by cell.

The cast (campaign 2024), VALIDATED:

- A, named like a formula ('=HYPERLINK(…)'), Paris: `sexual` with part of Part 2 (an
  explicit 0 and blanks) and `other` with its "précisez" text "-x";
- B, named "+33 1 23 45 67 89", no département nor region: `labour`;
- C, named "@foo": answered nothing (six empty forms).

A draft, a submitted and a returned submission, and a validated one of another campaign,
must not show anywhere.
"""

import csv
import io

import pytest
from openpyxl import load_workbook

from reports.exports import (
    AnswersExporter,
    OriginsExporter,
    csv_text,
    raw_answers_csv,
    raw_answers_xlsx,
    raw_origins_csv,
    raw_origins_xlsx,
    write_csv,
    write_xlsx,
)
from survey.models import Association, Campaign, Submission
from survey.questionnaire import COUNT_FIELDS, FORMS, PART2_FIELDS

from .conftest import make_submission

HYPERLINK = '=HYPERLINK("https://example.com/piege","Cliquez")'

A_SEXUAL = {
    "detected": 10,
    "accompanied": 8,
    "france_only": 3,
    "france_and_abroad": 4,
    "abroad_only": 1,
    "women": 5,
    "trans_women": 2,
    "men": 1,
    "age_15_17": 1,
    "age_18_24": 3,
    "age_25_plus": 4,
    "origin": {"NG": 5, "FR": 2},
    "origin_unknown": 1,
    "network": 6,
    "pregnancy": 0,  # answered: zero, not blank
}
A_OTHER = {
    "detected": 1,
    "accompanied": 1,
    "france_only": 1,
    "women": 1,
    "age_25_plus": 1,
    "origin_unknown": 1,
    "other_label": "-x",
}
B_LABOUR = {
    "detected": 6,
    "accompanied": 3,
    "france_only": 3,
    "men": 3,
    "age_25_plus": 3,
    "origin": {"UA": 1, "PE": 2},
}
NOISE = {"detected": 1000, "accompanied": 1000, "origin": {"NG": 1000}, "network": 1000}

# The first columns of the answers, then where a few counts are.
FIRST_HEADERS = [
    "Identifiant (RNA ou SIRET)",
    "Association",
    "Département",
    "Région",
    "Forme d'exploitation",
]
COLUMN = {field: len(FIRST_HEADERS) + index for index, field in enumerate(COUNT_FIELDS)}
FORM_LABELS = [
    "Exploitation sexuelle",
    "Exploitation par le travail (hors travail domestique)",
    "Exploitation domestique",
    "Contrainte à commettre des délits ou des crimes",
    "Mendicité forcée",
    "Autre forme d'exploitation",
]


def association(name: str, identifier: str, **fields) -> Association:
    return Association.objects.create(name=name, identifier=identifier, **fields)


def validated(campaign: Campaign, association: Association, forms: dict) -> Submission:
    return make_submission(
        association, campaign, status=Submission.Status.VALIDATED, data={"forms": forms}
    )


@pytest.fixture
def cast(campaign):
    a = association(HYPERLINK, "W751000011", departement="75", region="IDF")
    validated(campaign, a, {"sexual": A_SEXUAL, "other": A_OTHER})
    b = association("+33 1 23 45 67 89", "W751000012")
    validated(campaign, b, {"labour": B_LABOUR})
    validated(campaign, association("@foo", "W751000013", departement="2A", region="COR"), {})
    for index, status in enumerate(
        (Submission.Status.DRAFT, Submission.Status.SUBMITTED, Submission.Status.RETURNED)
    ):
        make_submission(
            association(f"Pas validée {index}", f"W75100002{index}"),
            campaign,
            status=status,
            data={"forms": dict.fromkeys(FORMS, NOISE)},
        )
    earlier = Campaign.objects.create(year=2023, reference_year=2022)
    validated(earlier, a, dict.fromkeys(FORMS, NOISE))
    return campaign


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 1
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


# ---------------------------------------------------------------------------- answers


def test_answers_xlsx_has_the_french_headers_of_the_models(cast):
    header = sheet_rows(raw_answers_xlsx(cast))[0]
    assert list(header[:5]) == FIRST_HEADERS
    assert header[COLUMN["detected"]] == "Victimes repérées"
    assert header[COLUMN["accompanied"]] == "Dont victimes accompagnées individuellement"
    assert header[COLUMN["origin_unknown"]] == "Pays d'origine non précisé"
    assert header[COLUMN["network"]] == "Exploitées dans le cadre d'un réseau"
    assert header[-1] == "Précisez la forme d'exploitation"
    assert len(header) == 5 + len(COUNT_FIELDS) + 1


def test_answers_xlsx_one_row_per_association_and_form_cell_by_cell(cast):
    rows = sheet_rows(raw_answers_xlsx(cast))[1:]
    # By name (as the database sorts it: "+", "=", "@"), then the questionnaire's order.
    assert [(row[1], row[4]) for row in rows] == [
        *(("+33 1 23 45 67 89", label) for label in FORM_LABELS),
        *((HYPERLINK, label) for label in FORM_LABELS),
        *(("@foo", label) for label in FORM_LABELS),
    ]
    sexual = rows[6]
    expected = dict.fromkeys(PART2_FIELDS) | {
        field: A_SEXUAL.get(field, 0) for field in COUNT_FIELDS if field not in PART2_FIELDS
    }
    expected |= {"network": 6, "pregnancy": 0}
    assert sexual == (
        "W751000011",
        HYPERLINK,
        "75",
        "Île-de-France",
        "Exploitation sexuelle",
        *(expected[field] for field in COUNT_FIELDS),
        None,
    )
    assert rows[11][-1] == "-x"  # A's `other`: the "précisez" text
    assert rows[11][COLUMN["detected"]] == 1
    labour = rows[1]
    assert labour[:5] == ("W751000012", "+33 1 23 45 67 89", None, None, FORM_LABELS[1])
    assert labour[COLUMN["accompanied"]] == 3
    assert rows[12][2:4] == ("2A", "Corse")


def test_answers_xlsx_keeps_numbers_as_numbers_and_blanks_empty(cast):
    workbook = load_workbook(io.BytesIO(raw_answers_xlsx(cast)))
    sheet = workbook.worksheets[0]
    sexual = sheet[8]  # header, B's six forms, then A's sexual
    assert sexual[COLUMN["detected"]].data_type == "n"
    assert sexual[COLUMN["detected"]].value == 10
    assert sexual[COLUMN["pregnancy"]].value == 0  # an answered zero stays 0
    assert sexual[COLUMN["addiction"]].value is None  # blank: empty, never 0
    assert sexual[COLUMN["under_15"]].value == 0  # Part 1 is never blank


@pytest.mark.parametrize("row", [2, 8, 14, 13])
def test_answers_xlsx_text_that_looks_like_a_formula_stays_text(cast, row):
    sheet = load_workbook(io.BytesIO(raw_answers_xlsx(cast))).worksheets[0]
    column = 1 if row != 13 else len(FIRST_HEADERS) + len(COUNT_FIELDS)  # name or "précisez"
    cell = sheet.cell(row=row, column=column + 1)
    assert cell.value in {HYPERLINK, "+33 1 23 45 67 89", "@foo", "-x"}
    assert cell.data_type == "s"  # not "f": never run as a formula
    assert cell.quotePrefix


def test_answers_xlsx_plain_text_has_no_quote_prefix(cast):
    sheet = load_workbook(io.BytesIO(raw_answers_xlsx(cast))).worksheets[0]
    assert sheet["A2"].value == "W751000012"
    assert not sheet["A2"].quotePrefix
    assert sheet["A1"].font.b  # the header is bold


def test_answers_leave_out_drafts_and_other_campaigns(cast):
    rows = sheet_rows(raw_answers_xlsx(cast))[1:]
    assert len(rows) == 3 * len(FORMS)
    assert {row[0] for row in rows} == {"W751000011", "W751000012", "W751000013"}
    assert 1000 not in {value for row in rows for value in row}


def test_answers_csv_reads_back_the_same_table(cast):
    rows = csv_rows(raw_answers_csv(cast))
    assert rows[0][:5] == FIRST_HEADERS
    assert len(rows) == 1 + 3 * len(FORMS)
    assert rows[1][:5] == ["W751000012", "'+33 1 23 45 67 89", "", "", FORM_LABELS[0]]
    sexual = rows[7]
    assert sexual[:5] == [
        "W751000011",
        f"'{HYPERLINK}",
        "75",
        "Île-de-France",
        "Exploitation sexuelle",
    ]
    assert sexual[COLUMN["detected"]] == "10"
    assert sexual[COLUMN["pregnancy"]] == "0"
    assert sexual[COLUMN["addiction"]] == ""  # blank, not 0
    assert rows[12][-1] == "'-x"
    assert rows[13][1] == "'@foo"


def test_answers_csv_uses_crlf_and_semicolons(cast):
    content = raw_answers_csv(cast)
    first_line = content.split(b"\r\n")[0].decode("utf-8-sig")
    assert first_line.startswith("Identifiant (RNA ou SIRET);Association;Département;")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-x", "'-x"),
        ("@foo", "'@foo"),
        ("Association A", "Association A"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_text_quotes_what_a_spreadsheet_would_run(value, expected):
    assert csv_text(value) == expected


# ---------------------------------------------------------------------------- origins


def test_origins_long_format_with_the_unknown_origin_last(cast):
    rows = sheet_rows(raw_origins_xlsx(cast))
    assert rows[0] == (
        "Identifiant (RNA ou SIRET)",
        "Association",
        "Forme d'exploitation",
        "Pays d'origine (code ISO 3166-1)",
        "Pays d'origine",
        "Victimes accompagnées",
    )
    labour = FORM_LABELS[1]
    assert rows[1:] == [
        ("W751000012", "+33 1 23 45 67 89", labour, "PE", "Pérou", 2),
        ("W751000012", "+33 1 23 45 67 89", labour, "UA", "Ukraine", 1),
        ("W751000011", HYPERLINK, "Exploitation sexuelle", "FR", "France", 2),
        ("W751000011", HYPERLINK, "Exploitation sexuelle", "NG", "Nigeria", 5),
        ("W751000011", HYPERLINK, "Exploitation sexuelle", None, "Non précisé", 1),
        ("W751000011", HYPERLINK, "Autre forme d'exploitation", None, "Non précisé", 1),
    ]  # C answered nothing: no row; drafts and 2023 are out


def test_origins_of_a_form_add_up_to_its_accompanied_victims(cast):
    rows = sheet_rows(raw_origins_xlsx(cast))[1:]
    sexual = sum(row[5] for row in rows if row[0] == "W751000011" and row[2] == FORM_LABELS[0])
    assert sexual == A_SEXUAL["accompanied"]


def test_origins_csv_reads_back_the_same_table(cast):
    rows = csv_rows(raw_origins_csv(cast))
    assert rows[1] == ["W751000012", "'+33 1 23 45 67 89", FORM_LABELS[1], "PE", "Pérou", "2"]
    assert rows[5] == ["W751000011", f"'{HYPERLINK}", FORM_LABELS[0], "", "Non précisé", "1"]
    assert len(rows) == 7


def test_origins_xlsx_names_are_formula_safe(cast):
    sheet = load_workbook(io.BytesIO(raw_origins_xlsx(cast))).worksheets[0]
    cell = sheet["B4"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HYPERLINK, "s", True)


# ---------------------------------------------------------------------- exporters, files


def test_exporters_are_named(campaign):
    for exporter, identifier in ((AnswersExporter, "reponses"), (OriginsExporter, "origines")):
        instance = exporter(campaign)
        assert instance.identifier == identifier
        assert instance.verbose_name
        assert instance.filename("xlsx") == f"miprof-2024-{identifier}.xlsx"


def test_an_empty_campaign_has_only_the_header(campaign):
    for content in (raw_answers_xlsx(campaign), raw_origins_xlsx(campaign)):
        assert len(sheet_rows(content)) == 1
    for content in (raw_answers_csv(campaign), raw_origins_csv(campaign)):
        assert len(csv_rows(content)) == 1


def test_writers_write_to_a_file_and_leave_it_open(cast, tmp_path):
    with open(tmp_path / "reponses.xlsx", "wb") as stream:
        write_xlsx(AnswersExporter(cast), stream)
    workbook = load_workbook(tmp_path / "reponses.xlsx")
    assert workbook.worksheets[0].title == "Réponses 2024"
    assert workbook.worksheets[0].max_row == 1 + 3 * len(FORMS)

    with open(tmp_path / "origines.csv", "wb") as stream:
        write_csv(OriginsExporter(cast), stream)
        assert not stream.closed
        stream.write(b"")
    assert len(csv_rows((tmp_path / "origines.csv").read_bytes())) == 7


def many_associations(campaign: Campaign, number: int) -> None:
    for index in range(number):
        validated(
            campaign,
            association(f"Association {index}", f"W7520{index:05d}"),
            {"sexual": A_SEXUAL, "labour": B_LABOUR},
        )


@pytest.mark.parametrize("number", [3, 30])
@pytest.mark.parametrize(
    "export", [raw_answers_xlsx, raw_answers_csv, raw_origins_xlsx, raw_origins_csv]
)
def test_one_query_whatever_the_number_of_associations(
    campaign, number, export, django_assert_num_queries
):
    many_associations(campaign, number)
    with django_assert_num_queries(1):
        content = export(campaign)
    assert content
