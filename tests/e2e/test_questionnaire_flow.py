"""End to end, in a real browser: an association answers the mandatory part and submits.

Debian's Chromium (/usr/bin/chromium) driven by Playwright, against pytest-django's
`live_server` (which serves the static files, so DSFR's and the questionnaire's JavaScript
run as in production). Accessibility is checked with axe-core, installed from npm by
`make install` (`npm ci`) into node_modules/.

Outside CI, the module is skipped when Chromium or Playwright is missing, and the
accessibility test when axe-core is; in CI (`CI` set) they are required and fail instead.
Deselect with `-m "not e2e"`.
"""

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from survey.checks import field_label
from survey.demo import DEMO_PASSWORD, load_demo

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    if IN_CI:
        raise
    pytest.skip(
        "Playwright is not installed: run `make install` (requirements-dev.txt).",
        allow_module_level=True,
    )

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(
        f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests "
        "(.ci/run installs it in CI).",
        allow_module_level=True,
    )

pytestmark = pytest.mark.e2e

MEMBER = "bureau@entraide-ouest.example"  # "Réseau Entraide Ouest": not started
ASSOCIATION = "Réseau Entraide Ouest"
VALIDATED_MEMBER = "contact@horizon-solidaire.example"  # "Horizon Solidaire": read-only
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 800}


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def demo(transactional_db):
    # The hand-made demo only: the 69 generated associations add nothing to these pages.
    load_demo(with_dataset=False)


@contextmanager
def chromium():
    """Debian's Chromium through Playwright, for one test; in CI, missing is a failure."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(demo):
    """Chromium, for one test.

    Playwright's synchronous API keeps an asyncio loop running in this thread, where Django
    then refuses database queries ("You cannot call this from an async context"). So the
    browser starts after the demo is loaded and stops before the database is flushed, and
    the tests check the database through the pages only.
    """
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(live_server, browser):
    """A fresh browser context on the live server; JavaScript errors and failed requests
    are collected in `page.problems` (the tests assert it stays empty)."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            page.problems.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400 and response.status != 409
            else None
        ),
    )
    yield page
    context.close()


# --- Helpers -------------------------------------------------------------------------------


def log_in(page: Page, email: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("main")).to_contain_text("Bonjour")


def open_association(page: Page, name: str) -> None:
    page.goto(reverse("home"))
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def open_section(page: Page, title: str) -> None:
    """Follow the side menu's link; its name may end with "(enregistrée)" or an error count."""
    name = re.compile(rf"^{re.escape(title)}(?: \d+| \(enregistrée\))?$")
    page.locator(".fr-sidemenu").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def cell(page: Page, form: str, field: str):
    return page.locator(f'input[name="{form}-{field}"]')


def type_over(field, text: str) -> None:
    """Type into a field as a person does, key by key, replacing what it held."""
    field.select_text()
    field.press_sequentially(text)


def total(page: Page, form: str):
    return page.locator(f'td[data-total="{form}"]')


def save(page: Page, title: str) -> None:
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(f"« {title} » enregistré.")).to_be_visible()


def assert_no_browser_problem(page: Page) -> None:
    assert page.problems == [], "\n".join(page.problems)


def assert_accessible(page: Page, where: str) -> None:
    """axe-core on the page as shown, on a laptop then on a phone (where tables scroll and
    the header folds into a menu): no "serious" or "critical" violation."""
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be
    # refused by the Content-Security-Policy, which allows no inline script.
    page.evaluate(AXE_JS.read_text())
    blocking = []
    for size, viewport in (("laptop", DESKTOP), ("phone", MOBILE)):
        page.set_viewport_size(viewport)
        violations = page.evaluate(
            """async () => {
                const results = await axe.run(document, {resultTypes: ["violations"]});
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
                }));
            }"""
        )
        blocking += [
            {**v, "size": size} for v in violations if v["impact"] in ("serious", "critical")
        ]
    page.set_viewport_size(DESKTOP)
    assert not blocking, f"axe-core on {where} ({page.url}):\n" + "\n".join(
        f"- [{v['impact']}, {v['size']}] {v['id']}: {v['help']} ({v['helpUrl']})\n"
        + "\n".join(
            f"    {json.dumps(node['target'])}: {' / '.join((node['summary'] or '').splitlines())}"
            for node in v["nodes"]
        )
        for v in blocking
    )


# --- Tests ---------------------------------------------------------------------------------


