"""Hostile input to every questionnaire page and to the JSON import (hypothesis).

Whatever is posted (huge or negative numbers, text, Unicode, HTML, missing, duplicated or
unknown fields), a page never answers 500: it saves what is valid and shows a French
message beside what is not, and nothing stored breaks a rule of a single field (a count
is a whole number from 0 to MAX_COUNT, or blank where blank is allowed). Bodies too large
or with too many fields are refused with 400 before any view runs.
The JSON import (`manage.py import_answers`), fed with random documents and with valid
ones where one value is replaced, either loads answers that break no rule or refuses with
its message and loads nothing. The workbook upload, fed with random bytes and with the
downloaded workbook carrying random values in random cells, shows a preview or refuses
with its message, and never changes the draft before "Appliquer".
"""

import io
import json
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from survey.answers_json import export_answers
from survey.checks import check_submission
from survey.models import FormAnswer, OriginCount, Submission
from survey.questionnaire import COUNT_FIELDS, MAX_COUNT, SECTIONS

from .conftest import make_submission

FUZZ = hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "abc",
            "12,5",
            "12.5",
            "1e9",
            "0x10",
            "NaN",
            "-0",
            "+7",
            "٣",  # an Arabic-Indic digit: a number for Python's int()
            "1\u00a0000",
            "2 000 000",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            '=HYPERLINK("http://x")',
            "\x00",
            "𝟙𝟚",
            "a" * 5000,
        ]
    ),
    st.text(max_size=40),
)


def input_names(html: str) -> list[str]:
    """The names of the inputs a page offers (the grid's cells, the countries...)."""
    return sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)))


def assert_nothing_stored_breaks_a_field_rule() -> None:
    for row in FormAnswer.objects.values(*COUNT_FIELDS):
        for field, value in row.items():
            assert value is None or (isinstance(value, int) and 0 <= value <= MAX_COUNT), (
                field,
                value,
            )
    for count in OriginCount.objects.values_list("count", flat=True):
        assert 0 <= count <= MAX_COUNT
    for submission in Submission.objects.all():
        for field in ("suspects_identified", "association_civil_party_cases"):
            value = getattr(submission, field)
            assert value is None or 0 <= value <= MAX_COUNT


@pytest.fixture
def page_inputs(client_a, association_a, campaign):
    """Each section's URL and the names of its inputs."""
    make_submission(association_a, campaign)
    pages = []
    for section in SECTIONS:
        url = f"/espace/{association_a.pk}/{campaign.year}/questionnaire/{section.slug}/?toutes=1"
        response = client_a.get(url)
        assert response.status_code == 200
        pages.append((url, input_names(response.content.decode())))
    return pages


@pytest.mark.parametrize("index", range(len(SECTIONS)), ids=[s.slug for s in SECTIONS])
def test_hostile_posts_to_a_section_never_break_it(client_a, page_inputs, index):
    url, names = page_inputs[index]
    names = [name for name in names if name not in ("csrfmiddlewaretoken", "version")]

    @FUZZ
    @given(
        values=st.dictionaries(st.sampled_from(names or ["x"]), st.lists(HOSTILE, max_size=3)),
        extra=st.dictionaries(st.text(min_size=1, max_size=12), HOSTILE, max_size=3),
        version=st.one_of(st.none(), HOSTILE),
    )
    def post(values, extra, version):
        data = {**values, **extra}
        submission = Submission.objects.get()
        data["version"] = str(submission.version) if version is None else version
        response = client_a.post(url, data)
        assert response.status_code in (200, 302, 409), response.status_code
        if response.status_code in (200, 409):
            page = response.content.decode()
            # Refused: a French message, and what was typed is still there.
            assert "fr-error-text" in page or "fr-alert" in page or "fr-message" in page
        assert_nothing_stored_breaks_a_field_rule()

    post()


