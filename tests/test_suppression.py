"""reports/suppression.py: small counts hidden in publication, and what would reveal them.

Pure functions on hand-made `Table`s (no database): primary suppression (0 < n < 3 shown
"< 3", its share hidden), secondary suppression (no relation of a table, members and
total together, has exactly one hidden cell), the same number hidden wherever it is
published, and the internal mode that hides nothing.
"""

import random

import pytest

from reports.suppression import (
    COVERED,
    MASKED,
    ProtectedTable,
    protect,
    relations,
)
from reports.tables import Row, Table
from survey.questionnaire import FORMS

PRIMARY = "petit effectif (< 3)"


def table(id: str, rows: list[Row], covered: int | None = None, **fields) -> Table:
    if covered is None:
        covered = sum(row.count or 0 for row in rows)
    return Table(
        id=id,
        title=f"Tableau {id}",
        covered=covered,
        respondents=4,
        rows=rows,
        reading=f"Lecture de {id}.",
        note="",
        chart=None,
        **fields,
    )


def counts_table(id: str, counts: dict[str, int], covered: int | None = None) -> Table:
    """A table of count and share (of `covered`, by default the sum) per key."""
    total = sum(counts.values()) if covered is None else covered
    rows = [
        Row(key, key.capitalize(), n, round(100 * n / total) if total else None)
        for key, n in counts.items()
    ]
    return table(id, rows, total)


def f1(detected: dict[str, int], accompanied: dict[str, int]) -> Table:
    """F1 from the six forms: labour_total, dont rows and total added."""
    order = ("sexual", "labour_total", "domestic", "labour", "crime", "begging", "other", "total")

    def value(numbers: dict[str, int], key: str) -> int:
        if key == "labour_total":
            return numbers["labour"] + numbers["domestic"]
        if key == "total":
            return sum(numbers.values())
        return numbers[key]

    rows = []
    for key in order:
        d, a = value(detected, key), value(accompanied, key)
        extra = {
            "detected": d,
            "accompanied": a,
            "accompanied_share": round(100 * a / d) if d else None,
        }
        rows.append(Row(key, key, None, None, extra))
    return table("F1", rows, value(detected, "total"), columns=())


def hidden_of(protected: ProtectedTable) -> dict[tuple[str, str], str]:
    return dict(protected.hidden)


def check_relations(protected: dict[str, ProtectedTable]) -> None:
    """Every relation has 0 or at least 2 hidden cells, members and total together."""
    for id, item in protected.items():
        for relation in relations(item.table):
            hidden = [cell for cell in relation.cells if item.is_hidden(*cell)]
            assert len(hidden) != 1, (id, relation, hidden)


# --- Primary and secondary suppression ----------------------------------------------------


def test_a_small_count_is_hidden_with_its_share_and_the_smallest_other_cell_of_its_group():
    f2 = counts_table(
        "F2", {"sexual": 40, "labour": 10, "domestic": 2, "crime": 5, "begging": 0, "other": 0}
    )
    protected, cells = protect({"F2": f2}, 3)

    assert hidden_of(protected["F2"]) == {
        ("domestic", "count"): PRIMARY,
        ("domestic", "share"): PRIMARY,
        # The forms add up to the covered victims: 2 could be recomputed from the others.
        # Zeros are never hidden first (x + 0 = total would give x back).
        ("crime", "count"): (
            "masquage secondaire (protège « Domestic » (effectif) ; "
            "somme = victimes du champ du tableau)"
        ),
        ("crime", "share"): (
            "masquage secondaire (protège « Domestic » (effectif) ; "
            "somme = victimes du champ du tableau)"
        ),
    }
    assert [(c.table, c.row, c.column) for c in cells] == [
        ("F2", "domestic", "count"),
        ("F2", "domestic", "share"),
        ("F2", "crime", "count"),
        ("F2", "crime", "share"),
    ]
    shown = protected["F2"]
    assert shown.mask("domestic", "count") == "< 3"
    assert shown.mask("crime", "count") == MASKED
    assert shown.mask("domestic", "share") is None
    assert shown.covered() == 57


def test_zeros_are_hidden_only_when_no_other_cell_is_left():
    f2 = counts_table(
        "F2", {"sexual": 0, "labour": 0, "domestic": 0, "crime": 0, "begging": 1, "other": 0}
    )
    protected, _ = protect({"F2": f2}, 3)
    # covered = 1 is hidden itself: two hidden cells, nothing more to hide.
    assert set(hidden_of(protected["F2"])) == {
        ("begging", "count"),
        ("begging", "share"),
        COVERED,
    }
    assert protected["F2"].covered() == "< 3"


