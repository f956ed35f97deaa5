"""End to end: a member downloads the workbook, fills it offline, uploads it, reviews the
changes, applies them, and submits on the web; a broken workbook is refused with its cell.

Same browser set-up as test_questionnaire_flow.py (Debian's Chromium, Playwright, the
hand-made demo); the workbook is filled with openpyxl and, when LibreOffice is installed,
saved again by LibreOffice as a member using it would.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from . import test_questionnaire_flow as flow
from .test_questionnaire_flow import (
    ASSOCIATION,
    MEMBER,
    assert_accessible,
    assert_no_browser_problem,
    log_in,
    open_association,
)

# The browser, the demo and the page as the questionnaire's flow sets them up.
demo, browser, page, axe_js = flow.demo, flow.browser, flow.page, flow.axe_js

pytestmark = pytest.mark.e2e


def download(page: Page, folder: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger le questionnaire (Excel)").click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def fill(path: Path, folder: Path) -> Path:
    """8 victims of sexual exploitation, all accompanied, from Nigeria; saved as a member's
    spreadsheet program would."""
    book = load_workbook(path)
    book["Victimes"]["B5"], book["Victimes"]["B6"] = 8, 8
    book["Lieu"]["B5"] = 8
    book["Genre"]["B5"] = 8
    book["Âge"]["B8"] = 8
    book["Origine"]["A5"], book["Origine"]["B5"] = "Nigeria", 8
    filled = folder / "rempli.xlsx"
    book.save(filled)
    if shutil.which("libreoffice") is None:
        return filled
    out = folder / "libreoffice"
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / filled.name


def upload(page: Page, path: Path) -> None:
    page.get_by_label("Questionnaire rempli").set_input_files(path)
    page.get_by_role("button", name="Vérifier le fichier").click()


def test_member_fills_the_workbook_offline_and_submits(page, tmp_path, mailoutbox):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    workbook = download(page, tmp_path)
    filled = fill(workbook, tmp_path)

    page.get_by_role("link", name="Importer un questionnaire rempli").click()
    upload(page, filled)

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier l’import")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Genre!B5")
    expect(changes).to_contain_text("Exploitation sexuelle — Nigeria")
    page.get_by_role("button", name="Appliquer les changements au brouillon").click()

    expect(page.get_by_text("Les réponses du fichier ont été enregistrées")).to_be_visible()
    page.get_by_role("button", name="Transmettre à la Miprof").click()
    expect(
        page.get_by_role("heading", name=re.compile("Réponses transmises à la Miprof le"))
    ).to_be_visible()
    assert_no_browser_problem(page)


def test_a_broken_workbook_names_the_sheet_and_cell(page, tmp_path):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    workbook = download(page, tmp_path)
    book = load_workbook(workbook)
    book["Genre"]["C7"] = "abc"
    book.save(workbook)

    page.get_by_role("link", name="Importer un questionnaire rempli").click()
    upload(page, workbook)

    expect(page.locator("#refused")).to_contain_text(
        "Feuille « Genre », cellule C7 : « abc » n'est pas un nombre entier."
    )
    expect(page.get_by_label("Questionnaire rempli")).to_have_attribute("aria-invalid", "true")
    assert_no_browser_problem(page)


def test_spreadsheet_pages_are_accessible(axe_js, page, tmp_path):
    log_in(page, MEMBER)
    open_association(page, ASSOCIATION)
    workbook = download(page, tmp_path)
    page.get_by_role("link", name="Importer un questionnaire rempli").click()
    assert_accessible(page, "the upload page")
    book = load_workbook(workbook)
    book["Genre"]["C7"] = "abc"
    book.save(workbook)
    upload(page, workbook)
    assert_accessible(page, "a refused file")
    book["Genre"]["C7"] = None
    book["Victimes"]["B5"] = 3
    book.save(workbook)
    upload(page, workbook)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier l’import")
    assert_accessible(page, "the preview")
