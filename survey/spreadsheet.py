"""The questionnaire as an Excel workbook: download it pre-filled, fill it offline, upload it.

The layout is data (`sheet_layouts`): which cell holds which label and which answer
(form, field), for every sheet. The writer (`questionnaire_workbook`) and the reader
(`workbook_read`) both walk it, so a cell means the same thing both ways, and a message
about an answer can name its sheet and cell (`Genre!C7`).

An uploaded file is judged whole before anything is written:

1. `package_check`: the bytes are a plain .xlsx (a zip with Excel's content types) of
   MAX_UPLOAD_BYTES at most, that does not inflate past a sane size or ratio, with no
   macro (vbaProject.bin), no DTD, not encrypted (an encrypted or legacy .xls file is an
   OLE compound file).
2. `workbook_read`: the workbook is this campaign's and this association's template
   (hidden "Identification" sheet), with its sheets and labels as written, and every
   answer cell holds a whole number 0..MAX_COUNT (no text, decimal, formula) or, for the
   countries, a known country.

Any of these refuses the file (`SpreadsheetRefused`, French messages naming the sheet and
the cell). The questionnaire's rules are not run here: the caller runs survey/checks.py
on the answers read, as the web forms do, and a draft may be saved with them unmet.
Applying goes through the same services as the web questionnaire (`spreadsheet_apply`).
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import services
from .checks import (
    ACCOMPANIED,
    DETECTED,
    ORIGIN_COUNTRIES,
    RULES,
    Problem,
    field_label,
    number,
)
from .cockpit import safe_text
from .forms import CountField
from .geography import countries_in_french, country_code, country_name
from .models import Association, Campaign, FormAnswer, Submission
from .questionnaire import (
    FORM_LABELS,
    FORMS,
    GROUPS,
    MAX_COUNT,
    ORIGIN_UNKNOWN,
    OTHER_LABEL_PROMPT,
    PART1_FIELDS,
    SECTION_OF_FIELD,
    SECTIONS,
    SUBMISSION_COUNT_FIELDS,
    Section,
)

TEMPLATE = "questionnaire-miprof"
# Bump when the layout changes: a file of an older layout is refused, not misread.
TEMPLATE_VERSION = 1

MAX_UPLOAD_MEGABYTES = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MEGABYTES * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # the whole package, inflated
MAX_RATIO = 100  # inflated / compressed, for any entry above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ENTRIES = 1000
MARGIN = 50  # rows and columns around a sheet's layout read to find stray values
MAX_MESSAGES = 50  # a refused file lists this many problems, then says how many more
OTHER_LABEL_MAX = FormAnswer._meta.get_field("other_label").max_length
# The comment has no limit online (a text field): a cell's own limit is the only one.
# A country is chosen from the list: text past this length is not a country name.
COUNTRY_TEXT_MAX = 200

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

# --- Layout -------------------------------------------------------------------------------

INSTRUCTIONS = "Instructions"
IDENTIFICATION = "Identification"  # hidden: template, campaign, association
COUNTRIES = "Pays"  # hidden: the list of country names the origin sheet offers

# Sheet names (31 characters at most), short enough to read in a message: `Genre!C7`.
SHEET_NAMES: dict[str, str] = {
    "victimes": "Victimes",
    "lieu": "Lieu",
    "genre": "Genre",
    "age": "Âge",
    "origine": "Origine",
    "age_at_start": "Âge au début",
    "unaccompanied_minors": "MNA",
    "vulnerabilities": "Vulnérabilités",
    "control": "Emprise",
    "link": "Lien exploiteur",
    "referral": "Orientation",
    "support_duration": "Durée accompagnement",
    "residence": "Séjour",
    "complaints": "Plaintes",
    "court": "Suites judiciaires",
    "employment": "Insertion",
    "double_counting": "Doubles comptes",
    "complements": "Compléments",
}

TITLE_ROW, HINT_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 4, 5
LABEL_COLUMN = 1
FORM_COLUMN: dict[str, int] = {form: 2 + index for index, form in enumerate(FORMS)}
ORIGIN_ROWS_MIN = 40  # country rows offered, at least…
ORIGIN_ROWS_SPARE = 20  # …and this many empty ones after the draft's countries

TOTAL = "Total"
ACCOMPANIED_LABEL = "Victimes accompagnées"
CHECK_LABEL = "Contrôle"
UNKNOWN_LABEL = "Non précisé"


@dataclass(frozen=True)
class InputCell:
    """A cell the user fills: a count, a text, or (origin) a country."""

    kind: str  # "count", "text", "country" or "origin" (a count for the row's country)
    field: str  # a field code; "origin" for per-country counts; "country" for names
    form: str | None = None  # None: asked once per submission


@dataclass
class SheetLayout:
    name: str
    section: Section
    labels: dict[str, str] = field(default_factory=dict)  # "A5": "femmes (cisgenres)"
    inputs: dict[str, InputCell] = field(default_factory=dict)  # "C7": InputCell
    # Origin only: the rows where a country is chosen, each with its counts.
    country_rows: tuple[int, ...] = ()
    # Rows computed by formulas: (row, TOTAL, ACCOMPANIED_LABEL or CHECK_LABEL).
    formula_rows: list[tuple[int, str]] = field(default_factory=list)
    # The visible check: (its row, row of the left side, row of the right side, relation).
    check: tuple[int, int, int, str] | None = None
    max_row: int = 0
    max_column: int = 1 + len(FORMS)

    def cell_of(self, form: str | None, name: str) -> str | None:
        for ref, cell in self.inputs.items():
            if cell.form == form and cell.field == name:
                return ref
        return None


def _ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def _sum_relation(section: Section) -> str | None:
    """How the section's total compares with the accompanied victims, read from the rules."""
    if section.kind == "origin":
        targets = {ORIGIN_UNKNOWN}
    elif len(section.groups) == 1:
        targets = set(GROUPS[section.groups[0]].fields)
    else:
        return None
    for rule in RULES:
        fields = set(rule.left.fields) - {ORIGIN_COUNTRIES}
        if fields == targets and rule.right == ACCOMPANIED and len(rule.left.fields) > 1:
            return rule.relation
    return None