def test_secondary_suppression_runs_through_every_relation_it_touches():
    f3 = counts_table(
        "F3", {"france_only": 1, "france_and_abroad": 20, "abroad_only": 9, "france_any": 21}, 30
    )
    protected, _ = protect({"F3": f3}, 3)
    hidden = hidden_of(protected["F3"])
    # The three places add up to the covered victims: the smallest other, abroad_only;
    # france_only + france_and_abroad = france_any: the smallest other, france_and_abroad.
    assert {cell for cell in hidden if cell[1] == "count"} == {
        ("france_only", "count"),
        ("abroad_only", "count"),
        ("france_and_abroad", "count"),
    }
    assert hidden[("france_only", "count")] == PRIMARY
    assert hidden[("france_and_abroad", "count")].startswith("masquage secondaire (")
    assert "« France_any »" in hidden[("france_and_abroad", "count")]
    check_relations(protected)


def test_a_total_hidden_alone_hides_a_member_too():
    # F1: labour_total accompanied is the smallest other cell of the forms' relation once
    # `other` is hidden; its own members (domestic + labour) must then lose one cell too.
    tables = {
        "F1": f1(
            detected={
                "sexual": 50,
                "labour": 9,
                "domestic": 8,
                "crime": 40,
                "begging": 30,
                "other": 2,
            },
            accompanied={
                "sexual": 40,
                "labour": 4,
                "domestic": 3,
                "crime": 30,
                "begging": 20,
                "other": 1,
            },
        )
    }
    protected, _ = protect(tables, 3)
    hidden = hidden_of(protected["F1"])
    assert hidden[("other", "detected")] == PRIMARY
    assert hidden[("other", "accompanied")] == PRIMARY
    assert hidden[("other", "accompanied_share")] == PRIMARY
    assert hidden[("labour_total", "detected")].startswith("masquage secondaire (")
    assert hidden[("labour_total", "accompanied")].startswith("masquage secondaire (")
    # domestic (8, 3) is smaller than labour (9, 4): it goes with labour_total.
    assert ("domestic", "detected") in hidden and ("domestic", "accompanied") in hidden
    assert ("labour", "detected") not in hidden
    # A share goes with its count and with its base.
    assert ("labour_total", "accompanied_share") in hidden
    assert ("domestic", "accompanied_share") in hidden
    assert ("sexual", "accompanied_share") not in hidden
    check_relations(protected)


def test_a_number_published_twice_is_hidden_in_both_places():
    detected = {"sexual": 50, "labour": 9, "domestic": 8, "crime": 40, "begging": 30, "other": 4}
    accompanied = {"sexual": 40, "labour": 4, "domestic": 3, "crime": 30, "begging": 20, "other": 2}
    tables = {
        "F1": f1(detected, accompanied),
        "F2": counts_table("F2", {form: detected[form] for form in FORMS}),
    }
    protected, _ = protect(tables, 3)
    # F1: other accompanied (2) hidden; the accompanied relation hides domestic's (3)...
    f1_hidden = hidden_of(protected["F1"])
    assert ("other", "accompanied") in f1_hidden
    # ...and F2's relation forces a second detected cell, also hidden in F1 and back.
    f2_hidden = {cell for cell in hidden_of(protected["F2"]) if cell[1] == "count"}
    for key, _ in f2_hidden:
        assert (key, "detected") in f1_hidden
    for key, column in f1_hidden:
        if column == "detected" and key in FORMS:
            assert (key, "count") in f2_hidden
    check_relations(protected)


def test_map_per_form_shares_and_main_countries():
    def region(key, count, forms, countries):
        extra = {f"count_{form}": forms.get(form, 0) for form in FORMS}
        extra["main_countries"] = countries
        return Row(key, key.capitalize(), count, None, extra)

    rows = [
        region("nigeria", 30, {"sexual": 29, "labour": 1}, ["NG"]),
        region("asia", 20, {"sexual": 8, "labour": 6, "domestic": 6}, ["PH", "VN"]),
        region("unknown", 10, {"sexual": 10}, []),
    ]
    map_table = table(
        "MAP",
        rows,
        60,
        extra={
            "countries": [
                {"key": "NG", "count": 30},
                {"key": "PH", "count": 18},
                {"key": "VN", "count": 2},
            ]
        },
    )
    protected, _ = protect({"MAP": map_table}, 3)
    hidden = hidden_of(protected["MAP"])
    # Nigeria: 1 victim of labour exploitation; its share would give it, and 100 − the
    # other shares too: the smallest other non-zero share (sexual, 29) goes as well.
    assert hidden[("nigeria", "share_labour_incl_domestic")] == PRIMARY
    assert hidden[("nigeria", "share_sexual")].startswith("masquage secondaire (")
    assert ("asia", "share_labour_incl_domestic") not in hidden
    # A country of 2 victims is not named.
    assert protected["MAP"].countries(rows[1]) == ["PH"]
    assert hidden[("asia", "main_countries")] == PRIMARY
    # The first row is not quoted with a hidden number: main countries do not count.
    check_relations(protected)


