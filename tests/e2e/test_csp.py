"""In a real browser, the pages satisfy their Content-Security-Policy.

Chromium enforces the policy that settings.py declares (no inline script or style, our own
files only) and reports what it refuses on the console (a message naming the "Content
Security Policy directive" it violates) and as `securitypolicyviolation` events: the test
visits the main pages of a member and of the Miprof's staff, demo data loaded, and asserts
that neither came.

Same rules as test_questionnaire_flow.py, whose helpers this module imports (and with
them its skips). Deselect with `-m "not e2e"`.
"""

import pytest
from django.urls import reverse

from survey.demo import STAFF_EMAIL, load_demo
from survey.models import Association, Campaign, Submission
from survey.questionnaire import SECTIONS

# Playwright's names through that module: importing it skips this one when they are missing.
from tests.e2e.test_questionnaire_flow import (
    DESKTOP,
    Page,
    chromium,
    log_in,
)
from tests.e2e.test_staff_review_flow import admin_log_in

pytestmark = pytest.mark.e2e

MEMBER = "equipe@fil-ariane.example"  # "Le Fil d'Ariane": answers submitted
ASSOCIATION = "Le Fil d'Ariane — accueil des victimes"
YEAR = 2024

# Records the violations the page reports, from the first script on.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
        + `(${event.sourceFile || ""}:${event.lineNumber || ""})`
    );
});
"""


@pytest.fixture
def paths(transactional_db) -> dict[str, list[str]]:
    """The pages to visit, read from the demo before the browser starts (see
    test_questionnaire_flow.py: the database is out of reach once Playwright runs)."""
    load_demo(with_dataset=False)
    association = Association.objects.get(name=ASSOCIATION)
    campaign = Campaign.objects.get(year=YEAR)
    submission = Submission.objects.get(association=association, campaign=campaign)
    space = {"pk": association.pk, "year": YEAR}
    return {
        "member": [
            reverse("home"),
            reverse("association_home", args=[association.pk]),
            reverse("section", kwargs={**space, "slug": SECTIONS[1].slug}),
            reverse("review", kwargs=space),
        ],
        "staff": [
            reverse("reports:campaign", args=[YEAR]),
            reverse("admin:index"),
            reverse("admin:survey_campaign_cockpit", args=[campaign.pk]),
            reverse("admin:survey_submission_changelist"),
            reverse("admin:survey_submission_review", args=[submission.pk]),
            reverse("admin:survey_submission_change", args=[submission.pk]),
        ],
    }


@pytest.fixture
def browser(paths):
    with chromium() as browser:
        yield browser


@pytest.fixture
def new_page(live_server, browser):
    """A page in a context of its own, collecting what the policy refused in `page.refused`
    and the pages served without the header in `page.unprotected`."""
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
        context.set_default_timeout(10_000)
        context.add_init_script(LISTEN)
        contexts.append(context)
        page = context.new_page()
        page.refused, page.unprotected = [], []
        page.on(
            "console",
            lambda message: (
                page.refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                page.unprotected.append(response.url)
                if response.request.resource_type == "document"
                and "content-security-policy" not in response.headers
                else None
            ),
        )
        return page

    yield new_page
    for context in contexts:
        context.close()


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    page.wait_for_load_state("load")
    # Let the DSFR's scripts run (they add classes and attributes once loaded).
    page.wait_for_timeout(200)
    page.refused += [f"{path}: {text}" for text in page.evaluate("window.__cspViolations")]


def test_member_pages_satisfy_the_policy(new_page, paths):
    page = new_page()
    log_in(page, MEMBER)
    for path in paths["member"]:
        visit(page, path)

    assert page.refused == [], "\n".join(page.refused)
    assert page.unprotected == []


def test_staff_pages_satisfy_the_policy(new_page, paths):
    page = new_page()
    admin_log_in(page, STAFF_EMAIL)
    for path in paths["staff"]:
        visit(page, path)

    assert page.refused == [], "\n".join(page.refused)
    assert page.unprotected == []


def test_an_inline_script_is_refused(new_page, paths):
    """The listener does hear the browser refuse: the empty lists above mean something."""
    page = new_page()
    page.goto(reverse("login"))
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ran = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.__ran") is None
    assert any("script-src" in text for text in page.evaluate("window.__cspViolations"))
    # The console's words vary with Chromium's version ("Refused to execute inline
    # script…", "Executing inline script violates…"); the directive is always named.
    assert any("script-src" in text for text in page.refused)