def _accompanied_rule() -> str:
    (rule,) = (rule for rule in RULES if (rule.left, rule.right) == (ACCOMPANIED, DETECTED))
    return rule.relation


def _grid_layout(section: Section, name: str) -> SheetLayout:
    layout = SheetLayout(name, section)
    layout.labels[_ref(HEADER_ROW, LABEL_COLUMN)] = "Catégorie"
    for form, column in FORM_COLUMN.items():
        layout.labels[_ref(HEADER_ROW, column)] = FORM_LABELS[form]
    row = FIRST_ROW
    for name_ in section.fields:
        layout.labels[_ref(row, LABEL_COLUMN)] = capfirst(field_label(name_))
        for form, column in FORM_COLUMN.items():
            layout.inputs[_ref(row, column)] = InputCell("count", name_, form)
        row += 1
    _add_checks(layout, section, FIRST_ROW, row)
    if section.slug == "victimes":
        row = layout.max_row + 2
        layout.labels[_ref(row, LABEL_COLUMN)] = OTHER_LABEL_PROMPT
        layout.inputs[_ref(row, 2)] = InputCell("text", "other_label", "other")
        layout.max_row = row
    return layout


def _add_checks(layout: SheetLayout, section: Section, first: int, row: int) -> None:
    """Total, accompanied victims and a visible check, where a rule ties them."""
    relation = _sum_relation(section)
    if section.slug == "victimes":
        # accompanied <= detected: the two rows just written.
        layout.labels[_ref(row, LABEL_COLUMN)] = CHECK_LABEL
        layout.formula_rows.append((row, CHECK_LABEL))
        layout.check = (row, first + 1, first, _accompanied_rule())
        layout.max_row = row
        return
    if relation is None:
        layout.labels[_ref(row, LABEL_COLUMN)] = f"{ACCOMPANIED_LABEL} (pour mémoire)"
        layout.formula_rows.append((row, ACCOMPANIED_LABEL))
        layout.max_row = row
        return
    layout.labels[_ref(row, LABEL_COLUMN)] = TOTAL
    layout.formula_rows.append((row, TOTAL))
    wanted = "le total doit être égal" if relation == "==" else "le total ne peut pas dépasser"
    layout.labels[_ref(row + 1, LABEL_COLUMN)] = f"{ACCOMPANIED_LABEL} ({wanted})"
    layout.formula_rows.append((row + 1, ACCOMPANIED_LABEL))
    layout.labels[_ref(row + 2, LABEL_COLUMN)] = CHECK_LABEL
    layout.formula_rows.append((row + 2, CHECK_LABEL))
    layout.check = (row + 2, row, row + 1, relation)
    layout.max_row = row + 2


def _origin_layout(section: Section, name: str, origin_rows: int) -> SheetLayout:
    layout = SheetLayout(name, section)
    layout.labels[_ref(HEADER_ROW, LABEL_COLUMN)] = "Pays (nationalité)"
    for form, column in FORM_COLUMN.items():
        layout.labels[_ref(HEADER_ROW, column)] = FORM_LABELS[form]
    rows = tuple(range(FIRST_ROW, FIRST_ROW + origin_rows))
    layout.country_rows = rows
    for row in rows:
        layout.inputs[_ref(row, LABEL_COLUMN)] = InputCell("country", "country")
        for form, column in FORM_COLUMN.items():
            layout.inputs[_ref(row, column)] = InputCell("origin", "origin", form)
    unknown = FIRST_ROW + origin_rows
    layout.labels[_ref(unknown, LABEL_COLUMN)] = UNKNOWN_LABEL
    for form, column in FORM_COLUMN.items():
        layout.inputs[_ref(unknown, column)] = InputCell("count", ORIGIN_UNKNOWN, form)
    _add_checks(layout, section, FIRST_ROW, unknown + 1)
    return layout


def _complements_layout(section: Section, name: str) -> SheetLayout:
    layout = SheetLayout(name, section, max_column=2)
    layout.labels[_ref(HEADER_ROW, 1)] = "Question"
    layout.labels[_ref(HEADER_ROW, 2)] = "Réponse"
    row = FIRST_ROW
    for name_ in (*SUBMISSION_COUNT_FIELDS, "comment"):
        layout.labels[_ref(row, 1)] = capfirst(field_label(name_))
        kind = "text" if name_ == "comment" else "count"
        layout.inputs[_ref(row, 2)] = InputCell(kind, name_)
        row += 1
    layout.max_row = row - 1
    return layout