def test_the_reading_is_withdrawn_when_it_quotes_a_hidden_cell():
    f2 = counts_table(
        "F2", {"sexual": 2, "labour": 10, "domestic": 20, "crime": 5, "begging": 0, "other": 0}
    )
    protected, _ = protect({"F2": f2}, 3)
    assert protected["F2"].reading == "non publiée, elle citerait un chiffre masqué."
    unprotected = ProtectedTable(f2)
    assert unprotected.reading == "Lecture de F2."


def test_internal_mode_hides_nothing():
    f2 = counts_table(
        "F2", {"sexual": 1, "labour": 2, "domestic": 0, "crime": 5, "begging": 0, "other": 0}
    )
    internal = ProtectedTable(f2)
    assert not internal.hidden
    assert not internal.is_hidden("sexual", "count")
    assert internal.covered() == 8
    assert internal.countries(f2.rows[0]) == []


def test_a_threshold_of_one_hides_nothing():
    f2 = counts_table(
        "F2", {"sexual": 1, "labour": 2, "domestic": 0, "crime": 5, "begging": 0, "other": 0}
    )
    protected, cells = protect({"F2": f2}, 1)
    assert cells == []
    assert not protected["F2"].hidden


# --- The property, on many tables -------------------------------------------------------


def f4(rng: random.Random) -> Table:
    gender = {
        key: rng.choice([0, 0, 1, 2, 3, 4, 7, 20])
        for key in ("women", "trans_women", "men", "trans_men", "non_binary", "gender_unknown")
    }
    counts = {
        "women_incl_trans": gender["women"] + gender["trans_women"],
        "women": gender["women"],
        "trans_women": gender["trans_women"],
        "men_incl_trans": gender["men"] + gender["trans_men"],
        "men": gender["men"],
        "trans_men": gender["trans_men"],
        "non_binary": gender["non_binary"],
        "gender_unknown": gender["gender_unknown"],
        "trans": gender["trans_women"] + gender["trans_men"],
    }
    return counts_table("F4", counts, sum(gender.values()))


def f5(rng: random.Random) -> Table:
    age = {
        key: rng.choice([0, 1, 2, 3, 5, 12])
        for key in ("under_15", "age_15_17", "age_18_24", "age_25_plus", "age_unknown")
    }
    counts = {
        "adults": age["age_18_24"] + age["age_25_plus"],
        "minors": age["under_15"] + age["age_15_17"],
        **age,
    }
    return counts_table("F5", counts, sum(age.values()))


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("threshold", [3, 5])
def test_no_relation_is_left_with_a_single_hidden_cell(seed, threshold):
    rng = random.Random(seed)
    forms = {form: rng.choice([0, 1, 2, 4, 9, 30]) for form in FORMS}
    accompanied = {form: rng.randint(0, n) for form, n in forms.items()}
    tables = {
        "F1": f1(forms, accompanied),
        "F2": counts_table("F2", forms),
        "F4": f4(rng),
        "F5": f5(rng),
    }
    protected, cells = protect(tables, threshold)
    check_relations(protected)
    # Every cell under the threshold is hidden, and listed with its reason.
    for item in protected.values():
        for row in item.table.rows:
            for column in ("count", "detected", "accompanied"):
                value = row.count if column == "count" else row.extra.get(column)
                if isinstance(value, int) and 0 < value < threshold:
                    assert item.reason(row.key, column) == f"petit effectif (< {threshold})"
    assert len(cells) == sum(len(item.hidden) for item in protected.values())
    assert all(
        cell.reason.startswith(("petit effectif (< ", "masquage secondaire (")) for cell in cells
    )


def test_the_base_of_a_dont_row_goes_with_its_parents_count():
    def row(key, count, share, denominator):
        return Row(key, key, count, share, {"denominator": denominator, "respondents": 2})

    # F13: 1 case dismissed; the smallest other outcome is "prosecuted" (4), which the
    # base of "dont poursuivies sur l'infraction de traite" repeats.
    f13 = table(
        "F13",
        [
            row("case_ongoing", 10, 50, 20),
            row("case_prosecuted", 4, 20, 20),
            row("case_prosecuted_thb", 3, 75, 4),
            row("case_dismissed", 1, 5, 20),
            row("case_alternative", 0, 0, 20),
            row("case_no_news", 5, 25, 20),
        ],
        20,
    )
    protected, _ = protect({"F13": f13}, 3)
    hidden = hidden_of(protected["F13"])
    assert hidden[("case_dismissed", "count")] == PRIMARY
    assert ("case_prosecuted", "count") in hidden
    assert hidden[("case_prosecuted_thb", "denominator")] == (
        "masquage secondaire (même nombre que F13 « case_prosecuted » (effectif))"
    )
    # Its share, computed on that base, goes too; its count stays.
    assert ("case_prosecuted_thb", "share") in hidden
    assert ("case_prosecuted_thb", "count") not in hidden
    assert protected["F13"].mask("case_prosecuted_thb", "denominator") == MASKED
