"""The published tables as an Excel workbook, and as JSON.

`tables_workbook(campaign)` renders the `Table`s of reports/tables.py (it never
recomputes them): a cover sheet ("Présentation": campaign, respondents, time of
extraction, the report's methodology notes, the mode, the list of tables), then one sheet
per table named after its id: title, a formatted header row, the rows (counts as numbers
with a thousands separator, shares as fractions with a percent format: 0.69 shown "69 %"),
the "Lecture", "Champ" and "Source" lines, the rounding note, and a native Excel chart
where the report draws one. In publication mode (reports/suppression.py) small counts show
"< 3", cells hidden to protect them "masqué", their shares nothing, and a last sheet lists
every hidden cell with its reason.

`tables_json(tables)` is the "Tables as JSON" export of questionnaire.md.
"""

import datetime
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from survey.cockpit import FORMULA_PREFIXES
from survey.geography import country_name
from survey.models import Campaign, Submission

from .suppression import COVERED, HiddenCell, ProtectedTable, protect
from .tables import NOTE, Row, Table, all_tables, fr_number

INTERNAL = "Diffusion interne"
PUBLICATION = "Publication (petits effectifs masqués)"
COVER = "Présentation"
HIDDEN_SHEET = "Cellules masquées"

COUNT_FORMAT = "#,##0"  # shown "4 672" by a French Excel or LibreOffice ("# ##0")
PERCENT_FORMAT = "0 %"
EVOLUTION_FORMAT = "+0 %;-0 %;0 %"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_ROW = HEADER_ROW + 1

METHODOLOGY = (
    "Enquête déclarative : les associations déclarent des nombres de victimes agrégés, "
    "sans aucune donnée individuelle ; les chiffres ne sont pas vérifiés victime par victime.",
    "Enquête non exhaustive, fondée sur le volontariat des associations : seule une partie "
    "des victimes d'exploitation et/ou de traite des êtres humains est accompagnée par les "
    "associations, et les victimes recensées ne forment pas un échantillon représentatif de "
    "l'ensemble des victimes présentes en France.",
    "Doubles comptes possibles : une victime peut être accompagnée par plusieurs "
    "associations au cours de la même année et être comptée plus d'une fois ; les données "
    "ne peuvent pas être croisées entre associations.",
    "Une victime est comptée sous une seule forme d'exploitation : celle pour laquelle elle "
    "est entrée en contact avec l'association, ou celle que l'association a repérée.",
    "Partie facultative du questionnaire : une part est calculée sur les victimes des "
    "associations qui ont répondu à la question (colonne « Base de la part »).",
)

# Header of the label column, and of the count column, when not the default.
LABEL_HEADERS = {
    "F1": "Forme d'exploitation",
    "F2": "Forme d'exploitation",
    "F3": "Lieu d'exploitation",
    "F4": "Identité de genre",
    "F5": "Âge",
    "F6": "Forme d'exploitation",
    "MAP": "Région d'origine",
}
COUNT_HEADERS = {
    "F2": "Victimes repérées",
    "F3": "Victimes accompagnées",
    "F4": "Victimes accompagnées",
    "F5": "Victimes accompagnées",
    "F6": "MNA",
    "MAP": "Victimes accompagnées",
}
MAP_FORM_HEADERS = {
    "share_sexual": "Exp. sexuelle",
    "share_labour_incl_domestic": "Exp. par le travail (y c. domestique)",
    "share_crime": "Contrainte à commettre des délits",
    "share_begging": "Mendicité forcée",
    "share_other": "Autre forme",
}

BLUE = "000091"  # bleu France
HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
THIN = Side(style="thin", color="929292")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT = 15.0  # points, for an 11-point line
# What an A4 page holds inside the margins of `_page_setup`: (width, height) in points.
PORTRAIT_PAGE = (523.0, 733.0)
LANDSCAPE_PAGE = (770.0, 487.0)