def sheet_layouts(origin_rows: int = ORIGIN_ROWS_MIN) -> list[SheetLayout]:
    """Every answer sheet, in the order of the web questionnaire (the profile aside)."""
    layouts = []
    for section in SECTIONS:
        name = SHEET_NAMES.get(section.slug)
        if name is None:
            continue  # the association's profile is not part of the answers
        if section.kind == "grid":
            layouts.append(_grid_layout(section, name))
        elif section.kind == "origin":
            layouts.append(_origin_layout(section, name, origin_rows))
        else:
            layouts.append(_complements_layout(section, name))
    return layouts


def sheet_names() -> list[str]:
    return [INSTRUCTIONS, *SHEET_NAMES.values(), IDENTIFICATION, COUNTRIES]


def origin_rows_for(data: dict) -> int:
    countries = {code for form in FORMS for code in data["forms"][form]["origin"]}
    return max(ORIGIN_ROWS_MIN, len(countries) + ORIGIN_ROWS_SPARE)


# --- Writing ------------------------------------------------------------------------------

BLUE = "000091"  # DSFR "bleu France"
INPUT_FILL = PatternFill("solid", fgColor="FFF6D5")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
TOTAL_FILL = PatternFill("solid", fgColor="EEEEEE")
ERROR_FILL = PatternFill("solid", fgColor="FFD6D6")
ERROR_FONT = Font(bold=True, color="B30000")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
COUNT_FORMAT = "#,##0"
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def _set_text(sheet: Worksheet, ref: str, value: str) -> None:
    """A text cell shown as written, never run as a formula (an association's text)."""
    safe = safe_text(sheet, value)
    cell = sheet[ref]
    # The value first: setting it guesses a type, that of `safe` (text) then wins.
    cell.value, cell.data_type, cell.quotePrefix = safe.value, safe.data_type, safe.quotePrefix


