"""Charts of the published tables, drawn on the server as inline SVG.

Why SVG written here rather than @gouvfr/dsfr-chart (installed from npm at set-up):

- no JavaScript to load, nor to keep in step with the DSFR version the site ships
  (dsfr-chart is a set of Vue web components built against a given DSFR release, and
  would need npm at set-up and a script on every page);
- works under a strict Content-Security-Policy: no script, no inline style (colours are
  SVG presentation attributes), nothing fetched;
- the page prints as it shows, and the chart is in the HTML the tests read;
- screen readers get a one-line summary (`role="img"`, `aria-label` and `<title>`), and the
  numbers themselves in the DSFR table next to the chart, which is the accessible source.

Each function takes `items`, a list of (label, count), and returns SVG markup (a string,
labels escaped), or "" when there is nothing to draw (no item, or every count 0). The
percentages shown are `shares` when given (the table's own, so that chart and table
always agree), otherwise each count's whole percentage of the items' total, rounded half
up like the tables. Colours are the "main" shades of the DSFR illustrative palette;
text is `currentColor`, so it follows the light or dark theme.
"""

import textwrap
from collections.abc import Sequence
from html import escape
from math import cos, pi, sin

from .tables import fr_number, fr_percent, percent

# DSFR illustrative colours (`--<name>-main-<n>`), in the order slices take them:
# neighbours differ in hue.
PALETTE: tuple[str, ...] = (
    "#465f9d",  # blue-ecume
    "#009081",  # green-menthe
    "#a558a0",  # purple-glycine
    "#e4794a",  # orange-terre-battue
    "#c3992a",  # yellow-moutarde
    "#417dc4",  # blue-cumulus
    "#ce614a",  # pink-tuile
    "#68a532",  # green-bourgeon
    "#c08c65",  # brown-caramel
    "#009099",  # green-archipel
    "#b7a73f",  # green-tilleul-verveine
    "#e18b76",  # pink-macaron
)
BAR_COLOUR = "#465f9d"  # blue-ecume
MUTED_COLOUR = "#aea397"  # beige-gris-galet: "non précisé", "non renseigné"

Items = Sequence[tuple[str, int]]
Shares = Sequence[int | None] | None

WIDTH = 600  # of the viewBox; the SVG takes its container's width
NARROW = 480  # below, the legend goes under the pie and the labels above the bars
FONT_SIZE = 14
LINE = 18  # line height of the text
CHAR_WIDTH = 7.2  # about, at FONT_SIZE, to wrap the labels


def _shares(items: Items, shares: Shares) -> list[int | None]:
    if shares is not None:
        if len(shares) != len(items):
            raise ValueError("one share per item")
        return list(shares)
    total = sum(count for _label, count in items)
    return [percent(count, total) for _label, count in items]


def _share_text(share: int | None) -> str:
    return "—" if share is None else fr_percent(share)


def summary(items: Items, shares: Shares = None, title: str = "") -> str:
    """ "Title : label : 4 672 (78 %) ; …", what the chart says in one line."""
    parts = [
        f"{label} : {fr_number(count)} ({_share_text(share)})"
        for (label, count), share in zip(items, _shares(items, shares), strict=True)
    ]
    text = " ; ".join(parts)
    return f"{title}. {text}" if title else text


def _lines(label: str, width: int) -> list[str]:
    return textwrap.wrap(label, width, break_long_words=False) or [""]


def _text(x: float, y: float, lines: list[str], *, anchor: str = "start", bold=False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:g}" dy="{0 if index == 0 else LINE}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" fill="currentColor"'
        f"{weight}>{spans}</text>"
    )