def test_member_answers_the_mandatory_part_and_submits(page, mailoutbox):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    expect(page.locator("main")).to_contain_text("Non commencé")
    page.get_by_role("link", name="Commencer le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre association")

    # Victimes repérées et accompagnées: every form is shown; blank counts are 0.
    open_section(page, "Victimes repérées et accompagnées")
    # Each cell is labelled for screen readers by its form and its category.
    page.get_by_label(f"Exploitation sexuelle — {field_label('detected')}", exact=True).fill("10")
    cell(page, "sexual", "accompanied").fill("8")
    save(page, "Victimes repérées et accompagnées")
    expect(cell(page, "sexual", "detected")).to_have_value("10")

    # Identité de genre: only the form with victims; a grid that does not add up.
    open_section(page, "Identité de genre")
    expect(page.get_by_role("columnheader", name="Exploitation sexuelle")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Mendicité forcée")).to_have_count(0)
    expect(page.locator('td[data-accompanied="sexual"]')).to_have_text("8")
    expect(total(page, "sexual")).to_have_text("0 — écart de -8")
    cell(page, "sexual", "women").fill("5")
    expect(total(page, "sexual")).to_have_text("5 — écart de -3")  # the JS, while typing
    cell(page, "sexual", "men").fill("2")
    expect(total(page, "sexual")).to_have_text("7 — écart de -1")
    expect(total(page, "sexual")).to_have_class(re.compile("questionnaire-grid__mismatch"))
    save(page, "Identité de genre")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("1 incohérence à corriger avant de transmettre")
    expect(problems).to_contain_text(
        "Exploitation sexuelle : la somme des identités de genre (7) diffère du nombre de "
        "victimes accompagnées (8)."
    )
    expect(cell(page, "sexual", "women")).to_have_value("5")  # what was typed is kept
    expect(cell(page, "sexual", "men")).to_have_value("2")
    expect(total(page, "sexual")).to_have_text("7 — écart de -1")
    error_badge = page.locator(".fr-sidemenu__link[aria-current=page] .fr-badge--error")
    expect(error_badge).to_have_text("1")

    # Corrected.
    cell(page, "sexual", "men").fill("3")
    expect(total(page, "sexual")).to_have_text("8")
    expect(total(page, "sexual")).not_to_have_class(re.compile("questionnaire-grid__mismatch"))
    save(page, "Identité de genre")
    expect(page.locator("#problems")).to_have_count(0)
    expect(cell(page, "sexual", "men")).to_have_value("3")

    open_section(page, "Lieu d'exploitation")
    cell(page, "sexual", "france_only").fill("6")
    cell(page, "sexual", "france_and_abroad").fill("2")
    expect(total(page, "sexual")).to_have_text("8")
    save(page, "Lieu d'exploitation")

    open_section(page, "Âge")
    cell(page, "sexual", "age_18_24").fill("3")
    cell(page, "sexual", "age_25_plus").fill("5")
    expect(total(page, "sexual")).to_have_text("8")
    save(page, "Âge")

    # Pays d'origine: typed by its French name, with an accent the list does not have.
    open_section(page, "Pays d'origine")
    expect(page.locator('#countries option[value="Nigeria"]')).to_have_count(1)
    page.get_by_label("Pays de la ligne 1", exact=True).fill("Nigéria")
    page.get_by_label("Exploitation sexuelle — pays de la ligne 1", exact=True).fill("6")
    expect(total(page, "sexual")).to_have_text("6 — écart de -2")
    page.get_by_label("Exploitation sexuelle — pays non précisé", exact=True).fill("2")
    expect(total(page, "sexual")).to_have_text("8")
    save(page, "Pays d'origine")
    expect(page.get_by_label("Pays de la ligne 1", exact=True)).to_have_value("Nigeria")
    expect(cell(page, "sexual", "country-0")).to_have_value("6")
    expect(page.locator("#problems")).to_have_count(0)

    # Vérifier et transmettre.
    page.locator(".fr-sidemenu").get_by_role("link", name="Vérifier et transmettre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier et transmettre")
    expect(page.locator("main")).to_contain_text("Aucune erreur")
    expect(page.locator("main")).to_contain_text("Aucun avertissement")
    page.get_by_role("button", name="Transmettre à la Miprof").click()

    when = r"\d{1,2} \w+ \d{4} à \d{2}:\d{2}"
    confirmation = page.get_by_role(
        "heading", name=re.compile(f"Réponses transmises à la Miprof le {when}")
    )
    expect(confirmation).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Réponses transmises à la Miprof le \d{2}/\d{2}/\d{4}"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Transmettre à la Miprof")).to_have_count(0)
    assert [message.to for message in mailoutbox] == [[MEMBER]]

    # Read-only from now on.
    open_association(page, ASSOCIATION)
    expect(page.get_by_role("link", name="Voir les réponses transmises")).to_be_visible()
    expect(page.get_by_role("link", name="Continuer le questionnaire")).to_have_count(0)
    page.locator("main table").get_by_role("link", name="Identité de genre").click()
    expect(page.locator("main")).to_contain_text(
        "Vos réponses ont été transmises à la Miprof : elles sont en lecture seule."
    )
    expect(page.locator("main form input:not([type=hidden])")).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.locator(".questionnaire-grid__value")).to_have_text(["5", "0", "3", "0", "0", "0"])
    open_section(page, "Pays d'origine")
    expect(page.locator("main form input:not([type=hidden])")).to_have_count(0)
    expect(page.locator("[data-grid=origine]")).to_contain_text("Nigeria")
    assert_no_browser_problem(page)


