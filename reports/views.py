"""The published tables, for the Miprof's staff: one page per campaign, and its downloads.

`campaign_tables` renders `reports.tables.all_tables(campaign)` (three queries reading
the stored figures, whatever the number of associations) as DSFR tables in the report's
order, each with its chart drawn on the server (`reports.charts`: why SVG rather than
dsfr-chart is said there). The downloads call `reports.workbook` (the tables as Excel and
JSON) and `reports.exports` (raw answers and origins), imported when asked for: a module
that is missing answers 503 with a French message, and every page still works.

Staff only: an anonymous visitor is sent to the login page; anyone logged in who is not
staff with the permission to view submissions gets 404, as elsewhere on the site.
"""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from audit.models import Action
from audit.models import record as audit_record
from survey.geography import Region, country_name
from survey.models import Campaign, Submission
from survey.questionnaire import FORMS
from survey.views import breadcrumb

from .charts import WIDTH, bar_chart, pie_chart
from .tables import NOT_COMPARABLE, NOTE, Table, all_tables, fr_number, fr_percent

logger = logging.getLogger(__name__)

PERMISSION = "survey.view_submission"

# The side menu's short names (questionnaire.md, "Published tables").
SHORT_TITLES = {
    "F1": "Victimes repérées et accompagnées",
    "F2": "Formes d'exploitation",
    "F3": "Lieu d'exploitation",
    "F4": "Identité de genre",
    "F5": "Âge",
    "F6": "Mineurs non accompagnés",
    "MAP": "Origine",
    "F7": "Orientation et durée de l'accompagnement",
    "F8": "Vulnérabilités",
    "F9": "Réseau et emprise",
    "F10": "Lien avec l'exploiteur",
    "SEJ": "Droit au séjour",
    "F12": "Plaintes",
    "F13": "Suites judiciaires",
    "CRIME": "Contrainte à commettre des délits",
    "INS": "Insertion professionnelle",
}
# Column headers of the MAP's per-form shares (the forms' labels are long).
FORM_SHORT = {
    "sexual": "Exploitation sexuelle",
    "labour": "Travail (hors domestique)",
    "domestic": "Domestique",
    "crime": "Délits ou crimes",
    "begging": "Mendicité",
    "other": "Autre",
}
# Rows drawn grey in a chart: what is not known.
MUTED_KEYS = frozenset({"gender_unknown", "age_unknown", Region.UNKNOWN})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
JSON = "application/json; charset=utf-8"
WORKBOOK_MODES = ("interne", "publication")
NARROW_WIDTH = 360  # the charts shown below the "lg" breakpoint


# ------------------------------------------------------------------------------ access


def staff_only(view: Callable) -> Callable:
    """Anonymous: to the login page. Logged in without the staff role: 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            raise Http404("page réservée à la Miprof")
        return view(request, *args, **kwargs)

    return wrapper


# ------------------------------------------------------------------------- rendering


@dataclass
class Cell:
    text: str
    numeric: bool = False
    header: bool = False  # the row's header (its label)
    colspan: int = 1
    rowspan: int = 1
    scope: str = "col"


@dataclass
class Line:
    cells: list[Cell]
    sub: bool = False  # a "dont" row, indented
    total: bool = False


@dataclass
class Grid:
    """The cells of one DSFR table."""

    anchor: str
    caption: str
    heads: list[list[Cell]]
    lines: list[Line]


@dataclass
class Section:
    """One published table: its heading, scope, chart, table, reading, and what follows."""

    table: Table
    short_title: str
    anchor: str
    scope: str  # "Champ : …"
    grid: Grid
    chart: SafeString | str = ""  # drawn for a wide screen
    chart_narrow: SafeString | str = ""  # the same, for a phone
    after: list[str] = field(default_factory=list)  # paragraphs after the reading
    more: list[Grid] = field(default_factory=list)  # smaller tables after them (MAP)


def _number(value: int | None) -> str:
    return "—" if value is None else fr_number(value)


def _share(value: int | None) -> str:
    return "—" if value is None else fr_percent(value)


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{fr_number(count)} {singular if count == 1 else plural}"


def scope_text(table: Table) -> str:
    return (
        f"Champ : {_plural(table.respondents, 'association', 'associations')}, "
        f"{_plural(table.covered, 'victime', 'victimes')}"
    )


def _is_sub(label: str) -> bool:
    return label.lower().startswith("dont ")


def _chart(table: Table, width: int = WIDTH) -> str:
    if table.chart == "map":
        rows = [row for row in table.rows if row.count]
        rows.sort(key=lambda row: (row.key == Region.UNKNOWN, -(row.count or 0)))
        chart = bar_chart(
            [(row.label, row.count or 0) for row in rows],
            shares=[row.share for row in rows],
            title="Origine par région",
            muted=[i for i, row in enumerate(rows) if row.key in MUTED_KEYS],
            width=width,
        )
    elif table.chart in ("pie", "bar"):
        keys = table.chart_keys or tuple(row.key for row in table.rows)
        rows = [table.row(key) for key in keys]
        draw = pie_chart if table.chart == "pie" else bar_chart
        chart = draw(
            [(row.label, row.count or 0) for row in rows],
            shares=[row.share for row in rows],
            title=SHORT_TITLES.get(table.id, table.title),
            muted=[i for i, row in enumerate(rows) if row.key in MUTED_KEYS],
            width=width,
        )
    else:
        return ""
    return mark_safe(chart)  # reports.charts escapes every label


def _evolution(value: int | None) -> str:
    """+12 % / −13 % (a true minus sign), "—" without a base."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{fr_percent(abs(value))}"