@dataclass(frozen=True)
class Column:
    key: str  # "label", "count", "share", a `Row.extra` key, or "main_countries"
    header: str
    kind: str  # "label", "count", "share", "evolution" (a share, signed) or "text"
    width: float  # in characters


def table_columns(table: Table) -> list[Column]:
    """The columns a table's sheet shows, the label first."""
    longest = max((len(row.label) for row in table.rows), default=20)
    label_width = min(52, max(26, round(longest / 1.15) + 3))
    columns = [Column("label", LABEL_HEADERS.get(table.id, "Indicateur"), "label", label_width)]
    if table.id == "F1":
        columns += [
            Column("detected", "Victimes repérées", "count", 13),
            Column("accompanied", "Victimes accompagnées", "count", 14),
            Column("accompanied_share", "Part des victimes accompagnées", "share", 15),
        ]
        if any("detected_previous" in row.extra for row in table.rows):
            year = table.extra.get("previous_reference_year")
            columns += [
                Column(
                    "detected_previous",
                    f"Victimes repérées en {year}"
                    if year
                    else "Victimes repérées l'année précédente",
                    "count",
                    13,
                ),
                Column("evolution", "Évolution des victimes repérées", "evolution", 12),
            ]
    if "count" in table.columns:
        columns.append(Column("count", COUNT_HEADERS.get(table.id, "Effectif"), "count", 13))
    if "share" in table.columns:
        columns.append(Column("share", "Part", "share", 9))
    if any("denominator" in row.extra for row in table.rows):
        columns.append(Column("denominator", "Base de la part (victimes)", "count", 13))
    if any("respondents" in row.extra for row in table.rows):
        columns.append(Column("respondents", "Associations répondantes", "count", 13))
    if table.id == "MAP":
        columns += [Column(key, header, "share", 13) for key, header in MAP_FORM_HEADERS.items()]
        columns.append(Column("main_countries", "Principaux pays d'origine", "text", 40))
    return columns


def tables_json(tables: Mapping[str, Table]) -> str:
    """Every table, keyed by id, in the "Tables as JSON" shape of questionnaire.md."""
    return json.dumps(
        {id: table.as_json() for id, table in tables.items()}, ensure_ascii=False, indent=2
    )


def tables_workbook(
    campaign: Campaign,
    tables: dict[str, Table] | None = None,
    *,
    publication: bool = False,
    threshold: int | None = None,
) -> bytes:
    """The workbook of the campaign's tables (all of them by default).

    `publication` hides small counts (fewer victims than `threshold`, by default the
    SMALL_COUNT_THRESHOLD setting) and the cells that would give them away.
    """
    if tables is None:
        tables = all_tables(campaign)
    if threshold is None:
        threshold = settings.SMALL_COUNT_THRESHOLD
    hidden: list[HiddenCell] = []
    if publication:
        protected, hidden = protect(tables, threshold)
    else:
        protected = {id: ProtectedTable(table, threshold) for id, table in tables.items()}
    context = _Context(
        campaign=campaign,
        mode=PUBLICATION if publication else INTERNAL,
        extracted=timezone.localtime().replace(tzinfo=None, microsecond=0),
        threshold=threshold,
        publication=publication,
    )

    workbook = Workbook()
    _cover(workbook.active, context, tables, len(hidden))
    for id, table in protected.items():
        _table_sheet(workbook.create_sheet(id), context, table)
    if publication:
        _hidden_sheet(workbook.create_sheet(HIDDEN_SHEET), context, protected, hidden)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class _Context:
    campaign: Campaign
    mode: str
    extracted: datetime.datetime
    threshold: int
    publication: bool

    @property
    def source(self) -> str:
        return (
            f"Source : Miprof, enquête {self.campaign.year} auprès des associations "
            f"(données {self.campaign.reference_year})."
        )

    @property
    def heading(self) -> str:
        return (
            f"Enquête {self.campaign.year} — victimes de traite des êtres humains "
            "accompagnées par les associations"
        )


# ----------------------------------------------------------------------------- cells


