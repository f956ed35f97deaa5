"""A one-sheet XLSX file written as a stream of rows, for the raw exports.

Why not openpyxl's write-only mode, which wrote these files first: it builds an XML
element per cell, some 40 000 cells a second here, so the raw export of 10 000
associations (60 000 rows of ~55 cells) took 80 s; XlsxWriter's constant-memory mode is
about twice as fast. The raw export needs none of what those libraries are for (styles
per cell, formulas, charts): only numbers, texts and empty cells under a bold, frozen
header. Writing the sheet's XML as text does that at about a million cells a second,
straight into a deflated zip member, so memory does not grow with the rows.

The file is a minimal SpreadsheetML package (content types, relationships, workbook,
styles, one sheet) that Excel, LibreOffice and openpyxl open; tests/test_exports.py reads
it back with openpyxl. Texts are inline strings (no shared-string table to hold in
memory); a text a spreadsheet would run as a formula ("=", "+", "-", "@" first) gets the
quote-prefix style, as `survey.cockpit.safe_text` does with openpyxl, and characters XML
1.0 cannot carry (control characters) are dropped.
"""

import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from survey.cockpit import FORMULA_PREFIXES

# Characters XML 1.0 does not allow (openpyxl refuses them with IllegalCharacterError).
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Style indexes of STYLES' cellXfs.
HEADER_STYLE, QUOTED_STYLE = 1, 2
ROWS_PER_WRITE = 500

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OPENXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    XML_DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    + '<Default Extension="rels" '
    + 'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + f'<Override PartName="/xl/workbook.xml" ContentType="{OPENXML}.sheet.main+xml"/>'
    + f'<Override PartName="/xl/styles.xml" ContentType="{OPENXML}.styles+xml"/>'
    + '<Override PartName="/xl/worksheets/sheet1.xml" '
    + f'ContentType="{OPENXML}.worksheet+xml"/>'
    + "</Types>"
)


def _relationships(*targets: tuple[str, str]) -> str:
    return (
        XML_DECLARATION
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{number}" Type="{RELATIONSHIP}/{kind}" Target="{target}"/>'
            for number, (kind, target) in enumerate(targets, start=1)
        )
        + "</Relationships>"
    )


ROOT_RELS = _relationships(("officeDocument", "xl/workbook.xml"))
WORKBOOK_RELS = _relationships(("worksheet", "worksheets/sheet1.xml"), ("styles", "styles.xml"))

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<bookViews><workbookView/></bookViews>
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""

# Fonts: regular, bold. Cell formats: default, bold header, quote-prefixed text.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetViews><sheetView workbookViewId="0">\
<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>
<sheetFormatPr defaultRowHeight="15"/>
{cols}<sheetData>"""

SHEET_END = "</sheetData></worksheet>"


def _row(number: int, values: Sequence, letters: list[str], header: bool = False) -> str:
    """One <row>: numbers as values, texts inline, None left out (an empty cell)."""
    cells = []
    for index, value in enumerate(values):
        if value is None:
            continue
        while index >= len(letters):
            letters.append(get_column_letter(len(letters) + 1))
        ref = f"{letters[index]}{number}"
        if isinstance(value, bool):  # before int: True is an int
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        else:
            # Dropped first: "\x01=…" must be seen as the formula it becomes.
            value = ILLEGAL_XML.sub("", str(value))
            style = (
                f' s="{HEADER_STYLE}"'
                if header
                else f' s="{QUOTED_STYLE}"'
                if value.startswith(FORMULA_PREFIXES)
                else ""
            )
            space = ' xml:space="preserve"' if value != value.strip() else ""
            cells.append(
                f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
            )
    return f'<row r="{number}">{"".join(cells)}</row>'


def _cols(header: Sequence[str]) -> str:
    """Column widths from the header's texts (bounded), so that the header reads."""
    widths = [min(max(len(str(title or "")) + 2, 10), 40) for title in header]
    cols = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>" if cols else ""


def write_rows(rows: Iterable[Sequence], stream: BinaryIO, sheet_title: str) -> None:
    """The rows (the first one a header, in bold and frozen) as an XLSX file in `stream`.

    Cells are text, int, float or None (empty). The sheet title must be a valid Excel
    sheet name (31 characters at most, none of []:*?/\\).
    """
    rows = iter(rows)
    header = next(rows, [])
    letters: list[str] = []
    # Level 1: the export is CPU-bound on deflate at higher levels, for a few % in size.
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr(
            "xl/workbook.xml", WORKBOOK.format(name=escape(sheet_title, {'"': "&quot;"}))
        )
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_START.format(cols=_cols(header)).encode())
            sheet.write(_row(1, header, letters, header=True).encode())
            chunk: list[str] = []
            for number, row in enumerate(rows, start=2):
                chunk.append(_row(number, row, letters))
                if len(chunk) >= ROWS_PER_WRITE:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write("".join(chunk).encode())
            sheet.write(SHEET_END.encode())
