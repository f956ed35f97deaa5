"""Every URL of the project, for every role: the status each one must get.

The URLs come from the URL conf itself (`walk`), so a new view cannot escape: a URL
name missing from the tables below fails `test_every_url_has_an_expectation`. Each is
opened (GET) as: an anonymous visitor, a member of association A, a member of B, a
member of the Miprof's staff (the "Miprof" group) and a superuser; and once more as staff
who have not typed their two-factor code yet.

The expectations are written from the roles (survey/roles.py's docstring, issue 7), not
read from the code: the associations' pages answer their own members only, and 404 to
anyone else (staff included: they review in the admin); the tables answer staff only; the
admin answers staff, with what the Miprof group may do.
"""

import re
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.models import DsfrConfig

from audit.models import Action, AuditEvent, record
from survey.accounts import invitation_create
from survey.models import Membership, Message, Submission
from survey.questionnaire import SECTIONS
from survey.roles import staff_group

from .conftest import make_submission

ROLES = ("anonymous", "member_a", "member_b", "miprof", "superuser")

LOGIN = "login"  # 302 to the site's login page
ADMIN_LOGIN = "admin_login"  # 302 to the admin's login page
OTP = "otp"  # 302 to the two-factor code page

OWN = (LOGIN, 200, 404, 404, 404)  # association A's pages
STAFF = (LOGIN, 404, 404, 200, 200)  # the published tables
PUBLIC = (200, 200, 200, 200, 200)

# Pages outside the admin: name → expected status for ROLES.
EXPECTED: dict[str, tuple] = {
    "home": PUBLIC,
    "login": PUBLIC,
    "logout": (405,) * 5,  # POST only
    "footer-sitemap": PUBLIC,
    "footer-accessibility-status": PUBLIC,
    "footer-legal-notice": PUBLIC,
    "footer-personal-data": PUBLIC,
    "footer-cookie-management": PUBLIC,
    "association_home": OWN,
    "review": OWN,
    "copy": OWN,
    "submission_message": (LOGIN, 405, 405, 405, 405),  # POST only, refused before anything
    "section": OWN,
    "spreadsheet_download": OWN,
    "spreadsheet_upload": OWN,
    "spreadsheet_preview": OWN,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_complete": PUBLIC,
    "password_reset_confirm": PUBLIC,  # a bad link: the page says so
    "invitation_accept": (404,) * 5,  # an unknown invitation
    # Nothing to type: members have no code, and codes are off outside the test below.
    "otp_verify": (LOGIN, 302, 302, 302, 302),
    "reports:index": STAFF,
    "reports:campaign": STAFF,
    "reports:tables_xlsx": STAFF,
    "reports:tables_json": STAFF,
    "reports:raw_answers_xlsx": STAFF,
    "reports:raw_answers_csv": STAFF,
    "reports:raw_origins_xlsx": STAFF,
    "reports:raw_origins_csv": STAFF,
    "health": PUBLIC,
    # POST only; outsiders are sent to the admin's index (then its login) first.
    "admin:logout": (302, 302, 302, 405, 405),
}

# What the Miprof group may do, by model (survey/roles.py): "view", "add", "change",
# "delete"; a model absent from the table is out of its reach (403).
MIPROF_MAY = {
    "survey.campaign": {"view"},
    "survey.association": {"view", "add", "change"},
    "survey.membership": {"view"},
    "survey.submission": {"view"},
    "survey.formanswer": {"view"},
    "survey.invitation": {"view", "add"},
    "audit.auditevent": {"view"},
}
# What no one may do, superusers included: the audit log is read only; lockouts come from
# failed logins (superusers may lift them); answers are added on their submission's page.
# Superusers may fix anything else.
NOBODY_MAY = {
    "audit.auditevent": {"add", "change", "delete"},
    "survey.formanswer": {"add"},
    "axes.accessattempt": {"add"},
    "axes.accesslog": {"add"},
    "axes.accessfailurelog": {"add"},
}
ACTION_NEEDS = {
    "changelist": "view",
    "add": "add",
    "change": "view",  # read-only with the view permission
    "history": "view",
    "delete": "delete",
}

