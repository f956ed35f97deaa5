"""Small-count protection of the published tables, for the "publication" mode.

`protect(tables, threshold)` is pure: it reads `Table`s (reports/tables.py) and says which
of the cells the workbook publishes must not be shown, and why. It never changes a table.

Cells
-----
A cell is (row key, column). The columns protected are the ones the workbook publishes:
`count` and `share` (F1: `detected`, `accompanied`, `accompanied_share`, and with the
previous campaign `detected_previous` and `evolution`), `denominator`
(the base of a row's share, Part 2 rows and a few Part 1 ones), MAP's per-form shares
(`share_sexual`, `share_labour_incl_domestic`, `share_crime`, `share_begging`,
`share_other`: each stands for the region's victims of that form, which it reveals), and
the table's `covered` (the pseudo-cell `COVERED`, shown in the "Champ" line). Extra
columns the workbook does not show (`count_<form>`, `share_within_<form>`, …) are not
protected: the JSON export is for internal use.

Rules
-----
1. Primary: a count with 0 < n < threshold is shown as "< 3"; a share whose count (or
   whose base) is hidden is not shown. Zeros are never hidden.
2. Secondary: every GROUP below is an additive relation, members adding up to a total
   that is published (a row of the table, the table's `covered`, or the base shown in the
   "Base" column). Were exactly one of its cells hidden, it could be recomputed from the
   others; so the smallest other cell of the relation is hidden too, preferring a non-zero
   one (a reader who knows that zeros are never hidden could otherwise recompute the
   small count from "x + 0 = total"). This runs until no relation has exactly one hidden
   cell: for every relation, members and total together, 0 or at least 2 cells are
   hidden.
3. The same number published twice is hidden in both places (`ALIASES`: F2's counts are
   F1's detected victims; the `covered` of F2–F5, MAP and CRIME are F1 counts; the base
   of a "dont" row is its parent row's count; …).
4. MAP's main countries leave out the countries with fewer victims than the threshold,
   and a "Lecture" sentence quoting a hidden cell of the first row is not published.

Relations (`RELATIONS`; "covered" is the table's `covered`, "base" the rows' base):
- F1 (detected, accompanied, detected_previous): sexual + labour_total + crime +
  begging + other = total; domestic + labour = labour_total.
- F2: the six forms = covered (all detected victims).
- F3: france_only + france_and_abroad + abroad_only = covered;
  france_only + france_and_abroad = france_any.
- F4: women + trans_women = women_incl_trans; men + trans_men = men_incl_trans;
  trans_women + trans_men = trans; women_incl_trans + men_incl_trans + non_binary +
  gender_unknown = covered; the six gender fields = covered.
- F5: under_15 + age_15_17 = minors; age_18_24 + age_25_plus = adults;
  adults + minors + age_unknown = covered; the five age fields = covered.
- F6: the six forms = unaccompanied_minors.
- MAP: every region, `unknown` included = covered (accompanied victims); in each region,
  the five per-form shares = the region's count.
- F7: the three referrals = base; the three support durations = base.
- F9: network + other_context = base. F10: the four links = base.
- SEJ: the four permits held = base; the four pending = permit_pending; the three
  delays = base.
- F12: the four complaint rows = base; complaint_thb + complaint_other +
  complaint_unspecified = complaint_any.
- F13: the five court outcomes = base. INS: employed_cdi + employed_cdd = employed.
Part 2 distributions may add up to less than their base (a blank is not 0): they are
still treated as relations, which can only hide more.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from survey.questionnaire import FORMS, GROUPS

from .figures import COMPLAINT_SPLIT, COMPLAINTS_FILED, DELAYS, HELD, PENDING
from .tables import COURT_OUTCOMES, Row, Table

Cell = tuple[str, str]  # (row key, column)
# The table's `covered` (its "Champ"), as a cell: no row has an empty key.
COVERED: Cell = ("", "covered")

PRIMARY = "petit effectif (< {threshold})"
SECONDARY = "masquage secondaire ({detail})"
MASKED = "masqué"  # what a count hidden by secondary suppression shows

# MAP: the per-form shares of a region, and the forms whose victims each one counts.
MAP_FORM_SHARES: dict[str, tuple[str, ...]] = {
    "share_sexual": ("sexual",),
    "share_labour_incl_domestic": ("labour", "domestic"),
    "share_crime": ("crime",),
    "share_begging": ("begging",),
    "share_other": ("other",),
}
# A share and the counts it is computed from (numerator, base): hidden when one is.
SHARE_SOURCES: dict[str, tuple[str, ...]] = {
    "share": ("count", "denominator"),
    "accompanied_share": ("accompanied", "detected"),
    "evolution": ("detected", "detected_previous"),  # F1, against the previous campaign
}
# Display order of the columns (the order of the list of hidden cells).
COLUMN_ORDER = (
    "covered",
    "detected",
    "accompanied",
    "accompanied_share",
    "detected_previous",
    "evolution",
    "count",
    "share",
    "denominator",
    *MAP_FORM_SHARES,
    "main_countries",
)

F1_FORMS = ("sexual", "labour_total", "crime", "begging", "other")

# table id → (members, total): total a row key, or "covered", or None (the base of the
# members' shares, published in the "Base" column).
RELATIONS: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "F1": ((F1_FORMS, "total"), (("domestic", "labour"), "labour_total")),
    "F2": ((FORMS, "covered"),),
    "F3": (
        (GROUPS["place"].fields, "covered"),
        (("france_only", "france_and_abroad"), "france_any"),
    ),
    "F4": (
        (("women", "trans_women"), "women_incl_trans"),
        (("men", "trans_men"), "men_incl_trans"),
        (("trans_women", "trans_men"), "trans"),
        (("women_incl_trans", "men_incl_trans", "non_binary", "gender_unknown"), "covered"),
        (GROUPS["gender"].fields, "covered"),
    ),
    "F5": (
        (("under_15", "age_15_17"), "minors"),
        (("age_18_24", "age_25_plus"), "adults"),
        (("adults", "minors", "age_unknown"), "covered"),
        (GROUPS["age"].fields, "covered"),
    ),
    "F6": ((FORMS, "unaccompanied_minors"),),
    "F7": ((GROUPS["referral"].fields, None), (GROUPS["support_duration"].fields, None)),
    "F9": ((("network", "other_context"), None),),
    "F10": ((GROUPS["link"].fields, None),),
    "SEJ": ((HELD, None), (PENDING, "permit_pending"), (DELAYS, None)),
    "F12": ((COMPLAINT_SPLIT, None), (COMPLAINTS_FILED, "complaint_any")),
    "F13": ((COURT_OUTCOMES, None),),
    "INS": ((("employed_cdi", "employed_cdd"), "employed"),),
    # MAP: built from its rows (`relations`).
}

TableCell = tuple[str, str, str]  # (table id, row key, column)
# The same number, published in two places: a count, and a total or the base of a share
# that repeats it (for a "dont" row, the base is its parent row's count where the same
# associations answered both: hidden together all the same, to be safe).
ALIASES: tuple[tuple[TableCell, TableCell], ...] = (
    *((("F1", form, "detected"), ("F2", form, "count")) for form in FORMS),
    (("F1", "total", "detected"), ("F1", *COVERED)),
    (("F1", "total", "detected"), ("F2", *COVERED)),
    *((("F1", "total", "accompanied"), (id, *COVERED)) for id in ("F3", "F4", "F5", "MAP")),
    (("F1", "crime", "accompanied"), ("CRIME", *COVERED)),
    *((("CRIME", *COVERED), ("CRIME", key, "denominator")) for key in ("minors", "boys_and_men")),
    *((("F6", "unaccompanied_minors", "count"), ("F6", form, "denominator")) for form in FORMS),
    *((("SEJ", "permit_pending", "count"), ("SEJ", key, "denominator")) for key in PENDING),
    *((("SEJ", "permit_held", "count"), ("SEJ", key, "denominator")) for key in HELD),
    (
        ("F6", "unaccompanied_minors", "count"),
        ("F6", "unaccompanied_minors_reported", "denominator"),
    ),
    (("F9", "housed_by_exploiter", "count"), ("F9", "living_at_workplace", "denominator")),
    (("F9", "needs_adapted_housing", "count"), ("F9", "adapted_housing_offered", "denominator")),
    (("F13", "case_prosecuted", "count"), ("F13", "case_prosecuted_thb", "denominator")),
    *(
        (("INS", "employment_support", "count"), ("INS", key, "denominator"))
        for key in ("employed_cdi", "employed_cdd", "employed")
    ),
)


@dataclass(frozen=True)
class HiddenCell:
    table: str
    row: str  # a row key; "" for the table's `covered`
    column: str
    reason: str


@dataclass(frozen=True)
class Relation:
    """Cells adding up: `members` to `total` (None: a base shown elsewhere)."""

    members: tuple[Cell, ...]
    total: Cell | None
    label: str  # "somme = « Total »", for the reasons

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.members + ((self.total,) if self.total else ())


@dataclass(frozen=True)
class ProtectedTable:
    """A table with what publication must not show. Without `hidden`, it shows everything
    (internal mode)."""

    table: Table
    threshold: int = 3
    hidden: Mapping[Cell, str] = field(default_factory=dict)  # cell → reason
    # MAP region → the main countries that may be named (publication); else all.
    main_countries: Mapping[str, list[str]] | None = None

    def reason(self, row: str, column: str) -> str | None:
        return self.hidden.get((row, column))

    def is_hidden(self, row: str, column: str) -> bool:
        return (row, column) in self.hidden

    def mask(self, row: str, column: str) -> str | None:
        """What a hidden cell shows: "< 3" (small count), "masqué" (secondary), or
        nothing (a share)."""
        if is_share(column):
            return None
        if self.hidden[(row, column)] == PRIMARY.format(threshold=self.threshold):
            return f"< {self.threshold}"
        return MASKED

    def covered(self) -> int | str:
        if self.is_hidden(*COVERED):
            return self.mask(*COVERED) or MASKED
        return self.table.covered

    def countries(self, row: Row) -> list[str]:
        codes = row.extra.get("main_countries") or []
        if self.main_countries is None:
            return list(codes)
        return self.main_countries.get(row.key, list(codes))

    @property
    def reading(self) -> str:
        """The "Lecture" sentence, unless it quotes a hidden cell (of the first row)."""
        first = self.table.rows[0].key if self.table.rows else None
        if any(row == first and column != "main_countries" for row, column in self.hidden):
            return "non publiée, elle citerait un chiffre masqué."
        return self.table.reading


def is_share(column: str) -> bool:
    """A percentage: hidden, it shows nothing."""
    return (
        column in ("share", "evolution") or column.startswith("share_") or column.endswith("_share")
    )


def count_columns(table: Table) -> tuple[str, ...]:
    """The count columns the workbook publishes for this table."""
    if table.id == "F1":
        previous = any("detected_previous" in row.extra for row in table.rows)
        return ("detected", "accompanied") + (("detected_previous",) if previous else ())
    columns: tuple[str, ...] = ("count",) if "count" in table.columns else ()
    if any("denominator" in row.extra for row in table.rows):
        columns += ("denominator",)
    return columns


def cell_value(table: Table, cell: Cell) -> int | None:
    """The number of victims a cell shows or reveals (None: no such number)."""
    key, column = cell
    if cell == COVERED:
        return table.covered
    row = _row(table, key)
    if row is None:
        return None
    if column == "count":
        return row.count
    if table.id == "MAP" and column in MAP_FORM_SHARES:
        counts = [row.extra.get(f"count_{form}") for form in MAP_FORM_SHARES[column]]
        if not all(isinstance(n, int) for n in counts):
            return None
        return sum(counts)
    value = row.extra.get(column)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def counted_cells(table: Table) -> list[Cell]:
    """Every cell standing for a number of victims, `covered` first."""
    cells = [COVERED]
    columns = count_columns(table)
    if table.id == "MAP":
        columns += tuple(MAP_FORM_SHARES)
    for row in table.rows:
        cells += [(row.key, c) for c in columns if cell_value(table, (row.key, c)) is not None]
    return cells


def relations(table: Table) -> list[Relation]:
    """The additive relations between the table's cells (see the module's docstring)."""
    keys = {row.key: row for row in table.rows}
    found = []
    # The columns the relations hold in (not the bases of the shares).
    columns = tuple(c for c in count_columns(table) if c != "denominator")
    if table.id == "MAP":
        specs: tuple[tuple[tuple[str, ...], str | None], ...] = ((tuple(keys), "covered"),)
    else:
        specs = RELATIONS.get(table.id, ())
    for members, total in specs:
        present = tuple(key for key in members if key in keys)
        if len(present) < 2:
            continue
        for column in columns:
            if total == "covered":
                total_cell: Cell | None = COVERED
                label = "somme = victimes du champ du tableau"
            elif total in keys:
                total_cell = (total, column)
                label = f"somme = « {keys[total].label} »"
            else:
                total_cell = None
                label = "somme = base des parts"
            found.append(Relation(tuple((key, column) for key in present), total_cell, label))
    if table.id == "MAP":
        for row in table.rows:
            members = tuple((row.key, column) for column in MAP_FORM_SHARES)
            if all(cell_value(table, cell) is not None for cell in members):
                found.append(
                    Relation(members, (row.key, "count"), f"formes, somme = « {row.label} »")
                )
    return found


def protect(
    tables: Mapping[str, Table], threshold: int
) -> tuple[dict[str, ProtectedTable], list[HiddenCell]]:
    """Which published cells to hide, and why (see the module's docstring)."""
    primary = PRIMARY.format(threshold=threshold)
    hidden: dict[str, dict[Cell, str]] = {id: {} for id in tables}

    for id, table in tables.items():
        for cell in counted_cells(table):
            value = cell_value(table, cell)
            if value is not None and 0 < value < threshold:
                hidden[id][cell] = primary

    all_relations = {id: relations(table) for id, table in tables.items()}
    changed = True
    while changed:
        changed = False
        for id, table in tables.items():
            for relation in all_relations[id]:
                changed |= _complete(table, relation, hidden[id])
        for first, second in ALIASES:
            changed |= _same_number(tables, hidden, first, second)

    protected = {}
    for id, table in tables.items():
        _hide_shares(table, hidden[id])
        protected[id] = ProtectedTable(
            table, threshold, hidden[id], _main_countries(table, threshold, hidden[id])
        )
    return protected, _listing(tables, hidden)


def _row(table: Table, key: str) -> Row | None:
    return next((row for row in table.rows if row.key == key), None)


# How a reason names the column of the cell it protects.
COLUMN_NAMES = {
    "detected": "victimes repérées",
    "accompanied": "victimes accompagnées",
    "detected_previous": "victimes repérées l'année précédente",
    "count": "effectif",
    "denominator": "base de la part",
    "share_sexual": "part de l'exploitation sexuelle",
    "share_labour_incl_domestic": "part de l'exploitation par le travail",
    "share_crime": "part de la contrainte à commettre des délits",
    "share_begging": "part de la mendicité forcée",
    "share_other": "part des autres formes",
}


def _label(table: Table, cell: Cell) -> str:
    """« Row label » (column), for a reason."""
    if cell == COVERED:
        return "« champ du tableau »"
    row = _row(table, cell[0])
    label = row.label if row else cell[0]
    return f"« {label} » ({COLUMN_NAMES.get(cell[1], cell[1])})"


def _complete(table: Table, relation: Relation, hidden: dict[Cell, str]) -> bool:
    """Hide a second cell of a relation with exactly one hidden; True if one was."""
    cells = relation.cells
    hidden_cells = [cell for cell in cells if cell in hidden]
    if len(hidden_cells) != 1:
        return False
    candidates = [
        cell for cell in cells if cell not in hidden and cell_value(table, cell) is not None
    ]
    if not candidates:
        return False

    def cost(cell: Cell) -> tuple[bool, int, int]:
        value = cell_value(table, cell) or 0
        return (value == 0, value, cells.index(cell))

    chosen = min(candidates, key=cost)
    protected = _label(table, hidden_cells[0])
    hidden[chosen] = SECONDARY.format(detail=f"protège {protected} ; {relation.label}")
    return True


def _same_number(
    tables: Mapping[str, Table],
    hidden: dict[str, dict[Cell, str]],
    first: TableCell,
    second: TableCell,
) -> bool:
    """Hide both places of a number published twice, if one is hidden."""
    if first[0] not in tables or second[0] not in tables:
        return False
    changed = False
    for (a_id, *a_cell), (b_id, *b_cell) in ((first, second), (second, first)):
        a, b = (a_cell[0], a_cell[1]), (b_cell[0], b_cell[1])
        a_value, b_value = cell_value(tables[a_id], a), cell_value(tables[b_id], b)
        if a_value is None or b_value is None:
            return False
        if a in hidden[a_id] and b not in hidden[b_id]:
            if a_value == b_value and hidden[a_id][a].startswith("petit effectif"):
                hidden[b_id][b] = hidden[a_id][a]
            else:
                detail = f"même nombre que {a_id} {_label(tables[a_id], a)}"
                hidden[b_id][b] = SECONDARY.format(detail=detail)
            changed = True
    return changed


def _hide_shares(table: Table, hidden: dict[Cell, str]) -> None:
    """A share goes with its count and its base: hidden when one of them is."""
    for row in table.rows:
        for share, sources in SHARE_SOURCES.items():
            published = "share" in table.columns if share == "share" else share in row.extra
            if not published:
                continue
            for source in sources:
                if (row.key, source) in hidden:
                    hidden[(row.key, share)] = hidden[(row.key, source)]
                    break


def _main_countries(
    table: Table, threshold: int, hidden: dict[Cell, str]
) -> dict[str, list[str]] | None:
    """MAP: the main countries without those of fewer victims than the threshold."""
    if table.id != "MAP":
        return None
    victims = {c["key"]: c["count"] for c in table.extra.get("countries", [])}
    kept = {}
    for row in table.rows:
        codes = list(row.extra.get("main_countries") or [])
        kept[row.key] = [code for code in codes if victims.get(code, threshold) >= threshold]
        if len(kept[row.key]) < len(codes):
            hidden[(row.key, "main_countries")] = PRIMARY.format(threshold=threshold)
    return kept


def _listing(
    tables: Mapping[str, Table], hidden: Mapping[str, dict[Cell, str]]
) -> list[HiddenCell]:
    """Every hidden cell, in the order of the tables, their rows and columns."""
    listing = []
    for id, table in tables.items():
        rows = ["", *(row.key for row in table.rows)]

        def order(cell: Cell, rows: list[str] = rows) -> tuple[int, int]:
            column = cell[1]
            position = COLUMN_ORDER.index(column) if column in COLUMN_ORDER else len(COLUMN_ORDER)
            return (rows.index(cell[0]), position)

        listing += [
            HiddenCell(id, row, column, hidden[id][(row, column)])
            for row, column in sorted(hidden[id], key=order)
        ]
    return listing
