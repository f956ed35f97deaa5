"""End to end, in a real browser: the Miprof returns a submission, the association corrects it.

Staff returns "Le Fil d'Ariane"'s submitted answers with a message; the member reads the
message, corrects the age grid, submits again; staff compares with the returned version
and validates; the member's answers are then read-only. Two browser contexts (two
sessions) on the same `live_server`, Debian's Chromium driven by Playwright.

Same rules as test_questionnaire_flow.py, whose helpers this module imports (and with
them its skips: outside CI, the module is skipped when Chromium or Playwright is missing;
in CI they are required). Deselect with `-m "not e2e"`.
"""

import re

import pytest
from django.urls import reverse

from survey.demo import DEMO_PASSWORD, STAFF_EMAIL, load_demo

# Playwright's names through that module: importing it skips this one when they are missing.
from tests.e2e.test_questionnaire_flow import (
    DESKTOP,
    Page,
    cell,
    chromium,
    expect,
    log_in,
    open_association,
    save,
    total,
)

pytestmark = pytest.mark.e2e

MEMBER = "equipe@fil-ariane.example"  # her association's answers are submitted
ASSOCIATION = "Le Fil d'Ariane — accueil des victimes"
RETURN_MESSAGE = "Merci de vérifier l'âge des victimes d'exploitation sexuelle."
WHEN = r"\d{1,2} \w+ \d{4} à \d{2}:\d{2}"


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def demo(transactional_db):
    load_demo(with_dataset=False)