# The admin's own pages and the project's custom admin views: (Miprof, superuser).
ADMIN_PAGES: dict[str, tuple] = {
    "admin:index": (200, 200),
    "admin:app_list": (200, 200),  # the survey app
    "admin:login": (302, 302),  # already logged in: on to the index
    "admin:password_change": (200, 200),
    "admin:password_change_done": (200, 200),
    "admin:jsi18n": (200, 200),
    "admin:autocomplete": (403, 403),  # no field asked for
    "admin:view_on_site": (404, 404),  # no model has a public page
    "admin:auth_user_password": (403, 200),
    "admin:otp_totp_totpdevice_config": (403, 403),  # keys are never shown
    "admin:otp_totp_totpdevice_qrcode": (403, 403),
    "admin:survey_campaign_cockpit": (200, 200),
    "admin:survey_campaign_cockpit_export": (200, 200),
    # Actions: POST only, refused as such before the permission is looked at.
    "admin:survey_campaign_create_next": (405, 405),
    "admin:survey_campaign_open": (405, 405),
    "admin:survey_campaign_close": (405, 405),
    "admin:survey_submission_review": (200, 200),
    "admin:survey_association_spreadsheet": (200, 200),
}


def walk(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, qualified name or None, pattern) of every URL of the URL conf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern


URLS = list(walk())
ADMIN_MODEL_URL = re.compile(r"^admin:(\w+?)_(\w+?)_(changelist|add|change|history|delete)$")


def model_of(name: str) -> tuple[str, str] | None:
    """admin:survey_submission_change → ("survey.submission", "change")."""
    match = ADMIN_MODEL_URL.match(name)
    if not match:
        return None
    from django.contrib import admin

    for model in admin.site._registry:
        meta = model._meta
        if name.startswith(f"admin:{meta.app_label}_{meta.model_name}_"):
            return meta.label_lower, name.rsplit("_", 1)[1]
    return None


def expected(name: str | None, route: str) -> tuple:
    """The expected status for ROLES."""
    if name is None:
        # The admin's old-style object URLs redirect to .../change/; its catch-all 404s
        # once logged in as staff.
        if route.endswith("<path:object_id>/"):
            return (302,) * 5
        return (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404, 404)
    if name in EXPECTED:
        return EXPECTED[name]
    if name.startswith("admin:"):
        outside = 200 if name == "admin:login" else ADMIN_LOGIN
        found = model_of(name)
        if name in ADMIN_PAGES:
            miprof, superuser = ADMIN_PAGES[name]
        elif found:
            model, action = found
            needs = ACTION_NEEDS[action]
            forbidden = needs in NOBODY_MAY.get(model, set())
            if action == "change" and "change" in NOBODY_MAY.get(model, set()):
                forbidden = False  # still readable
            miprof = 200 if needs in MIPROF_MAY.get(model, set()) and not forbidden else 403
            superuser = 403 if forbidden else 200
        else:
            raise KeyError(name)
        return (outside, outside, outside, miprof, superuser)
    raise KeyError(name)


def test_every_url_has_an_expectation():
    missing = []
    for route, name, _pattern in URLS:
        try:
            expected(name, route)
        except KeyError:
            missing.append(name or route)
    assert not missing, f"URLs without an expected status (add them to the tables): {missing}"


@pytest.fixture
def cast(db, campaign, association_a, association_b, member_a, member_b, superuser, staff_user):
    """One object of each kind the URLs take, and the accounts of every role."""
    staff_user.groups.add(staff_group())
    submission = make_submission(association_a, campaign, status=Submission.Status.SUBMITTED)
    Message.objects.create(submission=submission, author=member_a, body="Bonjour")
    invitation, _token = invitation_create(
        association=association_a, email="nouveau@a.example", created_by=staff_user
    )
    device = TOTPDevice.objects.create(user=superuser, name="Téléphone", confirmed=True)
    record(None, Action.LOGIN, actor=member_a)
    objects = {
        "survey.campaign": campaign,
        "survey.association": association_a,
        "survey.membership": Membership.objects.get(user=member_a),
        "survey.submission": submission,
        "survey.formanswer": submission.answers.first(),
        "survey.invitation": invitation,
        "audit.auditevent": AuditEvent.objects.first(),
        "auth.user": member_a,
        "auth.group": Group.objects.get(),
        "dsfr.dsfrconfig": DsfrConfig.objects.first(),
        "otp_totp.totpdevice": device,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x@x.example", ip_address="10.0.0.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="x@x.example", ip_address="10.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="x@x.example", ip_address="10.0.0.1", locked_out=False
        ),
    }
    return {
        "objects": objects,
        "users": {
            "member_a": member_a,
            "member_b": member_b,
            "miprof": staff_user,
            "superuser": superuser,
        },
        "association": association_a,
        "campaign": campaign,
        "submission": submission,
    }