def _put(sheet: Worksheet, row: int, column: int, value) -> Cell:
    """Write a value; text is never read as a formula (see survey.cockpit.safe_text)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = TYPE_STRING
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _font(**attributes) -> Font:
    """Calibri (LibreOffice: Carlito, of the same metrics), 11 points unless said."""
    return Font(**{"name": "Calibri", "size": 11, **attributes})


def _lines(text: str, width: float, *, size: float = 11, bold: bool = False) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide (an
    estimate: neither Excel nor LibreOffice sizes the rows of merged cells)."""
    usable = width * 1.2 * 11 / size * (0.88 if bold else 1.0) - 2
    usable = max(usable, 6)
    lines = 0
    for part in str(text).split("\n"):
        # Words are not cut: count line by line.
        count, length = 1, 0
        for word in part.split(" "):
            if length and length + 1 + len(word) > usable:
                count, length = count + 1, len(word)
            else:
                length += len(word) + (1 if length else 0)
        lines += count
    return lines


def _paragraph(sheet: Worksheet, row: int, text: str, width: int, total: float, **font) -> Cell:
    """A wrapped text over the first `width` columns, its row as high as it needs."""
    cell = _put(sheet, row, 1, text)
    cell.alignment = WRAP
    if font:
        cell.font = _font(**font)
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    size = font.get("size", 11)
    lines = _lines(text, total, size=size, bold=font.get("bold", False))
    sheet.row_dimensions[row].height = lines * LINE_HEIGHT * size / 11 + 2
    return cell


def _landscape(width: float) -> bool:
    """A sheet `width` characters wide is printed in landscape."""
    return width > 100


def _page_height(columns: list["Column"]) -> float:
    """How many points of the sheet one page prints, the sheet fitted to the page's width."""
    width = sum(column.width for column in columns)
    page_width, page_height = LANDSCAPE_PAGE if _landscape(width) else PORTRAIT_PAGE
    # A character of width is 7 pixels, plus 5 of margin per column; 4 pixels = 3 points.
    sheet_width = sum(column.width * 7 + 5 for column in columns) * 0.75
    return page_height / min(1.0, page_width / sheet_width)


def _page_setup(sheet: Worksheet, context: _Context, width: float, title_rows: str | None):
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if _landscape(width) else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75
    if title_rows:
        sheet.print_title_rows = title_rows
    campaign = context.campaign
    header, footer = sheet.oddHeader, sheet.oddFooter
    header.left.text = f"Miprof — enquête {campaign.year} (données {campaign.reference_year})"
    header.right.text = context.mode
    footer.left.text = f"Extraction du {context.extracted:%d/%m/%Y à %H:%M}"
    footer.center.text = "Page &P sur &N"
    footer.right.text = "&A"  # the sheet's name
    for part in (header.left, header.right, footer.left, footer.center, footer.right):
        part.size = 8


# ------------------------------------------------------------------------ the cover


