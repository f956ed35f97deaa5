"""The cockpit of a campaign: where every association stands, for the Miprof's staff.

`campaign_cockpit()` reads everything in a fixed number of queries, whatever the number
of associations (all associations; the campaign's submissions with their answers; the
previous campaign's validated ones), then computes in Python: statuses, totals, and the
problems of `survey.checks` on the stored answers. The admin page and the Excel export
only render a `Cockpit`; they never recompute.
"""

import datetime
import io
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .checks import check_submission, errors, warnings
from .models import Association, Campaign, FrenchRegion, Submission
from .selectors import submissions_with_answers

NOT_STARTED = "not_started"
# Every status an association can be in for a campaign, in the order of the work.
STATUS_LABELS: dict[str, str] = {NOT_STARTED: "Pas commencé", **dict(Submission.Status.choices)}
# Answers the Miprof has in hand: sent and not sent back.
RECEIVED = (Submission.Status.SUBMITTED, Submission.Status.VALIDATED)
# The region key of the associations whose region is not given (stored blank).
NO_REGION = "-"
NO_REGION_LABEL = "Région non renseignée"


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


@dataclass(frozen=True)
class CockpitRow:
    association: Association
    submission: Submission | None
    # None when the association has not started: there is nothing to count or check.
    detected: int | None = None
    accompanied: int | None = None
    errors: int | None = None
    warnings: int | None = None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else NOT_STARTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def last_activity(self) -> datetime.datetime | None:
        return self.submission.updated_at if self.submission else None

    @property
    def region_label(self) -> str:
        return self.association.get_region_display() or NO_REGION_LABEL


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return _percent(self.count, self.total)


@dataclass(frozen=True)
class RegionCount:
    region: str  # a FrenchRegion code, or NO_REGION
    label: str
    total: int
    by_status: dict[str, int]  # every key of STATUS_LABELS

    @property
    def received(self) -> int:
        return sum(self.by_status[status] for status in RECEIVED)

    @property
    def percent(self) -> int:
        return _percent(self.received, self.total)

    @property
    def counts(self) -> list[int]:
        """The counts in the order of STATUS_LABELS, for a table's columns."""
        return [self.by_status[status] for status in STATUS_LABELS]


@dataclass(frozen=True)
class Cockpit:
    campaign: Campaign
    previous: Campaign | None  # its validated answers feed the year-on-year warning
    total: int  # every association expected to answer
    by_status: list[StatusCount]  # of every association, whatever the filters
    by_region: list[RegionCount]  # likewise
    rows: list[CockpitRow]  # the associations matching the filters, by name
    status: str | None = None
    region: str | None = None
    search: str = ""

    @property
    def received(self) -> int:
        return sum(count.count for count in self.by_status if count.status in RECEIVED)

    @property
    def percent(self) -> int:
        return _percent(self.received, self.total)

    @property
    def is_filtered(self) -> bool:
        return bool(self.status or self.region or self.search.strip())


