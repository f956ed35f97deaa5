"""Raw data of a campaign for the Miprof's staff: its VALIDATED answers, row by row.

Exporters (after pretix's): a class with an `identifier`, a `verbose_name` and a
generator `iterate_list()` yielding a header row then data rows of plain values (text,
int, or None for an empty cell). One writer turns any exporter into a file:

- `write_xlsx(exporter, stream)`: one sheet written row by row as it comes
  (`reports.xlsx_stream`, which says why not openpyxl's write-only mode); numbers stay
  numbers, a blank Part 2 answer is an empty cell (never 0), and text is formula-safe
  (a text cell, with the quote prefix when it begins with "=", "+", "-" or "@").
- `write_csv(exporter, stream)`: UTF-8 with a byte order mark and ";" between fields,
  what French Excel opens by a double click (its list separator is ";", since "," is the
  decimal separator; without the BOM it reads the file as Windows-1252). A text
  beginning with "=", "+", "-" or "@" is prefixed with "'", so that a spreadsheet shows
  it instead of running it; None is an empty field. Identifiers and départements stay as
  they are: a reader that parses numbers (Excel) may drop the zeros of "01"; open the
  XLSX to keep them as text.

Rows are read with `.iterator(chunk_size=2000)` over a values queryset, in one query per
export: memory does not grow with the number of associations (on PostgreSQL the rows
come from a server-side cursor; the XLSX sheet is deflated into the file as it is
written).

Exports
-------
- `AnswersExporter`: one row per (association, form) of the validated submissions, by
  association name then in the order of the forms: identifier, name, département,
  region, form, then every count of `COUNT_FIELDS` (Part 1 then Part 2) and the
  "précisez" text. The once-per-submission answers (suspects identified, civil party
  cases, comment) are not repeated on the six rows of a submission.
- `OriginsExporter`: the countries of origin in long format, one row per (association,
  form, country) with victims: identifier, name, form, ISO 3166-1 code, French name,
  victims. The victims of unknown origin (`origin_unknown`) of an answer come after its
  countries as one more row, with an empty code and the country "Non précisé" (the
  report's label), when there are any: a form's rows then add up to its accompanied
  victims, as the questionnaire requires. Like the country counts, zeros are left out.

`raw_answers_xlsx(campaign)`, `raw_answers_csv(campaign)`, `raw_origins_xlsx(campaign)`
and `raw_origins_csv(campaign)` return the files' bytes (the staff download).
"""

import csv
import io
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from django.db.models import Case, F, IntegerField, Value, When
from django.utils.text import capfirst

from survey.cockpit import FORMULA_PREFIXES
from survey.geography import Region, country_name
from survey.models import Association, Campaign, FormAnswer, FrenchRegion, OriginCount, Submission
from survey.questionnaire import COUNT_FIELDS, FORM_LABELS, FORMS

from .xlsx_stream import write_rows

VALIDATED = Submission.Status.VALIDATED
CHUNK_SIZE = 2000
REGION_LABELS: dict[str, str] = dict(FrenchRegion.choices)
UNKNOWN_ORIGIN = Region.UNKNOWN.label  # "Non précisé"

# A cell: text, a whole number, or None (empty).
CellValue = str | int | None


def form_order(field: str = "form") -> Case:
    """The position of the form in the questionnaire (its code sorts otherwise)."""
    return Case(
        *(When(**{field: form}, then=Value(index)) for index, form in enumerate(FORMS)),
        output_field=IntegerField(),
    )


def _label(model, field: str) -> str:
    return capfirst(str(model._meta.get_field(field).verbose_name))


ASSOCIATION_HEADERS = [
    _label(Association, "identifier"),
    capfirst(str(Association._meta.verbose_name)),  # its name
]


class Exporter:
    """Rows of one list: `iterate_list()` yields the header, then the data rows."""

    identifier: str
    verbose_name: str
    sheet_name: str  # short: Excel allows 31 characters, the year is added

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    @property
    def sheet_title(self) -> str:
        return f"{self.sheet_name} {self.campaign.year}"[:31]

    def filename(self, extension: str) -> str:
        return f"miprof-{self.campaign.year}-{self.identifier}.{extension}"

    def iterate_list(self) -> Iterator[Sequence[CellValue]]:
        raise NotImplementedError