def _f1_grid(table: Table) -> tuple[list[list[Cell]], list[Line]]:
    """F1's own columns; with the previous campaign's detected victims and the evolution
    when it has validated answers (`reports.tables.f1`)."""
    previous_year = table.extra.get("previous_reference_year")  # when compared
    heads = [
        [
            Cell("Forme d'exploitation"),
            Cell("Victimes repérées", numeric=True),
            Cell("Victimes accompagnées", numeric=True),
            Cell("Part des victimes accompagnées", numeric=True),
        ]
    ]
    if previous_year is not None:
        heads[0] += [
            Cell(f"Victimes repérées en {previous_year}", numeric=True),
            Cell("Évolution des victimes repérées", numeric=True),
        ]
    lines = []
    for row in table.rows:
        cells = [
            Cell(row.label, header=True, scope="row"),
            Cell(_number(row.extra.get("detected")), numeric=True),
            Cell(_number(row.extra.get("accompanied")), numeric=True),
            Cell(_share(row.extra.get("accompanied_share")), numeric=True),
        ]
        if previous_year is not None:
            cells += [
                Cell(_number(row.extra.get("detected_previous")), numeric=True),
                Cell(_evolution(row.extra.get("evolution")), numeric=True),
            ]
        lines.append(Line(cells, sub=_is_sub(row.label), total=row.key == "total"))
    return heads, lines


def _map_grid(table: Table) -> tuple[list[list[Cell]], list[Line]]:
    """Victims by region and the region's main countries."""
    heads = [
        [
            Cell("Région d'origine"),
            Cell("Victimes", numeric=True),
            Cell("Part", numeric=True),
            Cell("Principaux pays"),
        ]
    ]
    lines = []
    for row in table.rows:
        codes = row.extra.get("main_countries") or []
        countries = ", ".join(country_name(code) for code in codes)
        if row.extra.get("french"):
            countries += f" (dont {_plural(row.extra['french'], 'victime', 'victimes')} "
            countries += "de nationalité française)"
        lines.append(
            Line(
                [
                    Cell(row.label, header=True, scope="row"),
                    Cell(_number(row.count), numeric=True),
                    Cell(_share(row.share), numeric=True),
                    Cell(countries or "—"),
                ]
            )
        )
    return heads, lines


def _map_more(table: Table, anchor: str) -> tuple[list[str], list[Grid]]:
    """The MAP's forms by region, its origins in one sentence, and continents."""
    extra = table.extra
    forms = Grid(
        anchor=f"{anchor}-formes",
        caption="Part de chaque forme d'exploitation parmi les victimes originaires de la région",
        heads=[
            [
                Cell("Région d'origine"),
                *(Cell(FORM_SHORT.get(form, form), numeric=True) for form in FORMS),
            ]
        ],
        lines=[
            Line(
                [
                    Cell(row.label, header=True, scope="row"),
                    *(Cell(_share(row.extra.get(f"share_{form}")), numeric=True) for form in FORMS),
                ]
            )
            for row in table.rows
        ],
    )
    after = [
        f"{_plural(extra['french'], 'victime', 'victimes')} de nationalité française ; "
        f"{_plural(extra['foreign'], 'victime', 'victimes')} de nationalité étrangère, "
        f"originaires de {_plural(extra['distinct_countries'], 'pays', 'pays')} ; "
        f"{_plural(extra['origin_unknown'], 'victime', 'victimes')} "
        "dont l'origine n'est pas précisée."
    ]
    continents = Grid(
        anchor=f"{anchor}-continents",
        caption="Victimes de nationalité étrangère selon le continent d'origine",
        heads=[
            [
                Cell("Continent"),
                Cell("Victimes", numeric=True),
                Cell("Part des victimes de nationalité étrangère", numeric=True),
            ]
        ],
        lines=[
            Line(
                [
                    Cell(item["label"], header=True, scope="row"),
                    Cell(_number(item["count"]), numeric=True),
                    Cell(_share(item["share"]), numeric=True),
                ]
            )
            for item in extra["foreign_by_continent"]
        ],
    )
    return after, [forms, continents]