def url_of(route: str, name: str | None, pattern, cast) -> str:
    """A concrete URL for the route, with the cast's objects as its arguments."""
    if name is None:
        if "<path:object_id>" in route:
            model = "/".join(route.split("/")[1:3]).replace("/", ".")
            return "/" + route.replace("<path:object_id>", str(cast["objects"][model].pk))
        return "/admin/nulle-part/"
    if name.endswith("_simple_history"):
        # django-simple-history's version page: unnamed groups (object, version).
        model = cast["objects"][model_of(name)[0]]
        return reverse(name, args=[model.pk, model.history.latest("history_id").history_id])
    arguments = set(pattern.pattern.regex.groupindex)
    kwargs = {}
    found = model_of(name) if name.startswith("admin:") else None
    owner = found[0] if found else None
    for argument in arguments:
        if argument == "pk" and not name.startswith("admin:"):
            kwargs["pk"] = cast["association"].pk
        elif argument == "year":
            kwargs["year"] = cast["campaign"].year
        elif argument == "slug":
            kwargs["slug"] = SECTIONS[1].slug
        elif argument in ("token", "uidb64"):
            kwargs[argument] = "lien-invalide"
        elif argument == "app_label":
            kwargs["app_label"] = "survey"
        elif argument == "content_type_id":
            kwargs["content_type_id"] = ContentType.objects.get_for_model(Submission).pk
        elif argument in ("object_id", "pk", "id"):
            model = owner or ADMIN_OBJECT_OF.get(name)
            kwargs[argument] = cast["objects"][model].pk if model else cast["submission"].pk
        else:
            raise KeyError(f"{name}: no value for <{argument}>")
    return reverse(name, kwargs=kwargs) + QUERY.get(name, "")


# Query strings a page needs (its buttons give them).
QUERY = {"reports:tables_xlsx": "?mode=interne"}

# Custom admin views that take an object: its model.
ADMIN_OBJECT_OF = {
    "admin:survey_campaign_cockpit": "survey.campaign",
    "admin:survey_campaign_cockpit_export": "survey.campaign",
    "admin:survey_campaign_open": "survey.campaign",
    "admin:survey_campaign_close": "survey.campaign",
    "admin:survey_submission_review": "survey.submission",
    "admin:survey_association_spreadsheet": "survey.association",
    "admin:otp_totp_totpdevice_config": "otp_totp.totpdevice",
    "admin:otp_totp_totpdevice_qrcode": "otp_totp.totpdevice",
    "admin:auth_user_password": "auth.user",
    "admin:view_on_site": "survey.submission",
}

CASES = [
    pytest.param(route, name, pattern, index, id=f"{name or route} {role}")
    for route, name, pattern in URLS
    for index, role in enumerate(ROLES)
]


def check(response, expected_status, url: str) -> None:
    if expected_status == LOGIN:
        assert response.status_code == 302, url
        assert response.url == f"{reverse('login')}?next={quote(url)}"
    elif expected_status == ADMIN_LOGIN:
        assert response.status_code == 302, url
        assert response.url.startswith(f"{reverse('admin:login')}?next="), response.url
    elif expected_status == OTP:
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("otp_verify")), response.url
    else:
        assert response.status_code == expected_status, (url, response.status_code)


@pytest.mark.parametrize(("route", "name", "pattern", "index"), CASES)
def test_url(client, cast, route, name, pattern, index):
    role = ROLES[index]
    if role != "anonymous":
        client.force_login(cast["users"][role])
    url = url_of(route, name, pattern, cast)
    response = client.get(url)
    check(response, expected(name, route)[index], url)


# With two-factor codes required: staff who have not typed theirs reach only the code page
# (and what needs no account).
OPEN_WITHOUT_CODE = {"otp_verify", "logout", "admin:logout"}


@pytest.mark.parametrize(
    ("route", "name", "pattern"),
    [pytest.param(route, name, pattern, id=name or route) for route, name, pattern in URLS],
)
@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_without_their_code_reach_only_the_code_page(client, cast, route, name, pattern):
    client.force_login(cast["users"]["miprof"])
    url = url_of(route, name, pattern, cast)
    response = client.get(url)
    if name in OPEN_WITHOUT_CODE:
        assert response.status_code != 302 or not response.url.startswith(reverse("otp_verify"))
    else:
        check(response, OTP, url)