@pytest.fixture
def browser(demo):
    """Chromium, started after the demo is loaded (see test_questionnaire_flow.py: once
    Playwright's sync API runs, this thread may no longer query the database)."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def new_page(live_server, browser):
    """Opens a page in a browser context of its own (its own session); JavaScript errors
    and server errors (HTTP 5xx) are collected in `page.problems`."""
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda response: (
                page.problems.append(f"HTTP {response.status} {response.url}")
                if response.status >= 500
                else None
            ),
        )
        return page

    yield new_page
    for context in contexts:
        context.close()


# --- Helpers -------------------------------------------------------------------------------


def admin_log_in(page: Page, email: str) -> None:
    page.goto(reverse("admin:login"))
    page.get_by_label(re.compile("Nom d.utilisateur")).fill(email)
    page.get_by_label(re.compile("Mot de passe")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Suivi des campagnes")).to_be_visible()


def expect_staff_status(page: Page, status: str) -> None:
    expect(page.locator("#review-status h2")).to_have_text(f"Statut : {status}")


def expect_success(page: Page, text: str) -> None:
    expect(page.locator("ul.messagelist li.success")).to_have_text(text)


# --- Test ----------------------------------------------------------------------------------


def test_staff_returns_member_corrects_staff_validates(new_page, mailoutbox):
    staff, member = new_page(), new_page()

    # Staff: the submissions list, then Le Fil d'Ariane's review page.
    admin_log_in(staff, STAFF_EMAIL)
    staff.goto(reverse("admin:survey_submission_changelist"))
    row = staff.locator("#result_list tbody tr").filter(has_text=ASSOCIATION)
    expect(row).to_contain_text("Transmise")
    row.get_by_role("link", name="Relire").click()
    expect(staff.locator("h1")).to_contain_text(f"Relecture : {ASSOCIATION}")
    expect_staff_status(staff, "Transmise")
    review_url = staff.url

    # Returned for correction, with a message.
    staff.get_by_label("Message à l’association (obligatoire)").fill(RETURN_MESSAGE)
    staff.get_by_role("button", name="Renvoyer pour correction").click()
    expect_success(
        staff,
        f"La réponse de {ASSOCIATION} est renvoyée pour correction ; les membres de "
        "l'association ont reçu votre message par e-mail.",
    )
    expect_staff_status(staff, "Renvoyée pour correction")
    expect(staff.locator("#review-actions")).to_contain_text(
        "Renvoyée pour correction : l’association la corrige et la transmettra de nouveau."
    )
    expect(staff.get_by_role("button", name="Valider")).to_have_count(0)
    expect(staff.locator("#review-messages")).to_contain_text(RETURN_MESSAGE)
    returned_mail = [m for m in mailoutbox if "vous demande une correction" in m.subject]
    assert MEMBER in [address for m in returned_mail for address in m.to]
    assert all(RETURN_MESSAGE in m.body for m in returned_mail)

    # The member: the status and the message on her association's space.
    log_in(member, MEMBER)
    open_association(member, ASSOCIATION)
    main = member.locator("main")
    expect(main.locator(".fr-badge").first).to_have_text(
        "À corriger : voir le message de la Miprof"
    )
    correction = member.locator(".fr-alert--warning")
    expect(correction).to_contain_text("La Miprof vous demande une correction")
    expect(correction).to_contain_text(RETURN_MESSAGE)
    expect(member.get_by_role("link", name="Continuer le questionnaire")).to_be_visible()

    # Âge: one victim of sexual exploitation moves from "25 ans et plus" to "18–24 ans".
    member.locator("main table").get_by_role("link", name="Âge", exact=True).click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Âge")
    expect(member.locator("main")).to_contain_text(RETURN_MESSAGE)
    expect(cell(member, "sexual", "age_18_24")).to_have_value("3")
    expect(cell(member, "sexual", "age_25_plus")).to_have_value("5")
    expect(total(member, "sexual")).to_have_text("9")
    cell(member, "sexual", "age_18_24").fill("4")
    cell(member, "sexual", "age_25_plus").fill("4")
    expect(total(member, "sexual")).to_have_text("9")
    save(member, "Âge")
    expect(member.locator("#problems")).to_have_count(0)
    expect(cell(member, "sexual", "age_18_24")).to_have_value("4")
    expect(cell(member, "sexual", "age_25_plus")).to_have_value("4")
    age_url = member.url

    # Submitted again.
    member.locator(".fr-sidemenu").get_by_role("link", name="Vérifier et transmettre").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Vérifier et transmettre")
    expect(member.locator("main")).to_contain_text("Aucune erreur")
    member.get_by_role("button", name="Transmettre à la Miprof").click()
    expect(
        member.get_by_role("heading", name=re.compile(f"Réponses transmises à la Miprof le {WHEN}"))
    ).to_be_visible()
    expect(member.get_by_role("button", name="Transmettre à la Miprof")).to_have_count(0)
    expect(member.get_by_text("La Miprof vous demande une correction")).to_have_count(0)

    # Staff: submitted again; what changed since the return.
    staff.goto(review_url)
    expect_staff_status(staff, "Transmise")
    returned = staff.locator("#id_version option").filter(
        has_text=f"Renvoyée pour correction : {RETURN_MESSAGE[:20]}"
    )
    expect(returned).to_have_count(1)
    staff.locator("#id_version").select_option(returned.get_attribute("value"))
    staff.get_by_role("button", name="Comparer avec la réponse actuelle").click()
    differences = staff.locator("#review-history table tbody tr")
    expect(differences).to_have_count(3)
    for difference, cells in zip(
        (differences.nth(0), differences.nth(1), differences.nth(2)),
        (
            ["Ensemble de la réponse", "Statut", "Renvoyée pour correction", "Transmise"],
            ["Exploitation sexuelle", "18–24 ans", "3", "4"],
            ["Exploitation sexuelle", "25 ans et plus", "5", "4"],
        ),
        strict=True,
    ):
        expect(difference.locator("td")).to_have_text(cells)

    staff.get_by_role("button", name="Valider").click()
    expect_success(staff, f"La réponse de {ASSOCIATION} est validée.")
    expect_staff_status(staff, "Validée")
    expect(staff.get_by_role("button", name="Rouvrir")).to_be_visible()

    # The member: read-only, validated.
    member.goto(age_url)
    expect(member.get_by_role("heading", level=1)).to_have_text("Âge")
    expect(member.locator("main .fr-badge").first).to_have_text("Validé")
    expect(member.locator("main")).to_contain_text(
        "Vos réponses ont été transmises à la Miprof : elles sont en lecture seule."
    )
    expect(member.locator("main form input:not([type=hidden])")).to_have_count(0)
    expect(member.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(member.get_by_text(RETURN_MESSAGE)).to_have_count(0)
    open_association(member, ASSOCIATION)
    expect(member.get_by_role("link", name="Voir les réponses transmises")).to_be_visible()
    expect(member.get_by_role("link", name="Continuer le questionnaire")).to_have_count(0)

    for page in (staff, member):
        assert page.problems == [], "\n".join(page.problems)