def _cover(sheet: Worksheet, context: _Context, tables: Mapping[str, Table], hidden: int):
    sheet.title = COVER
    campaign = context.campaign
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 68
    total = 98.0
    _paragraph(sheet, 1, context.heading, 2, total, bold=True, size=14, color=BLUE)

    if "F1" in tables:
        respondents = tables["F1"].respondents
    else:
        respondents = Submission.objects.filter(
            campaign=campaign, status=Submission.Status.VALIDATED
        ).count()
    facts: list[tuple[str, object, str | None]] = [
        ("Campagne", f"Enquête {campaign.year}", None),
        ("Année de référence", campaign.reference_year, "0"),
        ("Associations répondantes", respondents, COUNT_FORMAT),
        ("Date et heure d'extraction", context.extracted, DATETIME_FORMAT),
        ("Mode", context.mode, None),
    ]
    if context.publication:
        facts += [
            ("Seuil des petits effectifs", context.threshold, COUNT_FORMAT),
            ("Cellules masquées", hidden, COUNT_FORMAT),
        ]
    row = 3
    for label, value, number_format in facts:
        _put(sheet, row, 1, label).font = _font(bold=True)
        cell = _put(sheet, row, 2, value)
        cell.alignment = Alignment(horizontal="left")
        if number_format:
            cell.number_format = number_format
        row += 1

    row += 1
    _put(sheet, row, 1, "Méthodologie").font = _font(bold=True, size=12, color=BLUE)
    row += 1
    notes = [*METHODOLOGY, NOTE]
    if context.publication:
        notes.append(_publication_note(context.threshold))
    for note in notes:
        _paragraph(sheet, row, f"• {note}", 2, total)
        row += 1
    _paragraph(sheet, row, context.source, 2, total, italic=True)

    row += 2
    _put(sheet, row, 1, "Tableaux").font = _font(bold=True, size=12, color=BLUE)
    row += 1
    for id, table in tables.items():
        link = _put(sheet, row, 1, id)
        link.hyperlink = f"#'{id}'!A1"
        link.font = _font(color=BLUE, underline="single")
        link.alignment = Alignment(vertical="top")
        title = _put(sheet, row, 2, table.title)
        title.alignment = WRAP
        sheet.row_dimensions[row].height = _lines(table.title, 68) * LINE_HEIGHT
        row += 1
    _page_setup(sheet, context, total, None)


def _publication_note(threshold: int) -> str:
    return (
        f"Publication : un nombre de victimes compris entre 1 et {threshold - 1} est remplacé "
        f"par « < {threshold} » et sa part n'est pas affichée ; d'autres cellules sont "
        "masquées (« masqué ») pour qu'aucune ne puisse être recalculée à partir des totaux. "
        f"La feuille « {HIDDEN_SHEET} » les liste."
    )


# ------------------------------------------------------------------- a table's sheet


def _shown(protected: ProtectedTable, row: Row, column: Column):
    """What the cell of `row` shows in `column`: a number, a text, or nothing."""
    key = column.key
    if key == "label":
        return row.label
    if key == "main_countries":  # in publication, without the countries of few victims
        return ", ".join(country_name(code) for code in protected.countries(row)) or None
    if protected.is_hidden(row.key, key):
        return protected.mask(row.key, key)
    if key == "count":
        value = row.count
    elif key == "share":
        value = row.share
    else:
        value = row.extra.get(key)
    if column.kind in ("share", "evolution") and isinstance(value, int):
        return value / 100  # 69 → 0.69, shown "69 %"
    return value


def _table_sheet(sheet: Worksheet, context: _Context, protected: ProtectedTable) -> None:
    table = protected.table
    columns = table_columns(table)
    width = len(columns)
    total = sum(column.width for column in columns)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    _paragraph(sheet, TITLE_ROW, table.title, width, total, bold=True, size=12, color=BLUE)
    campaign = context.campaign
    _paragraph(
        sheet,
        INFO_ROW,
        f"Tableau {table.id} — enquête {campaign.year} (données {campaign.reference_year})"
        f" — {context.mode}",
        width,
        total,
        italic=True,
        size=9,
        color="666666",
    )

    header_lines = 1
    for index, column in enumerate(columns, start=1):
        cell = _put(sheet, HEADER_ROW, index, column.header)
        cell.font = _font(bold=True, color=BLUE)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(
            wrap_text=True,
            vertical="center",
            horizontal="left" if column.kind in ("label", "text") else "center",
        )
        header_lines = max(header_lines, _lines(column.header, column.width, bold=True))
    sheet.row_dimensions[HEADER_ROW].height = header_lines * LINE_HEIGHT + 4

    for offset, row in enumerate(table.rows):
        number = FIRST_ROW + offset
        lines = 1
        for index, column in enumerate(columns, start=1):
            value = _shown(protected, row, column)
            cell = _put(sheet, number, index, value)
            cell.border = BORDER
            if column.kind == "count":
                cell.number_format = COUNT_FORMAT
                cell.alignment = Alignment(horizontal="right", vertical="top")
            elif column.kind in ("share", "evolution"):
                share = column.kind == "share"
                cell.number_format = PERCENT_FORMAT if share else EVOLUTION_FORMAT
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                indent = 2 if column.kind == "label" and row.label.lower().startswith("dont") else 0
                cell.alignment = Alignment(
                    wrap_text=True, vertical="top", horizontal="left", indent=indent
                )
                if isinstance(value, str):
                    lines = max(lines, _lines(value, column.width - indent))
            if row.key == "total":
                cell.font = _font(bold=True)
        if lines > 1:
            sheet.row_dimensions[number].height = lines * LINE_HEIGHT

    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=2).coordinate
    row = FIRST_ROW + len(table.rows) + 1
    for text in _notes(context, protected):
        _paragraph(sheet, row, text, width, total, size=10)
        row += 1
    row = _chart(sheet, context, protected, columns, row + 1)
    _page_setup(sheet, context, total, f"{HEADER_ROW}:{HEADER_ROW}")