def _folded(text: str) -> str:
    """Lower case without accents, so that "reseau" finds "Réseau"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _region_key(association: Association) -> str:
    return association.region or NO_REGION


def _matches(association: Association, search: str) -> bool:
    wanted = _folded(search.strip())
    return wanted in _folded(association.name) or wanted in _folded(association.identifier)


def _row(
    association: Association, submission: Submission | None, previous: Submission | None
) -> CockpitRow:
    if submission is None:
        return CockpitRow(association, None)
    answers = submission.answers.all()  # prefetched
    problems = check_submission(submission.to_data(), previous.to_data() if previous else None)
    return CockpitRow(
        association,
        submission,
        detected=sum(answer.detected for answer in answers),
        accompanied=sum(answer.accompanied for answer in answers),
        errors=len(errors(problems)),
        warnings=len(warnings(problems)),
    )


def campaign_cockpit(
    campaign: Campaign, *, status: str | None = None, region: str | None = None, search: str = ""
) -> Cockpit:
    """Every association's status for the campaign, counted and checked (8 queries at most).

    `status` is a key of STATUS_LABELS, `region` a FrenchRegion code or NO_REGION for the
    associations without one, `search` a part of a name or identifier (case and accents
    ignored). Filters select the rows; the counts always cover every association.
    """
    associations = list(Association.objects.order_by("name", "pk"))

    submissions: dict[int, Submission] = {}
    for submission in submissions_with_answers().filter(campaign=campaign):
        submissions[submission.association_id] = submission
    previous_campaign = campaign.previous
    previous: dict[int, Submission] = {}
    if previous_campaign is not None:
        for submission in submissions_with_answers().filter(
            campaign=previous_campaign, status=Submission.Status.VALIDATED
        ):
            previous[submission.association_id] = submission

    def status_of(association: Association) -> str:
        submission = submissions.get(association.pk)
        return submission.status if submission else NOT_STARTED

    statuses = Counter(status_of(association) for association in associations)
    total = len(associations)
    by_status = [
        StatusCount(key, label, statuses[key], total) for key, label in STATUS_LABELS.items()
    ]
    regions: dict[str, Counter] = {}
    for association in associations:
        regions.setdefault(_region_key(association), Counter())[status_of(association)] += 1
    labels = {**dict(FrenchRegion.choices), NO_REGION: NO_REGION_LABEL}
    by_region = [
        RegionCount(
            code,
            labels.get(code, code),
            sum(counter.values()),
            {key: counter[key] for key in STATUS_LABELS},
        )
        # Regions by name, the associations without one last.
        for code, counter in sorted(
            regions.items(),
            key=lambda item: (item[0] == NO_REGION, _folded(labels.get(item[0], item[0]))),
        )
    ]

    # Only the rows shown are checked: the checks are most of the time spent here.
    rows = [
        _row(association, submissions.get(association.pk), previous.get(association.pk))
        for association in associations
        if (status is None or status_of(association) == status)
        and (region is None or _region_key(association) == region)
        and (not search.strip() or _matches(association, search))
    ]
    return Cockpit(
        campaign=campaign,
        previous=previous_campaign,
        total=total,
        by_status=by_status,
        by_region=by_region,
        rows=rows,
        status=status,
        region=region,
        search=search,
    )


# --- Export to Excel --------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@")


def safe_text(sheet: Worksheet, value: str) -> Cell:
    """A text cell shown as written, never run as a formula.

    Names and identifiers come from users: "=HYPERLINK(…)" must stay text. openpyxl
    would store a value starting with "=" as a formula; the type is forced to text, and
    the quote prefix keeps a spreadsheet from reading any of "=", "+", "-", "@" as the
    start of a formula when the cell is edited. Characters XML cannot hold are dropped.
    """
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # Any place: append() moves the cell where it goes.
    cell = Cell(sheet, row=1, column=1, value=value)
    cell.data_type = TYPE_STRING
    if value.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # in characters
    number_format: str = "General"


def _label(model, field: str) -> str:
    return capfirst(str(model._meta.get_field(field).verbose_name))


COLUMNS: tuple[Column, ...] = (
    Column("Association", 40),
    Column(_label(Association, "identifier"), 16),
    Column(_label(Association, "departement"), 12),
    Column(_label(Association, "region"), 26),
    Column(_label(Submission, "status"), 24),
    Column("Dernière activité", 18, "dd/mm/yyyy hh:mm"),
    Column("Victimes repérées", 12, "#,##0"),
    Column("Victimes accompagnées", 14, "#,##0"),
    Column("Erreurs", 9),
    Column("Avertissements", 15),
)


def cockpit_table(cockpit: Cockpit) -> Iterator[list]:
    """The header, then a row per association shown: what the Excel export writes."""
    yield [column.header for column in COLUMNS]
    for row in cockpit.rows:
        activity = row.last_activity
        yield [
            row.association.name,
            row.association.identifier,
            row.association.departement,
            row.region_label,
            row.status_label,
            # Excel has no time zones: the time as read in Paris.
            timezone.localtime(activity).replace(tzinfo=None) if activity else None,
            row.detected,
            row.accompanied,
            row.errors,
            row.warnings,
        ]


def workbook_bytes(rows: Iterable[Sequence], *, title: str, columns: Sequence[Column]) -> bytes:
    """One sheet: a bold, frozen, filterable header row, then the rows.

    Text becomes formula-safe text cells; numbers and dates stay numbers and dates.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit
    for row in rows:
        sheet.append(
            [safe_text(sheet, value) if isinstance(value, str) else value for value in row]
        )
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        sheet.cell(row=1, column=index).font = Font(bold=True)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = column.number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def cockpit_workbook(cockpit: Cockpit) -> bytes:
    return workbook_bytes(
        cockpit_table(cockpit), title=f"Suivi {cockpit.campaign.year}", columns=COLUMNS
    )