def test_too_many_fields_is_refused_before_the_view(client_a, association_a, campaign):
    make_submission(association_a, campaign)
    url = f"/espace/{association_a.pk}/{campaign.year}/questionnaire/genre/"
    before = Submission.objects.get().to_data()
    fields = {f"f{index}": "1" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client_a.post(url, fields)
    assert response.status_code == 400
    assert Submission.objects.get().to_data() == before


def test_an_oversized_body_is_refused_before_the_view(client_a, association_a, campaign):
    make_submission(association_a, campaign)
    url = f"/espace/{association_a.pk}/{campaign.year}/questionnaire/genre/"
    before = Submission.objects.get().to_data()
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client_a.post(url, {"sexual-women": body})
    assert response.status_code == 400
    assert Submission.objects.get().to_data() == before


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True),
        st.text(max_size=20),
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.parametrize("shape", ["random", "near_valid"])
def test_hostile_json_imports_load_everything_or_nothing(db, campaign, association_a, shape):
    make_submission(association_a, campaign)
    template = export_answers(campaign.year)
    Submission.objects.all().delete()

    documents = (
        JSON_VALUES
        if shape == "random"
        else st.builds(
            lambda value, key: _mutate(template, value, key),
            JSON_VALUES,
            st.integers(min_value=0, max_value=10_000),
        )
    )

    @FUZZ
    @given(document=documents)
    def load(document):
        err = io.StringIO()
        try:
            call_command("import_answers", "-", stdin=io.StringIO(json.dumps(document)), stderr=err)
        except CommandError as refused:
            assert "rien n'a été modifié" in str(refused)
            assert Submission.objects.count() == 0
        else:
            for submission in Submission.objects.all():
                errors = [p for p in check_submission(submission.to_data()) if p.is_error]
                assert not errors, errors
        assert_nothing_stored_breaks_a_field_rule()
        Submission.objects.all().delete()

    load()


def _mutate(document, value, key: int):
    """The document with one value, chosen by `key`, replaced by `value`."""
    document = json.loads(json.dumps(document))
    places = []

    def walk(node):
        if isinstance(node, dict):
            for name in node:
                places.append((node, name))
                walk(node[name])
        elif isinstance(node, list):
            for index in range(len(node)):
                places.append((node, index))
                walk(node[index])

    walk(document)
    if places:
        container, name = places[key % len(places)]
        container[name] = value
    return document


# --- The workbook upload -----------------------------------------------------------------

CELL_VALUES = st.one_of(
    HOSTILE,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["=1+1", "=A1*1000000", '=HYPERLINK("http://x")', None]),
)


@pytest.fixture
def workbook_template(client_a, association_a, campaign):
    """A's draft and its workbook as downloaded: the cells a member may fill, by sheet."""
    from openpyxl import load_workbook

    make_submission(association_a, campaign)
    url = f"/espace/{association_a.pk}/{campaign.year}/tableur/questionnaire.xlsx"
    content = client_a.get(url).content
    book = load_workbook(io.BytesIO(content))
    inputs = [
        (sheet.title, cell.coordinate)
        for sheet in book.worksheets
        if sheet.sheet_state == "visible"
        for row in sheet.iter_rows()
        for cell in row
        if cell.protection.locked is False
    ]
    return content, inputs


def test_hostile_workbooks_never_break_the_upload(client_a, association_a, workbook_template):
    """Random bytes, and the downloaded workbook with random values (text, decimals,
    formulas, huge numbers…) in random cells, input or label: a preview or a refusal with
    its message, never a 500, and the draft untouched until "Appliquer"."""
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    content, inputs = workbook_template
    upload_url = f"/espace/{association_a.pk}/2024/tableur/importer/"
    before = Submission.objects.get().to_data()

    @hypothesis_settings(FUZZ, max_examples=25)
    @given(
        garbage=st.one_of(st.none(), st.binary(max_size=2000)),
        edits=st.lists(st.tuples(st.sampled_from(inputs), CELL_VALUES, st.booleans()), max_size=6),
    )
    def send(garbage, edits):
        if garbage is not None:
            data = garbage
        else:
            book = load_workbook(io.BytesIO(content))
            for (sheet, ref), value, elsewhere in edits:
                target = book[sheet]
                if elsewhere:  # a label or a cell outside the layout
                    ref = "A1" if ref != "A1" else "B2"
                if isinstance(value, str):  # what no xlsx file can hold
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                target[ref].value = value
            stream = io.BytesIO()
            book.save(stream)
            data = stream.getvalue()
        file = io.BytesIO(data)
        file.name = "questionnaire.xlsx"
        response = client_a.post(upload_url, {"fichier": file})
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            page = response.content.decode()
            assert "Fichier refusé" in page and "fr-alert" in page
        assert Submission.objects.get().to_data() == before

    send()