def questionnaire_workbook(
    *, association: Association, campaign: Campaign, data: dict, version: int
) -> bytes:
    """The campaign's questionnaire as an .xlsx, pre-filled with `data` (to_data() shape)."""
    origin_rows = origin_rows_for(data)
    layouts = sheet_layouts(origin_rows)
    book = Workbook()
    instructions = book.active
    instructions.title = INSTRUCTIONS
    _write_instructions(instructions, association, campaign, layouts)
    by_slug = {layout.section.slug: layout for layout in layouts}
    for layout in layouts:
        sheet = book.create_sheet(layout.name)
        _write_sheet(sheet, layout, by_slug, campaign, data)
    _write_identification(
        book.create_sheet(IDENTIFICATION), association, campaign, version, origin_rows
    )
    countries = book.create_sheet(COUNTRIES)
    for row, (_, name) in enumerate(countries_in_french(), start=1):
        countries.cell(row, 1, name)
    countries.sheet_state = "hidden"
    countries.protection.sheet = True
    # Sheets cannot be renamed, moved, added or removed: the upload relies on their names.
    book.security = WorkbookProtection(lockStructure=True)
    book.active = 0
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _write_instructions(
    sheet: Worksheet, association: Association, campaign: Campaign, layouts: list[SheetLayout]
) -> None:
    lines: list[tuple[str, str]] = [
        ("title", f"{campaign} — questionnaire à remplir hors ligne"),
        ("", f"Association : {association.name} ({association.identifier})"),
        ("", f"Les chiffres portent sur l'année {campaign.reference_year}."),
        ("", ""),
        ("heading", "Comment remplir ce fichier"),
        ("", "1. Remplissez les cases sur fond jaune de chaque feuille (une feuille par section)."),
        (
            "",
            f"2. Saisissez des nombres entiers de victimes, entre 0 et {number(MAX_COUNT)} : "
            "ni texte, ni décimale, ni formule dans les cases à remplir.",
        ),
        (
            "",
            "3. Partie 1 (Victimes, Lieu, Genre, Âge, Origine) : obligatoire ; une case vide "
            "compte 0.",
        ),
        (
            "",
            "4. Partie 2 (les feuilles suivantes) : facultative ; laissez vide ce que vous ne "
            "savez pas : une case vide n'est pas un zéro.",
        ),
        (
            "",
            "5. Origine : choisissez chaque pays dans la liste de la colonne A (nom français), "
            "un pays par ligne ; des lignes vides sont prévues pour en ajouter.",
        ),
        (
            "",
            "6. Les lignes « Total » et « Contrôle » se calculent seules : « Écart » ou "
            "« Dépasse » signale un total à revoir.",
        ),
        (
            "",
            "7. Ne renommez pas, ne déplacez pas et ne supprimez pas les feuilles, "
            "les lignes ou les libellés : le fichier serait refusé.",
        ),
        (
            "",
            "8. N'écrivez rien qui permette d'identifier une victime (nom, date de naissance, "
            "adresse, téléphone…).",
        ),
        ("", ""),
        ("heading", "Importer le fichier rempli"),
        (
            "",
            "Sur le service en ligne, dans l'espace de votre association : « Importer un "
            "questionnaire rempli ». Vous verrez chaque changement, et chaque erreur avec sa "
            "feuille et sa cellule, avant de confirmer. L'import remplace votre brouillon ; "
            "la transmission à la Miprof se fait ensuite en ligne.",
        ),
        ("", ""),
        ("heading", "Feuilles"),
        *(("", f"{layout.name} : {layout.section.title}") for layout in layouts),
    ]
    sheet.column_dimensions["A"].width = 100
    for row, (style, text) in enumerate(lines, start=1):
        _set_text(sheet, f"A{row}", text)
        cell = sheet[f"A{row}"]
        cell.alignment = WRAP
        # Spreadsheets do not grow a wrapped row by themselves when the file is opened.
        sheet.row_dimensions[row].height = 15 * max(1, -(-len(text) // 95))
        if style == "title":
            cell.font = Font(bold=True, size=14, color=BLUE)
        elif style == "heading":
            cell.font = Font(bold=True, size=12)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True


def _write_identification(
    sheet: Worksheet, association: Association, campaign: Campaign, version: int, rows: int
) -> None:
    values = [
        ("template", TEMPLATE),
        ("template_version", TEMPLATE_VERSION),
        ("campaign", campaign.year),
        ("association", association.identifier),
        ("association_name", association.name),
        ("answers_version", version),
        ("origin_rows", rows),
        ("downloaded_at", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for row, (key, value) in enumerate(values, start=1):
        sheet.cell(row, 1, key)
        if isinstance(value, str):
            _set_text(sheet, f"B{row}", value)
        else:
            sheet.cell(row, 2, value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def _write_sheet(
    sheet: Worksheet,
    layout: SheetLayout,
    by_slug: dict[str, SheetLayout],
    campaign: Campaign,
    data: dict,
) -> None:
    section = layout.section
    sheet[_ref(TITLE_ROW, 1)] = section.title
    sheet[_ref(TITLE_ROW, 1)].font = Font(bold=True, size=14, color=BLUE)
    if section.kind == "submission":
        hint = "Facultatif. Le commentaire ne doit rien contenir qui identifie une personne."
    elif section.part == 1:
        hint = (
            f"Nombre de victimes accompagnées en {campaign.reference_year}, par forme "
            "d'exploitation. Une case vide compte 0."
        )
    else:
        hint = (
            "Facultatif : laissez vide ce que vous ne savez pas (une case vide n'est pas un zéro)."
        )
    if section.slug == "victimes":
        hint = f"Victimes repérées en {campaign.reference_year}, et parmi elles accompagnées."
    if section.kind == "origin":
        hint = (
            "Un pays par ligne, choisi dans la liste (nom français) ; des lignes vides "
            "permettent d'en ajouter. Pays inconnu : ligne « Non précisé »."
        )
    sheet[_ref(HINT_ROW, 1)] = hint
    sheet[_ref(HINT_ROW, 1)].font = Font(italic=True, color="555555")

    sheet.column_dimensions["A"].width = 60
    for column in range(2, layout.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = (
            80 if section.kind == "submission" else 20
        )
    sheet.row_dimensions[HEADER_ROW].height = 48

    for ref, text in layout.labels.items():
        _set_text(sheet, ref, text)
        cell = sheet[ref]
        cell.border = BORDER
        cell.alignment = WRAP
        if cell.row == HEADER_ROW:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL

    countries = []
    if section.kind == "origin":
        countries = sorted(
            {code for form in FORMS for code in data["forms"][form]["origin"]}, key=country_name
        )
    country_of_row = dict(zip(layout.country_rows, countries, strict=False))

    counts, texts, country_cells = [], [], []
    for ref, cell_def in layout.inputs.items():
        cell = sheet[ref]
        cell.fill = INPUT_FILL
        cell.border = BORDER
        cell.protection = UNLOCKED
        value = _stored_value(cell_def, data, country_of_row.get(cell.row))
        if cell_def.kind in ("count", "origin"):
            cell.number_format = COUNT_FORMAT
            cell.value = value
            counts.append(ref)
        elif cell_def.kind == "country":
            if value:
                _set_text(sheet, ref, value)
            country_cells.append(ref)
        else:
            if value:
                _set_text(sheet, ref, value)
            cell.alignment = WRAP
            texts.append(ref)
    if section.slug == "complements":
        sheet.row_dimensions[layout.max_row].height = 120

    _write_formulas(sheet, layout, by_slug)
    _add_validations(sheet, counts, texts, country_cells, layout)
    sheet.freeze_panes = _ref(FIRST_ROW, 2)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True
    # Members may widen a column or a row to read; not insert or delete any.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _stored_value(cell: InputCell, data: dict, country: str | None) -> Any:
    if cell.kind == "country":
        return country_name(country) if country else None
    if cell.kind == "origin":
        return data["forms"][cell.form]["origin"].get(country) if country else None
    if cell.form is None:
        return data.get(cell.field)
    return data["forms"][cell.form][cell.field]


def _write_formulas(sheet: Worksheet, layout: SheetLayout, by_slug: dict) -> None:
    victims = by_slug["victimes"]
    accompanied_row = next(
        int(ref[1:]) for ref, c in victims.inputs.items() if c.field == "accompanied"
    )
    for row, kind in layout.formula_rows:
        for column in FORM_COLUMN.values():
            letter = get_column_letter(column)
            cell = sheet.cell(row, column)
            if kind == TOTAL:
                cell.value = f"=SUM({letter}{FIRST_ROW}:{letter}{row - 1})"
            elif kind == ACCOMPANIED_LABEL:
                cell.value = f"='{victims.name}'!{letter}{accompanied_row}"
            else:
                _, left, right, relation = layout.check
                ok = (
                    f"{letter}{left}={letter}{right}"
                    if relation == "=="
                    else (f"{letter}{left}<={letter}{right}")
                )
                bad = "Écart" if relation == "==" else "Dépasse"
                cell.value = f'=IF({ok},"OK","{bad}")'
            cell.number_format = COUNT_FORMAT
            cell.fill = TOTAL_FILL
            cell.border = BORDER
            cell.font = Font(bold=kind != ACCOMPANIED_LABEL)
            cell.alignment = Alignment(horizontal="right")
        label = sheet.cell(row, LABEL_COLUMN)
        label.fill = TOTAL_FILL
        label.font = Font(bold=kind != ACCOMPANIED_LABEL)
    if layout.check is not None:
        check_row, left, right, relation = layout.check
        first, last = get_column_letter(2), get_column_letter(1 + len(FORMS))
        broken = f"B{left}<>B{right}" if relation == "==" else f"B{left}>B{right}"
        for row in (left, check_row):
            sheet.conditional_formatting.add(
                f"{first}{row}:{last}{row}",
                FormulaRule(formula=[broken], fill=ERROR_FILL, font=ERROR_FONT),
            )


def _add_validations(
    sheet: Worksheet, counts: list[str], texts: list[str], countries: list[str], layout
) -> None:
    if counts:
        whole = DataValidation(
            type="whole",
            operator="between",
            formula1="0",
            formula2=str(MAX_COUNT),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Nombre entier attendu",
            error=f"Saisissez un nombre entier de victimes, entre 0 et {number(MAX_COUNT)}.",
            showInputMessage=False,
        )
        sheet.add_data_validation(whole)
        for ref in counts:
            whole.add(ref)
    if countries:
        listed = DataValidation(
            type="list",
            formula1=f"{COUNTRIES}!$A$1:$A${len(countries_in_french())}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Pays inconnu",
            error="Choisissez le pays dans la liste (nom français).",
        )
        sheet.add_data_validation(listed)
        for ref in countries:
            listed.add(ref)
    for ref in texts:
        if layout.inputs[ref].field == "comment":
            continue  # no limit online either
        length = DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(OTHER_LABEL_MAX),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Texte trop long",
            error=f"{number(OTHER_LABEL_MAX)} caractères au plus.",
        )
        sheet.add_data_validation(length)
        length.add(ref)


# --- Reading ------------------------------------------------------------------------------


class SpreadsheetRefused(Exception):
    """The file cannot be imported; `messages` say why, in French, with sheet and cell."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


@dataclass
class Reading:
    """What a valid workbook holds: answers in to_data() shape, and where they sit."""

    data: dict  # {"forms": {...}, "suspects_identified": …, "comment": …}
    origin_rows: dict[str, int]  # country code → its row on the origin sheet
    origin_row_count: int  # rows offered for countries (the layout of the origin sheet)
    downloaded_version: int  # the answers' version the template was made from

    def as_session(self) -> dict:
        """Only counts and two short texts: small enough for the session."""
        return {
            "data": self.data,
            "origin_rows": self.origin_rows,
            "origin_row_count": self.origin_row_count,
            "downloaded_version": self.downloaded_version,
        }

    @classmethod
    def from_session(cls, stored: dict) -> "Reading":
        return cls(
            stored["data"],
            stored["origin_rows"],
            stored["origin_row_count"],
            stored["downloaded_version"],
        )


def package_check(content: bytes, filename: str = "") -> None:
    """Refuse what is not a plain, sane .xlsx before any XML of it is parsed."""
    name = filename.lower()
    size_check(len(content))
    if content.startswith(OLE_MAGIC):
        raise SpreadsheetRefused(
            "Ce fichier est protégé par un mot de passe, ou enregistré dans l'ancien format "
            "Excel (.xls) : enregistrez-le au format .xlsx, sans mot de passe, puis importez-le "
            "à nouveau."
        )
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        raise SpreadsheetRefused(_MACRO_MESSAGE)
    if not content.startswith(ZIP_MAGIC) or not name.endswith(".xlsx"):
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE) from None
    if len(entries) > MAX_ENTRIES:
        raise SpreadsheetRefused(_BOMB_MESSAGE)
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise SpreadsheetRefused(
                "Ce fichier est chiffré (protégé par un mot de passe) : enregistrez-le sans mot "
                "de passe puis importez-le à nouveau."
            )
        if entry.filename.lower().endswith("vbaproject.bin"):
            raise SpreadsheetRefused(_MACRO_MESSAGE)
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise SpreadsheetRefused(_BOMB_MESSAGE)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE)
    try:
        for entry in entries:
            if not entry.filename.endswith((".xml", ".rels", ".vml")):
                continue
            # Sizes are enforced by zipfile as it inflates: at most what was declared.
            head = archive.read(entry)
            if re.search(rb"<!\s*(DOCTYPE|ENTITY)", head, re.IGNORECASE):
                raise SpreadsheetRefused(_NOT_XLSX_MESSAGE)
            if entry.filename == "[Content_Types].xml":
                types = head.decode("utf-8", "replace")
                if "macroEnabled" in types or "vbaProject" in types:
                    raise SpreadsheetRefused(_MACRO_MESSAGE)
                if XLSX_MAIN not in types:
                    raise SpreadsheetRefused(_NOT_XLSX_MESSAGE)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError):
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE) from None


_NOT_XLSX_MESSAGE = (
    "Ce fichier n'est pas un classeur Excel (.xlsx) lisible : importez le questionnaire "
    "téléchargé sur ce service, enregistré au format .xlsx."
)
_MACRO_MESSAGE = (
    "Ce fichier contient des macros (.xlsm) : enregistrez-le au format « Classeur Excel "
    "(.xlsx) », sans macro, puis importez-le à nouveau."
)
_BOMB_MESSAGE = (
    "Ce fichier est anormalement volumineux une fois décompressé : il ne peut pas être "
    "importé. Importez le questionnaire téléchargé sur ce service."
)
_LAYOUT_HINT = (
    "Téléchargez un nouveau questionnaire et reportez-y vos chiffres, sans modifier la "
    "mise en page."
)


def size_check(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(
            f"Le fichier pèse {megabytes(size)} : {MAX_UPLOAD_MEGABYTES} Mo au plus sont acceptés."
        )


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def where(sheet: str, ref: str) -> str:
    """`Feuille « Genre », cellule C7`: how a message names a place."""
    return f"Feuille « {sheet} », cellule {ref}"


def workbook_read(
    content: bytes, *, association: Association, campaign: Campaign, filename: str = ""
) -> Reading:
    """The answers of an uploaded workbook, or SpreadsheetRefused with every reason."""
    package_check(content, filename)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a malformed package
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE) from None
    try:
        return _read_book(book, association, campaign)
    except SpreadsheetRefused:
        raise
    except Exception:  # a malformed part met while reading cells
        raise SpreadsheetRefused(_NOT_XLSX_MESSAGE) from None
    finally:
        book.close()


def _cells(sheet, max_row: int, max_column: int) -> dict[str, Any]:
    """The sheet's cells up to the layout's last row and column, by reference."""
    cells = {}
    for row in sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_column):
        for cell in row:
            if getattr(cell, "coordinate", None) and cell.value is not None:
                cells[cell.coordinate] = cell
    return cells


def _stray_cells(layout: SheetLayout, cells: dict) -> list[str]:
    """Something typed outside the cells to fill would be silently lost: refused."""
    known = {*layout.labels, *layout.inputs, _ref(TITLE_ROW, 1), _ref(HINT_ROW, 1)}
    known |= {
        _ref(row, column)
        for row, _ in layout.formula_rows
        for column in range(2, layout.max_column + 1)
    }
    return [
        f"{where(layout.name, ref)} : cette case est hors des cases à remplir (« "
        f"{_shown(cell.value)} ») : reportez ce chiffre dans une case sur fond jaune, ou "
        "effacez-le."
        for ref, cell in cells.items()
        if ref not in known
    ]


def _read_identification(book) -> dict[str, Any]:
    if IDENTIFICATION not in book.sheetnames:
        raise SpreadsheetRefused(
            "Ce fichier n'est pas un questionnaire téléchargé sur ce service (feuille "
            f"« {IDENTIFICATION} » absente). {_LAYOUT_HINT}"
        )
    values = {}
    for row in book[IDENTIFICATION].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if row and isinstance(row[0], str):
            values[row[0]] = row[1] if len(row) > 1 else None
    return values


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip()):
        return int(value.strip())
    return None


def _read_book(book, association: Association, campaign: Campaign) -> Reading:
    meta = _read_identification(book)
    if meta.get("template") != TEMPLATE:
        raise SpreadsheetRefused(
            f"Ce fichier n'est pas un questionnaire téléchargé sur ce service. {_LAYOUT_HINT}"
        )
    if _as_int(meta.get("template_version")) != TEMPLATE_VERSION:
        raise SpreadsheetRefused(
            "Ce fichier a été téléchargé avant une mise à jour du questionnaire. " + _LAYOUT_HINT
        )
    year = _as_int(meta.get("campaign"))
    if year != campaign.year:
        raise SpreadsheetRefused(
            f"Ce fichier est le questionnaire de l'enquête {year or '(inconnue)'}, pas celui "
            f"de l'enquête {campaign.year} : téléchargez le questionnaire de cette enquête."
        )
    identifier = str(meta.get("association") or "")
    if identifier != association.identifier:
        raise SpreadsheetRefused(
            f"Ce fichier est le questionnaire d'une autre association (identifiant "
            f"{identifier or 'inconnu'}), pas celui de {association.name} "
            f"({association.identifier}) : téléchargez le questionnaire de votre association."
        )
    rows = _as_int(meta.get("origin_rows"))
    if rows is None or not ORIGIN_ROWS_MIN <= rows <= 1000:
        raise SpreadsheetRefused(f"La feuille « {IDENTIFICATION} » a été modifiée. {_LAYOUT_HINT}")

    expected = sheet_names()
    if book.sheetnames != expected:
        missing = [name for name in expected if name not in book.sheetnames]
        extra = [name for name in book.sheetnames if name not in expected]
        detail = []
        if missing:
            detail.append("feuille(s) absente(s) ou renommée(s) : " + ", ".join(missing))
        if extra:
            detail.append("feuille(s) en trop : " + ", ".join(extra))
        if not detail:
            detail.append("les feuilles ont été déplacées")
        raise SpreadsheetRefused(
            f"La mise en page du questionnaire a été modifiée ({' ; '.join(detail)}). "
            + _LAYOUT_HINT
        )

    layouts = sheet_layouts(rows)
    problems: list[str] = []
    data = {
        "forms": {form: {"other_label": "", "origin": {}} for form in FORMS},
        **dict.fromkeys(SUBMISSION_COUNT_FIELDS),
        "comment": "",
    }
    origin_rows: dict[str, int] = {}
    for layout in layouts:
        cells = _cells(book[layout.name], layout.max_row + MARGIN, layout.max_column + MARGIN)
        problems += _stray_cells(layout, cells)
        changed = [
            (ref, label)
            for ref, label in layout.labels.items()
            if _label_text(cells.get(ref)) != label
        ]
        for ref, label in changed:
            problems.append(
                f"{where(layout.name, ref)} : le libellé a été modifié "
                f"(« {_shown(_label_text(cells.get(ref)))} » au lieu de « {label} »)."
            )
        if changed:
            continue
        _read_inputs(layout, cells, data, origin_rows, problems)
    if problems:
        raise SpreadsheetRefused(*_capped(problems))
    return Reading(data, origin_rows, rows, _as_int(meta.get("answers_version")) or 0)


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_MESSAGES:
        return problems
    return [*problems[:MAX_MESSAGES], f"… et {len(problems) - MAX_MESSAGES} autre(s) problème(s)."]


def _label_text(cell) -> str:
    if cell is None or cell.value is None:
        return ""
    return str(cell.value)


def _shown(value: Any) -> str:
    text = str(value)
    if isinstance(value, float):
        text = text.replace(".", ",")
    return text if len(text) <= 60 else text[:57] + "…"


def _is_formula(cell) -> bool:
    value = cell.value
    return getattr(cell, "data_type", None) == "f" or (
        value is not None
        and not isinstance(value, (str, int, float, bool))
        and "formula" in type(value).__name__.lower()
    )


def _read_count(cell, place: str, problems: list[str]) -> int | None:
    """A count cell: blank (None), or a whole number as the web form reads one."""
    if cell is None or cell.value is None:
        return None
    value = cell.value
    if _is_formula(cell):
        problems.append(
            f"{place} : une formule (« {_shown(value)} ») n'est pas acceptée dans une case "
            "à remplir : saisissez un nombre."
        )
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # how a spreadsheet stores 7
    try:
        # As a string: the field reads 0 as blank; "2,5" and "True" as what was typed.
        return CountField(where=place).clean(_shown(value))
    except ValidationError as error:
        problems.extend(error.messages)
        return None


def _read_text(cell, place: str, limit: int | None, problems: list[str]) -> str:
    if cell is None or cell.value is None:
        return ""
    if _is_formula(cell):
        problems.append(f"{place} : une formule n'est pas acceptée ici : saisissez du texte.")
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if limit is not None and len(text) > limit:
        problems.append(f"{place} : le texte dépasse {number(limit)} caractères.")
        return ""
    return text


def _read_inputs(
    layout: SheetLayout, cells: dict, data: dict, origin_rows: dict, problems: list[str]
) -> None:
    countries_by_row: dict[int, str] = {}
    if layout.country_rows:
        for row in layout.country_rows:
            ref = _ref(row, LABEL_COLUMN)
            cell = cells.get(ref)
            place = where(layout.name, ref)
            typed = _read_text(cell, place, COUNTRY_TEXT_MAX, problems)
            has_counts = any(_ref(row, column) in cells for column in FORM_COLUMN.values())
            if not typed:
                if has_counts:
                    problems.append(f"{place} : indiquez le pays de cette ligne.")
                continue
            code = country_code(typed)
            if code is None:
                problems.append(
                    f"{place} : pays « {_shown(typed)} » inconnu : choisissez un pays dans la "
                    "liste."
                )
            elif code in origin_rows:
                problems.append(
                    f"{place} : {country_name(code)} est déjà saisi ligne {origin_rows[code]} : "
                    "regroupez les nombres sur une seule ligne."
                )
            else:
                origin_rows[code] = row
                countries_by_row[row] = code
    for ref, cell_def in layout.inputs.items():
        place = where(layout.name, ref)
        cell = cells.get(ref)
        if cell_def.kind == "country":
            continue
        if cell_def.kind == "text":
            limit = None if cell_def.field == "comment" else OTHER_LABEL_MAX
            text = _read_text(cell, place, limit, problems)
            if cell_def.form is None:
                data[cell_def.field] = text
            else:
                data["forms"][cell_def.form][cell_def.field] = text
            continue
        value = _read_count(cell, place, problems)
        if cell_def.kind == "origin":
            code = countries_by_row.get(_row_of(ref))
            if code and value:
                data["forms"][cell_def.form]["origin"][code] = value
            continue
        if cell_def.form is None:
            data[cell_def.field] = value
        else:
            if value is None and cell_def.field in PART1_FIELDS:
                value = 0  # a blank Part 1 count is 0, as on the web
            data["forms"][cell_def.form][cell_def.field] = value


def _row_of(ref: str) -> int:
    return int(re.sub(r"^[A-Z]+", "", ref))


# --- Preview: changes against the draft, and the checks' problems with their places -----


@dataclass(frozen=True)
class Change:
    place: str  # "Genre!C7"
    what: str  # "Exploitation sexuelle — femmes (cisgenres)"
    before: str
    after: str


def _place(sheet: str, ref: str) -> str:
    return f"{sheet}!{ref}"


def _shown_value(value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, int):
        return number(value)
    return str(value)


def workbook_changes(current: dict, reading: Reading, layouts: list[SheetLayout]) -> list[Change]:
    """Every answer the workbook changes, in the order of the sheets (`layouts`: the
    reading's, `sheet_layouts(reading.origin_row_count)`)."""
    new = reading.data
    changes: list[Change] = []
    for layout in layouts:
        if layout.section.kind == "origin":
            changes += _origin_changes(layout, current, reading)
        for ref, cell in layout.inputs.items():
            if cell.kind not in ("count", "text"):
                continue
            if cell.form is None:
                before, after = current.get(cell.field), new.get(cell.field)
                what = capfirst(field_label(cell.field))
            else:
                before = current["forms"][cell.form].get(cell.field)
                after = new["forms"][cell.form].get(cell.field)
                what = f"{FORM_LABELS[cell.form]} — {field_label(cell.field)}"
            if cell.kind == "text":
                before, after = before or "", after or ""
            if before != after:
                changes.append(
                    Change(
                        _place(layout.name, ref), what, _shown_value(before), _shown_value(after)
                    )
                )
    return changes


def _origin_changes(layout: SheetLayout, current: dict, reading: Reading) -> list[Change]:
    changes = []
    for form in FORMS:
        before = current["forms"][form]["origin"]
        after = reading.data["forms"][form]["origin"]
        for code in sorted(set(before) | set(after), key=country_name):
            if before.get(code) != after.get(code):
                row = reading.origin_rows.get(code)
                place = (
                    _place(layout.name, _ref(row, FORM_COLUMN[form]))
                    if row
                    else f"{layout.name} (ligne retirée)"
                )
                changes.append(
                    Change(
                        place,
                        f"{FORM_LABELS[form]} — {country_name(code)}",
                        _shown_value(before.get(code)),
                        _shown_value(after.get(code)),
                    )
                )
    return changes


def problem_place(problem: Problem, reading: Reading, layouts: list[SheetLayout]) -> str:
    """The cell a problem of the checks is about (`Genre!C7`), or "" when none is."""
    name = (problem.field or "").split(".", 1)
    slug = SECTION_OF_FIELD.get(name[0])
    layout = next((layout for layout in layouts if layout.section.slug == slug), None)
    if layout is None:
        return ""
    if len(name) == 2:  # origin.<country>
        row = reading.origin_rows.get(name[1])
        if row and problem.form:
            return _place(layout.name, _ref(row, FORM_COLUMN[problem.form]))
        return layout.name
    ref = layout.cell_of(problem.form, name[0])
    if ref:
        return _place(layout.name, ref)
    if problem.form is None:
        refs = [r for r, cell in layout.inputs.items() if cell.field == name[0]]
        if refs:
            return _place(layout.name, f"{refs[0]}:{refs[-1]}")
    return ""


# --- Applying -----------------------------------------------------------------------------


def spreadsheet_apply(
    *,
    association: Association,
    campaign: Campaign,
    reading: Reading,
    expected_version: int,
    user: AbstractBaseUser,
) -> Submission | None:
    """Write the workbook's answers to the draft, as one version, through the web's service.

    The same optimistic lock applies: `expected_version` is the version the preview was
    computed against. Raises services.StaleSubmission or services.SubmissionLocked.
    Returns None when the file changes nothing.
    """
    new = reading.data
    return services.submission_save_forms(
        association=association,
        campaign=campaign,
        forms={form: new["forms"][form] for form in FORMS},
        values={name: new.get(name) for name in (*SUBMISSION_COUNT_FIELDS, "comment")},
        expected_version=expected_version,
        user=user,
        # Every sheet was read and checked: the progress shows each section as saved.
        sections=SHEET_NAMES,
        reason="Import d'un questionnaire Excel",
        if_changed=True,
    )


def file_name(association: Association, campaign: Campaign) -> str:
    return f"questionnaire-teh-{campaign.year}-{association.identifier}.xlsx"
