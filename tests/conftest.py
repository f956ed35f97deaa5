"""A fixed cast: a campaign, associations A and B, a member of each, a staff user.

Plus answers to fill their questionnaires with (`consistent_answers`, `make_submission`).
"""

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from survey.demo import consistent_form
from survey.models import Association, Campaign, Membership, Submission
from survey.roles import staff_group
from survey.services import submission_save_data


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        year=2024,
        reference_year=2023,
        opens_on=datetime.date(2024, 7, 3),
        closes_on=datetime.date(2024, 9, 25),
        status=Campaign.Status.OPEN,
    )


@pytest.fixture
def association_a(db):
    return Association.objects.create(
        name="Association A", identifier="W751000001", departement="75", region="IDF"
    )


@pytest.fixture
def association_b(db):
    return Association.objects.create(
        name="Association B", identifier="W691000002", departement="69", region="ARA"
    )


@pytest.fixture
def member_a(django_user_model, association_a):
    user = django_user_model.objects.create_user(
        username="alice@a.example", email="alice@a.example", password="motdepasse-a-1234"
    )
    Membership.objects.create(user=user, association=association_a)
    return user


@pytest.fixture
def member_b(django_user_model, association_b):
    user = django_user_model.objects.create_user(
        username="bob@b.example", email="bob@b.example", password="motdepasse-b-1234"
    )
    Membership.objects.create(user=user, association=association_b)
    return user


@pytest.fixture
def client_a(client, member_a):
    """The test client, logged in as the member of association A."""
    client.force_login(member_a)
    return client


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="staff@miprof.example",
        email="staff@miprof.example",
        password="motdepasse-staff-1234",
        is_staff=True,
    )


@pytest.fixture
def miprof(staff_user):
    """A member of the Miprof's staff: the "Miprof" group and its permissions."""
    staff_user.groups.add(staff_group())
    return staff_user


@pytest.fixture
def staff_client(client, miprof):
    """The test client, logged in as a member of the Miprof's staff."""
    client.force_login(miprof)
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin@miprof.example",
        email="admin@miprof.example",
        password="motdepasse-admin-1234",
    )


# --- Answers ------------------------------------------------------------------------------
# Helpers are plain functions (imported by the test modules) and fixtures built on them.


def consistent_answers(**forms: dict) -> dict:
    """Answers meeting every rule, with no warning: sexual and labour exploitation.

    Keyword arguments replace or add forms (`domestic=consistent_form(...)`, or `labour={}`
    to leave labour empty). The shape is `Submission.to_data()`'s `forms` part.
    """
    answers = {
        # 12 detected, 9 accompanied: 5 from Nigeria, 3 from France, 1 not known.
        "sexual": consistent_form(
            12,
            9,
            place=(4, 5, 0),
            gender=(7, 1, 1, 0, 0, 0),
            age=(0, 1, 3, 5, 0),
            origin={"NG": 5, "FR": 3},
        ),
        # 3 detected, 2 accompanied: 1 from Mali, 1 not known.
        "labour": consistent_form(
            3,
            2,
            place=(2, 0, 0),
            gender=(0, 0, 2, 0, 0, 0),
            age=(0, 0, 1, 1, 0),
            origin={"ML": 1},
        ),
    }
    answers.update(forms)
    return {"forms": {form: values for form, values in answers.items() if values}}


def make_submission(
    association: Association,
    campaign: Campaign,
    *,
    status: str = Submission.Status.DRAFT,
    data: dict | None = None,
    user=None,
    **fields,
) -> Submission:
    """An association's submission with answers (consistent ones by default)."""
    sent = status != Submission.Status.DRAFT
    submission = Submission.objects.create(
        association=association,
        campaign=campaign,
        status=status,
        submitted_at=timezone.now() if sent else None,
        submitted_by=user if sent else None,
        validated_at=timezone.now() if status == Submission.Status.VALIDATED else None,
        **fields,
    )
    submission_save_data(submission=submission, data=consistent_answers() if data is None else data)
    return submission


@pytest.fixture
def submission_a(campaign, association_a):
    """Association A's draft for the open campaign: consistent, no error, no warning."""
    return make_submission(association_a, campaign)


@pytest.fixture
def previous_campaign(db):
    """The campaign before the open one, closed."""
    return Campaign.objects.create(
        year=2023,
        reference_year=2022,
        opens_on=datetime.date(2023, 7, 1),
        closes_on=datetime.date(2023, 9, 30),
        status=Campaign.Status.CLOSED,
    )


@pytest.fixture
def frozen_now(monkeypatch):
    """Every `timezone.now()` answers 12 September 2024, 14:30 in Paris."""
    now = datetime.datetime(2024, 9, 12, 12, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


# --- Pages --------------------------------------------------------------------------------


def page_text(response_or_html) -> str:
    """The text a reader sees: tags removed, entities decoded, spaces collapsed.

    No-break spaces become plain spaces, so "1\u00a0200" reads "1 200".
    """
    content = response_or_html
    if not isinstance(content, str):
        content = content.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.DOTALL)
    content = re.sub(r"</?(strong|em|b|i|a|abbr|code)\b[^>]*>", "", content)  # inline
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def cell_text(response, input_name: str) -> str:
    """The text shown in the table cell of the input named `input_name`.

    The input's value and its label for screen readers are left out.
    """
    cells = re.findall(r"<td\b[^>]*>.*?</td>", response.content.decode(), flags=re.DOTALL)
    matching = [cell for cell in cells if f'name="{input_name}"' in cell]
    assert len(matching) == 1, f"{len(matching)} cells hold {input_name}"
    return page_text(re.sub(r'<label class="fr-sr-only".*?</label>', "", matching[0]))


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if "disabled" in attrs:
            return  # browsers do not send disabled fields
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop a textarea's first newline, which Django's widget writes.
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(response) -> dict[str, str]:
    """Every field of the page's forms with the value it shows, as a browser would post it."""
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.fields