def _notes(context: _Context, protected: ProtectedTable) -> list[str]:
    table = protected.table
    respondents = table.respondents
    covered = protected.covered()
    associations = f"{fr_number(respondents)} association{'s' if respondents > 1 else ''}"
    associations += f" répondante{'s' if respondents > 1 else ''}"
    if isinstance(covered, int):
        victims = f"{fr_number(covered)} victime{'s' if covered > 1 else ''}"
    elif covered.startswith("<"):
        victims = f"{covered} victimes"
    else:
        victims = "nombre de victimes masqué"
    notes = [
        f"Lecture : {protected.reading}",
        f"Champ : {associations}, {victims}.",
        context.source,
    ]
    if table.note:
        notes.append(table.note)
    if any("denominator" in row.extra for row in table.rows):
        notes.append(
            "Chaque part est calculée sur sa base (victimes des associations ayant répondu "
            "à la question) ; « Associations répondantes » : celles dont elle reprend les "
            "réponses."
        )
    if table.id == "MAP" and "distinct_countries" in table.extra:
        count = table.extra["distinct_countries"]
        notes.append(
            "Les parts par forme d'exploitation sont celles des victimes de la région. "
            f"Les victimes de nationalité étrangère sont originaires de {count} pays."
        )
    if any(column == "main_countries" for _row, column in protected.hidden):
        notes.append(
            f"Les pays de moins de {context.threshold} victimes ne sont pas cités parmi les "
            "principaux pays d'origine."
        )
    if protected.hidden:
        notes.append(_publication_note(context.threshold))
    return notes