def _svg(width: int, height: float, label: str, body: list[str], kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="teh-chart teh-chart--{kind}" '
        f'viewBox="0 0 {width} {height:g}" width="100%" role="img" '
        f'aria-label="{escape(label)}" font-size="{FONT_SIZE}" '
        f'font-family="Marianne, arial, sans-serif">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _colours(items: Items, muted: Sequence[int]) -> list[str]:
    colours = []
    for index in range(len(items)):
        if index in muted:
            colours.append(MUTED_COLOUR)
        else:
            colours.append(PALETTE[(index - sum(1 for m in muted if m < index)) % len(PALETTE)])
    return colours


def pie_chart(
    items: Items,
    *,
    shares: Shares = None,
    title: str = "",
    muted: Sequence[int] = (),
    width: int = WIDTH,
) -> str:
    """A pie, slices clockwise from the top in the items' order, with a legend (colour,
    percentage, label): on its right, or under it when `width` is below `NARROW` (a
    phone). `muted`: indexes of items drawn grey ("non renseigné"). "" when the counts
    add up to 0."""
    items = list(items)
    total = sum(count for _label, count in items)
    if not items or total <= 0:
        return ""
    values = _shares(items, shares)
    colours = _colours(items, muted)

    radius = 100
    if width < NARROW:
        cx, cy = width / 2, radius + 6
        legend_x, y = 4, 2 * radius + 24
    else:
        cx, cy = radius + 10, 0.0  # cy: once the legend's height is known
        legend_x, y = 2 * radius + 36, 10
    percent_x, label_x = legend_x + 64, legend_x + 74
    label_chars = int((width - label_x) / CHAR_WIDTH)

    legend: list[str] = []
    for (label, _count), share, colour in zip(items, values, colours, strict=True):
        lines = _lines(label, label_chars)
        legend.append(f'<rect x="{legend_x}" y="{y + 2}" width="14" height="14" fill="{colour}"/>')
        legend.append(_text(percent_x, y + 14, [_share_text(share)], anchor="end", bold=True))
        legend.append(_text(label_x, y + 14, lines))
        y += LINE * len(lines) + 8
    if width < NARROW:
        height = y + 4
    else:
        height = max(2 * radius + 20, y + 4)
        cy = height / 2

    slices: list[str] = []
    drawn = [(count, colour) for (_l, count), colour in zip(items, colours, strict=True) if count]
    if len(drawn) == 1:
        slices.append(f'<circle cx="{cx:g}" cy="{cy:g}" r="{radius}" fill="{drawn[0][1]}"/>')
    else:
        angle = 0.0
        for count, colour in drawn:
            end = angle + 2 * pi * count / total
            x0, y0 = cx + radius * sin(angle), cy - radius * cos(angle)
            x1, y1 = cx + radius * sin(end), cy - radius * cos(end)
            large = 1 if end - angle > pi else 0
            slices.append(
                f'<path d="M{cx:g},{cy:g} L{x0:.2f},{y0:.2f} '
                f'A{radius},{radius} 0 {large},1 {x1:.2f},{y1:.2f} Z" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
            )
            angle = end
    return _svg(width, height, summary(items, shares, title), slices + legend, "pie")


def bar_chart(
    items: Items,
    *,
    shares: Shares = None,
    title: str = "",
    muted: Sequence[int] = (),
    width: int = WIDTH,
) -> str:
    """Horizontal bars, one per item in the items' order: the label (on the left, or above
    the bar when `width` is below `NARROW`), the bar (as long as the percentage, the
    largest filling the width) and its percentage after it. An item whose share is None
    has no bar and reads "—". `muted`: indexes of items drawn grey. "" when there is no
    item or every count is 0."""
    items = list(items)
    if not items or not any(count for _label, count in items):
        return ""
    values = _shares(items, shares)
    largest = max((share for share in values if share is not None), default=0)

    narrow = width < NARROW
    bar_height = 16
    if narrow:
        label_end, bar_x = 0, 4
        label_chars = int((width - 8) / CHAR_WIDTH)
    else:
        label_end = int(width * 0.39)
        bar_x = label_end + 12
        label_chars = int(label_end / CHAR_WIDTH)
    bar_max = width - bar_x - 56  # room for "100 %" after the longest bar

    body: list[str] = []
    y = 6
    for index, ((label, _count), share) in enumerate(zip(items, values, strict=True)):
        lines = _lines(label, label_chars)
        if narrow:
            body.append(_text(bar_x, y + 14, lines))
            bar_y = y + LINE * len(lines) + 2
            row_height = LINE * len(lines) + bar_height + 14
        else:
            body.append(_text(label_end, y + 14, lines, anchor="end"))
            bar_y = y + 2
            row_height = max(LINE * len(lines), bar_height + 4) + 8
        length = bar_max * share / largest if share and largest else 0
        colour = MUTED_COLOUR if index in muted else BAR_COLOUR
        if length:
            body.append(
                f'<rect x="{bar_x}" y="{bar_y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{colour}"/>'
            )
        value = _text(bar_x + length + 6, bar_y + 13, [_share_text(share)], bold=True)
        body.append(value)
        y += row_height
    return _svg(width, y, summary(items, shares, title), body, "bar")