def test_leaving_a_grid_with_unsaved_changes_asks_first(page):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    page.get_by_role("link", name="Victimes repérées et accompagnées").click()
    grid_url = page.url
    dialogs = []
    reply = {"leave": True}

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.type)
        if reply["leave"]:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)

    # Nothing typed: leaving asks nothing.
    open_section(page, "Lieu d'exploitation")
    open_section(page, "Victimes repérées et accompagnées")
    assert dialogs == []

    type_over(cell(page, "sexual", "detected"), "12")

    # "Stay on the page": the navigation is cancelled, what was typed is still there.
    reply["leave"] = False
    with page.expect_event("dialog") as leaving:
        page.locator(".fr-sidemenu").get_by_role("link", name="Lieu d'exploitation").click()
    assert leaving.value.type == "beforeunload"
    expect(cell(page, "sexual", "detected")).to_have_value("12")
    assert page.url == grid_url

    # "Leave": the page goes, and the typing with it.
    reply["leave"] = True
    with page.expect_event("dialog") as leaving:
        page.goto(reverse("home"))
    assert leaving.value.type == "beforeunload"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enquête annuelle sur la traite des êtres humains"
    )
    assert dialogs == ["beforeunload", "beforeunload"]

    # Saving is not leaving: no question, then none when going elsewhere.
    page.goto(grid_url)
    expect(cell(page, "sexual", "detected")).to_have_value("0")
    type_over(cell(page, "sexual", "detected"), "12")
    save(page, "Victimes repérées et accompagnées")
    expect(cell(page, "sexual", "detected")).to_have_value("12")
    open_section(page, "Lieu d'exploitation")
    assert dialogs == ["beforeunload", "beforeunload"]
    assert_no_browser_problem(page)


@pytest.fixture
def axe_js():
    if not AXE_JS.exists():
        reason = f"axe-core is not installed ({AXE_JS} missing): run `npm ci` (or `make install`)."
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return AXE_JS


def test_pages_have_no_serious_accessibility_violation(axe_js, page):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    assert_accessible(page, "the association's space, not started")

    start = page.get_by_role("link", name="Commencer le questionnaire").get_attribute("href")
    pk, year = resolve(start).kwargs["pk"], resolve(start).kwargs["year"]

    def go(slug: str) -> None:
        page.goto(reverse("section", args=[pk, year, slug]))

    go("victimes")
    assert_accessible(page, "Victimes repérées et accompagnées, blank")
    cell(page, "sexual", "detected").fill("10")
    cell(page, "sexual", "accompanied").fill("8")
    save(page, "Victimes repérées et accompagnées")

    go("genre")
    assert_accessible(page, "Identité de genre, blank")
    cell(page, "sexual", "women").fill("cinq")  # not a number: nothing saved, cell in error
    cell(page, "sexual", "men").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Rien n’a été enregistré")
    expect(cell(page, "sexual", "women")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Identité de genre, a cell in error")
    cell(page, "sexual", "women").fill("5")
    save(page, "Identité de genre")
    expect(page.locator("#problems")).to_be_visible()
    assert_accessible(page, "Identité de genre, grid that does not add up")

    go("origine")
    assert_accessible(page, "Pays d'origine")

    page.goto(reverse("review", args=[pk, year]))
    assert_accessible(page, "Vérifier et transmettre, with errors")

    # A validated answer: every grid read-only, with all the forms of exploitation (the
    # widest tables, which scroll sideways).
    page.context.clear_cookies()
    log_in(page, VALIDATED_MEMBER)
    open_association(page, "Horizon Solidaire")
    assert_accessible(page, "the association's space, validated")
    link = page.locator("main table").get_by_role("link", name="Victimes repérées et accompagnées")
    pk = resolve(link.get_attribute("href")).kwargs["pk"]
    go("victimes")
    expect(page.locator(".questionnaire-grid__value").first).to_be_visible()
    assert_accessible(page, "Victimes repérées et accompagnées, read-only")
    go("origine")
    assert_accessible(page, "Pays d'origine, read-only")
    page.goto(reverse("review", args=[pk, year]))
    assert_accessible(page, "Vérifier et transmettre, validated")
    assert_no_browser_problem(page)