class AnswersExporter(Exporter):
    identifier = "reponses"
    verbose_name = "Réponses validées, par association et forme d'exploitation"
    sheet_name = "Réponses"

    def header(self) -> list[str]:
        return [
            *ASSOCIATION_HEADERS,
            _label(Association, "departement"),
            _label(Association, "region"),
            _label(FormAnswer, "form"),
            *(_label(FormAnswer, field) for field in COUNT_FIELDS),
            _label(FormAnswer, "other_label"),
        ]

    def iterate_list(self) -> Iterator[Sequence[CellValue]]:
        yield self.header()
        rows = (
            FormAnswer.objects.filter(
                submission__campaign=self.campaign, submission__status=VALIDATED
            )
            .annotate(form_order=form_order())
            .order_by(
                "submission__association__name",
                "submission__association__identifier",
                "form_order",
            )
            .values_list(
                "submission__association__identifier",
                "submission__association__name",
                "submission__association__departement",
                "submission__association__region",
                "form",
                *COUNT_FIELDS,
                "other_label",
            )
        )
        for identifier, name, departement, region, form, *counts, other in rows.iterator(
            chunk_size=CHUNK_SIZE
        ):
            yield [
                identifier,
                name,
                departement or None,
                REGION_LABELS.get(region),
                FORM_LABELS[form],
                *counts,  # a blank Part 2 answer is None: an empty cell
                other or None,
            ]


class OriginsExporter(Exporter):
    identifier = "origines"
    verbose_name = "Pays d'origine des victimes accompagnées, par association et forme"
    sheet_name = "Origines"

    def header(self) -> list[str]:
        country = _label(OriginCount, "country")
        return [
            *ASSOCIATION_HEADERS,
            _label(FormAnswer, "form"),
            f"{country} (code ISO 3166-1)",
            country,
            _label(OriginCount, "count"),
        ]

    def iterate_list(self) -> Iterator[Sequence[CellValue]]:
        yield self.header()
        # Columns shared by both halves of the union; `unknown` puts the "Non précisé"
        # row of an answer after its countries.
        columns = ("a_identifier", "a_name", "a_form", "form_order", "unknown", "code", "victims")
        countries = (
            OriginCount.objects.filter(
                answer__submission__campaign=self.campaign,
                answer__submission__status=VALIDATED,
            )
            .annotate(
                a_identifier=F("answer__submission__association__identifier"),
                a_name=F("answer__submission__association__name"),
                a_form=F("answer__form"),
                form_order=form_order("answer__form"),
                unknown=Value(0),
                code=F("country"),
                victims=F("count"),
            )
            .order_by()  # the union is sorted as a whole
            .values_list(*columns)
        )
        unknown = (
            FormAnswer.objects.filter(
                submission__campaign=self.campaign,
                submission__status=VALIDATED,
                origin_unknown__gt=0,
            )
            .annotate(
                a_identifier=F("submission__association__identifier"),
                a_name=F("submission__association__name"),
                a_form=F("form"),
                form_order=form_order(),
                unknown=Value(1),
                code=Value(""),
                victims=F("origin_unknown"),
            )
            .order_by()
            .values_list(*columns)
        )
        rows = countries.union(unknown, all=True).order_by(
            "a_name", "a_identifier", "form_order", "unknown", "code"
        )
        names: dict[str, str] = {}  # a few hundred countries at most
        for identifier, name, form, _order, is_unknown, code, victims in rows.iterator(
            chunk_size=CHUNK_SIZE
        ):
            code = str(code)
            if is_unknown:
                place = [None, UNKNOWN_ORIGIN]
            else:
                if code not in names:
                    names[code] = country_name(code)
                place = [code, names[code]]
            yield [identifier, name, FORM_LABELS[form], *place, victims]


# ------------------------------------------------------------------------------ writers


def write_xlsx(exporter: Exporter, stream: BinaryIO) -> None:
    """The exporter's list as one sheet of an XLSX file (reports/xlsx_stream.py)."""
    write_rows(exporter.iterate_list(), stream, exporter.sheet_title)


def csv_text(value: str) -> str:
    """A text a spreadsheet shows as written: "=1+1" → "'=1+1"."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def write_csv(exporter: Exporter, stream: BinaryIO) -> None:
    """The exporter's list as CSV for French Excel: UTF-8 with BOM, ";" separated."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";")
    for row in exporter.iterate_list():
        writer.writerow([csv_text(value) if isinstance(value, str) else value for value in row])
    text.flush()
    text.detach()  # leave the caller's stream open


def _bytes(write, exporter: Exporter) -> bytes:
    output = io.BytesIO()
    write(exporter, output)
    return output.getvalue()


def raw_answers_xlsx(campaign: Campaign) -> bytes:
    return _bytes(write_xlsx, AnswersExporter(campaign))


def raw_answers_csv(campaign: Campaign) -> bytes:
    return _bytes(write_csv, AnswersExporter(campaign))


def raw_origins_xlsx(campaign: Campaign) -> bytes:
    return _bytes(write_xlsx, OriginsExporter(campaign))


def raw_origins_csv(campaign: Campaign) -> bytes:
    return _bytes(write_csv, OriginsExporter(campaign))