def _chart(
    sheet: Worksheet,
    context: _Context,
    protected: ProtectedTable,
    columns: list[Column],
    row: int,
) -> int:
    """The table's chart below its notes (from the chart rows); the next free row."""
    table = protected.table
    if table.chart is None:
        return row
    keys = list(table.chart_keys) or [r.key for r in table.rows]
    rows = [r for r in table.rows if r.key in keys]
    rows.sort(key=lambda r: keys.index(r.key))
    value_key = "count" if table.chart == "map" else "share"
    positions = {column.key: index for index, column in enumerate(columns, start=1)}
    if value_key not in positions or not rows:
        return row
    if any(protected.is_hidden(r.key, value_key) for r in rows):
        _paragraph(
            sheet,
            row,
            "Graphique non reproduit : une de ses valeurs est masquée.",
            len(columns),
            sum(column.width for column in columns),
            italic=True,
            size=10,
        )
        return row + 1
    if not any(getattr(r, value_key) for r in rows):
        return row  # nothing to draw (no victim)

    indices = [table.rows.index(r) for r in rows]
    if indices == list(range(indices[0], indices[0] + len(indices))):
        # The chart's rows follow each other in the table: it reads them there.
        first, last = FIRST_ROW + indices[0], FIRST_ROW + indices[-1]
        label_column, value_column = 1, positions[value_key]
    else:
        # Otherwise from a copy of them, under the table, in plain sight.
        _put(sheet, row, 1, "Données du graphique").font = _font(bold=True)
        first = row + 1
        for offset, r in enumerate(rows):
            _put(sheet, first + offset, 1, r.label)
            value = getattr(r, value_key)
            cell = _put(sheet, first + offset, 2, value / 100 if value_key == "share" else value)
            cell.number_format = PERCENT_FORMAT if value_key == "share" else COUNT_FORMAT
        last = first + len(rows) - 1
        label_column, value_column = 1, 2
        row = last + 2

    labels = Reference(sheet, min_col=label_column, min_row=first, max_row=last)
    values = Reference(sheet, min_col=value_column, min_row=first, max_row=last)
    if table.chart == "pie":
        chart = PieChart()
        chart.width, chart.height = 15, 8
        chart.legend.position = "r"
    else:
        chart = BarChart()
        chart.type = "bar" if table.chart == "map" else "col"
        chart.legend = None
        chart.width = 18
        chart.height = max(8, 0.8 * len(rows) + 2)
        chart.gapWidth = 60
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.majorGridlines = None
        chart.y_axis.number_format = COUNT_FORMAT if value_key == "count" else PERCENT_FORMAT
        if chart.type == "bar":
            chart.x_axis.scaling.orientation = "maxMin"  # the table's order, top down
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    series = chart.series[0]
    series.tx = SeriesLabel(v=next(c.header for c in columns if c.key == value_key))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    for flag in ("showLegendKey", "showCatName", "showSerName", "showPercent"):
        setattr(chart.dataLabels, flag, False)
    # A chart is never cut by a page: it starts a page if it does not fit under the table.
    above = sum(sheet.row_dimensions[number].height or LINE_HEIGHT for number in range(1, row))
    page = _page_height(columns)
    position = above % page  # where the chart would start on its page, estimated
    if position < 40 or position + chart.height * 28.35 > page - 10:
        sheet.row_breaks.append(Break(id=row - 1))
    sheet.add_chart(chart, f"A{row}")
    return row + math.ceil(chart.height / 0.53)  # rows of 15 points (0.53 cm)


# ------------------------------------------------------------------ the hidden cells


def _hidden_sheet(
    sheet: Worksheet,
    context: _Context,
    protected: Mapping[str, ProtectedTable],
    hidden: list[HiddenCell],
) -> None:
    widths = (10, 48, 30, 70)
    total = float(sum(widths))
    _paragraph(
        sheet,
        TITLE_ROW,
        f"Cellules masquées en publication (seuil : {context.threshold} victimes)",
        len(widths),
        total,
        bold=True,
        size=12,
        color=BLUE,
    )
    _paragraph(sheet, INFO_ROW, _publication_note(context.threshold), len(widths), total, size=9)
    for index, (header, width) in enumerate(
        zip(("Tableau", "Ligne", "Colonne", "Motif"), widths, strict=True), start=1
    ):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = _put(sheet, HEADER_ROW, index, header)
        cell.font = _font(bold=True, color=BLUE)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for number, item in enumerate(hidden, start=FIRST_ROW):
        table = protected[item.table].table
        headers = {column.key: column.header for column in table_columns(table)}
        if (item.row, item.column) == COVERED:
            row_label, column_label = "(champ du tableau)", "Victimes couvertes"
        else:
            row_label = next(r.label for r in table.rows if r.key == item.row)
            column_label = headers.get(item.column, item.column)
            if item.column == "main_countries":
                column_label += f" (pays de moins de {context.threshold} victimes non cités)"
        values = (item.table, row_label, column_label, item.reason)
        lines = 1
        for index, value in enumerate(values, start=1):
            cell = _put(sheet, number, index, value)
            cell.border = BORDER
            cell.alignment = WRAP
            lines = max(lines, _lines(value, widths[index - 1]))
        sheet.row_dimensions[number].height = lines * LINE_HEIGHT
    if not hidden:
        _put(sheet, FIRST_ROW, 1, "Aucune cellule masquée.")
    sheet.freeze_panes = f"A{FIRST_ROW}"
    _page_setup(sheet, context, total, f"{HEADER_ROW}:{HEADER_ROW}")