def _rows_grid(table: Table) -> tuple[list[list[Cell]], list[Line]]:
    """Count and share; when some rows say what their share covers (Part 2), every row's
    base and respondents (a row that does not say it covers the table's)."""
    with_base = any("denominator" in row.extra for row in table.rows)
    head = [Cell("Libellé"), Cell("Effectif", numeric=True), Cell("Part", numeric=True)]
    if with_base:
        head += [
            Cell("Base de la part (victimes)", numeric=True),
            Cell("Associations répondantes", numeric=True),
        ]
    lines = []
    for row in table.rows:
        cells = [
            Cell(row.label, header=True, scope="row"),
            Cell(_number(row.count), numeric=True),
            Cell(_share(row.share), numeric=True),
        ]
        if with_base:
            if "denominator" in row.extra:
                base, respondents = row.extra["denominator"], row.extra["respondents"]
            else:
                base, respondents = table.covered, table.respondents
            cells += [Cell(_number(base), numeric=True), Cell(_number(respondents), numeric=True)]
        lines.append(Line(cells, sub=_is_sub(row.label)))
    return [head], lines


def section_of(table: Table) -> Section:
    anchor = f"tableau-{table.id.lower()}"
    after: list[str] = []
    more: list[Grid] = []
    if table.id == "F1":
        heads, lines = _f1_grid(table)
        if "previous_reference_year" in table.extra:
            after = [NOT_COMPARABLE]
    elif table.id == "MAP":
        heads, lines = _map_grid(table)
        after, more = _map_more(table, anchor)
    else:
        heads, lines = _rows_grid(table)
    return Section(
        table=table,
        short_title=SHORT_TITLES.get(table.id, table.title),
        anchor=anchor,
        scope=scope_text(table),
        grid=Grid(anchor=anchor, caption=table.title, heads=heads, lines=lines),
        chart=_chart(table),
        chart_narrow=_chart(table, NARROW_WIDTH),
        after=after,
        more=more,
    )


# ----------------------------------------------------------------------------- pages


def _campaign(year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


@staff_only
def tables_index(request):
    campaigns = Campaign.objects.annotate(
        validated=Count("submissions", filter=Q(submissions__status=Submission.Status.VALIDATED))
    ).order_by("-year")
    return render(
        request,
        "reports/tables_index.html",
        {
            "title": "Tableaux publiés",
            "breadcrumb_data": breadcrumb("Tableaux"),
            "campaigns": campaigns,
        },
    )


@staff_only
def campaign_tables(request, year: int):
    campaign = _campaign(year)
    tables = all_tables(campaign)
    sections = [section_of(table) for table in tables.values()]
    respondents = tables["F1"].respondents if "F1" in tables else 0
    return render(
        request,
        "reports/campaign_tables.html",
        {
            "title": f"Tableaux de l’enquête {campaign.year}",
            "breadcrumb_data": breadcrumb(
                f"Enquête {campaign.year}", ("Tableaux", reverse("reports:index"))
            ),
            "campaign": campaign,
            "sections": sections,
            "respondents": respondents,
            "note": NOTE,
            "workbook_modes": WORKBOOK_MODES,
        },
    )


# ------------------------------------------------------------------------- downloads


def _attachment(
    request, campaign: Campaign, content: bytes | str, content_type: str, name: str
) -> HttpResponse:
    """The file to download; who downloaded what goes to the audit log."""
    filename = _filename(campaign, name)
    audit_record(request, Action.EXPORT, obj=campaign, details={"file": filename})
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # answers of named associations
    return response


def _unavailable(request, error: ImportError) -> HttpResponse:
    logger.warning("Téléchargement indisponible : %s", error)
    return render(
        request,
        "reports/unavailable.html",
        {"title": "Téléchargement indisponible"},
        status=503,
    )


def _filename(campaign: Campaign, name: str) -> str:
    return f"enquete-teh-{campaign.year}-{name}"


@staff_only
def tables_xlsx(request, year: int):
    campaign = _campaign(year)
    mode = request.GET.get("mode", "")
    if mode not in WORKBOOK_MODES:
        raise Http404("mode attendu : interne ou publication")
    try:
        from reports.workbook import tables_workbook
    except ImportError as error:
        return _unavailable(request, error)
    content = tables_workbook(campaign, publication=mode == "publication")
    return _attachment(request, campaign, content, XLSX, f"tableaux-{mode}.xlsx")


@staff_only
def tables_json_download(request, year: int):
    campaign = _campaign(year)
    try:
        from reports.workbook import tables_json
    except ImportError as error:
        return _unavailable(request, error)
    content = tables_json(all_tables(campaign))
    return _attachment(request, campaign, content, JSON, "tableaux.json")


def _raw(function_name: str, content_type: str, name: str) -> Callable:
    """A download of `reports.exports.<function_name>(campaign)`."""

    @staff_only
    def view(request, year: int):
        campaign = _campaign(year)
        try:
            exports = importlib.import_module("reports.exports")
        except ImportError as error:
            return _unavailable(request, error)
        function = getattr(exports, function_name, None)
        if function is None:
            return _unavailable(request, ImportError(f"reports.exports.{function_name}"))
        return _attachment(request, campaign, function(campaign), content_type, name)

    view.__name__ = function_name
    return view


raw_answers_xlsx = _raw("raw_answers_xlsx", XLSX, "donnees.xlsx")
raw_answers_csv = _raw("raw_answers_csv", CSV, "donnees.csv")
raw_origins_xlsx = _raw("raw_origins_xlsx", XLSX, "origines.xlsx")
raw_origins_csv = _raw("raw_origins_csv", CSV, "origines.csv")
