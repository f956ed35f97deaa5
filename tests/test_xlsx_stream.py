"""The streamed one-sheet XLSX writer of the raw exports, read back with openpyxl."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from reports.xlsx_stream import write_rows


def written(rows, title="Réponses 2024"):
    stream = io.BytesIO()
    write_rows(rows, stream, title)
    return load_workbook(io.BytesIO(stream.getvalue()))


def test_header_is_bold_and_frozen_and_the_sheet_named():
    workbook = written([["Identifiant", "Victimes"], ["W1", 3]])
    sheet = workbook.worksheets[0]
    assert workbook.sheetnames == ["Réponses 2024"]
    assert sheet["A1"].font.b and sheet["B1"].font.b
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


def test_numbers_texts_and_empty_cells_keep_their_place():
    rows = [["a", "b", "c", "d"], ["x", None, 0, 12.5], [None, None, None, 7]]
    sheet = written(rows).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == rows
    assert sheet["C2"].data_type == "n" and sheet["A2"].data_type == "s"


def test_text_is_escaped_spaces_kept_and_control_characters_dropped():
    rows = [["t"], ['<b>&"Soleil"</b>'], ["  deux espaces "], ["bip\x07\x00 fin"]]
    sheet = written(rows).worksheets[0]
    assert [sheet[f"A{n}"].value for n in (2, 3, 4)] == [
        '<b>&"Soleil"</b>',
        "  deux espaces ",
        "bip fin",
    ]


@pytest.mark.parametrize("value", ["=1+1", "+33 1", "-2", "@SUM(A1)"])
def test_what_a_spreadsheet_would_run_is_quoted_text(value):
    cell = written([["t"], [value]]).worksheets[0]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)


def test_a_formula_behind_a_control_character_is_quoted_too():
    cell = written([["t"], ['\x01=HYPERLINK("http://x")']]).worksheets[0]["A2"]
    assert (cell.value, cell.quotePrefix) == ('=HYPERLINK("http://x")', True)


def test_many_columns_get_their_letters():
    header = [f"c{index}" for index in range(60)]
    sheet = written([header, list(range(60))]).worksheets[0]
    assert sheet["BH2"].value == 59 and sheet["BH1"].value == "c59"


def test_only_a_header():
    sheet = written([["Identifiant"]]).worksheets[0]
    assert sheet.max_row == 1 and sheet["A1"].value == "Identifiant"


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice not installed")
def test_libreoffice_opens_it(tmp_path):
    path = tmp_path / "export.xlsx"
    with path.open("wb") as stream:
        write_rows([["Nom", "Victimes"], ["=A1", 4], ["Fil d'Ariane", None]], stream, "R 2024")
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "export.csv").read_text().splitlines() == [
        "Nom,Victimes",
        "=A1,4",
        "Fil d'Ariane,",
    ]
