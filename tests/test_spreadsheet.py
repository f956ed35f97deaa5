"""The questionnaire as a spreadsheet: download, fill offline, upload, confirm.

The round trip as a member does it, then one test per kind of file that must be refused:
each says why (naming the sheet and the cell where there is one) and changes nothing.
"""

import io
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from survey import spreadsheet
from survey.models import Campaign, Submission

from .conftest import consistent_answers, make_submission, page_text

ORIGIN_SHEET = "Origine"


def download(client, association, year: int = 2024) -> Workbook:
    response = client.get(reverse("spreadsheet_download", args=[association.pk, year]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def as_bytes(book: Workbook) -> bytes:
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def upload(client, association, content: bytes, name: str = "questionnaire.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        reverse("spreadsheet_upload", args=[association.pk, 2024]), {"fichier": file}
    )


def confirm(client, association, action: str = "apply"):
    return client.post(
        reverse("spreadsheet_preview", args=[association.pk, 2024]), {"action": action}
    )


def stored(association, campaign) -> tuple[int, dict]:
    submission = Submission.objects.get(association=association, campaign=campaign)
    return submission.version, submission.to_data()


def fill_origin(book: Workbook, rows: dict[str, dict[str, int]]) -> None:
    """Countries in the order a re-download lists them (by French name), from row 5."""
    sheet = book[ORIGIN_SHEET]
    for row in range(5, 5 + 40):
        for column in "ABCDEFG":
            sheet[f"{column}{row}"] = None
    for row, (country, counts) in enumerate(rows.items(), start=5):
        sheet[f"A{row}"] = country
        for form, count in counts.items():
            sheet[f"{'ABCDEFG'[spreadsheet.FORM_COLUMN[form] - 1]}{row}"] = count


def fill_as_a_member(book: Workbook) -> None:
    """Answers meeting every rule: sexual exploitation grows from 9 to 10 accompanied."""
    victims = book["Victimes"]
    victims["B5"], victims["B6"] = 15, 10  # sexual: detected, accompanied
    victims["G5"] = 1  # other: 1 detected, none accompanied
    victims["B9"] = "Mariage forcé"  # précisez
    book["Lieu"]["B5"] = 5  # sexual, exclusivement en France: 4 → 5
    book["Genre"]["B5"] = 8  # women: 7 → 8
    book["Âge"]["B8"] = 6  # 25 ans et plus: 5 → 6
    fill_origin(
        book,
        {
            "Chine": {"sexual": 1},
            "France": {"sexual": 3},
            "Mali": {"labour": 1},
            "Nigeria": {"sexual": 5},
        },
    )
    book["Vulnérabilités"]["B5"] = 2  # sexual: pregnancy
    links = book["Lien exploiteur"]
    links["B5"], links["B6"] = 2, 8  # sexual: family, entourage
    book["Compléments"]["B5"] = 3
    book["Compléments"]["B7"] = "Chiffres de notre base de suivi."


def cell_values(book: Workbook) -> dict:
    """Every cell of every sheet, but the download's own stamps (version, time)."""
    values = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    values[(sheet.title, cell.coordinate)] = cell.value
    values.pop((spreadsheet.IDENTIFICATION, "B6"))  # answers_version
    values.pop((spreadsheet.IDENTIFICATION, "B8"))  # downloaded_at
    return values


# --- The round trip ------------------------------------------------------------------------


def test_round_trip(client_a, association_a, campaign, member_a):
    submission = make_submission(association_a, campaign)
    book = download(client_a, association_a)
    fill_as_a_member(book)
    filled = as_bytes(book)

    response = upload(client_a, association_a, filled)
    assert response.status_code == 302
    assert response.url == reverse("spreadsheet_preview", args=[association_a.pk, 2024])
    preview = client_a.get(response.url)
    text = page_text(preview)
    assert "Genre!B5 Exploitation sexuelle — femmes (cisgenres) 7 8" in text
    assert "Origine!B5 Exploitation sexuelle — Chine (vide) 1" in text
    assert "0 erreur" in text
    assert stored(association_a, campaign)[0] == submission.version  # not yet
    version, versions = submission.version, submission.history.count()

    response = confirm(client_a, association_a)

    assert response.status_code == 302
    assert response.url == reverse("review", args=[association_a.pk, 2024])
    submission.refresh_from_db()
    data = submission.to_data()
    sexual = data["forms"]["sexual"]
    assert (sexual["detected"], sexual["accompanied"]) == (15, 10)
    assert (sexual["france_only"], sexual["women"], sexual["age_25_plus"]) == (5, 8, 6)
    assert sexual["origin"] == {"CN": 1, "FR": 3, "NG": 5}
    assert (sexual["pregnancy"], sexual["link_family"], sexual["link_entourage"]) == (2, 2, 8)
    assert sexual["dependent_children"] is None  # blank stays "not answered"
    assert data["forms"]["other"]["detected"] == 1
    assert data["forms"]["other"]["other_label"] == "Mariage forcé"
    assert (data["suspects_identified"], data["comment"]) == (3, "Chiffres de notre base de suivi.")
    for field, value in consistent_answers()["forms"]["labour"].items():
        assert data["forms"]["labour"][field] == value, field  # untouched
    assert submission.updated_by == member_a
    # One import, one version: one row of history.
    assert submission.history.count() == versions + 1
    assert submission.version == version + 1
    assert submission.history.first().history_user == member_a
    assert submission.history.first().history_change_reason == "Import d'un questionnaire Excel"
    assert set(spreadsheet.SHEET_NAMES) <= set(submission.sections_saved)

    again = download(client_a, association_a)

    assert cell_values(again) == cell_values(load_workbook(io.BytesIO(filled)))


def test_a_draft_not_started_downloads_empty_and_imports(client_a, association_a, campaign):
    book = download(client_a, association_a)
    assert book["Victimes"]["B5"].value == 0
    assert book["Vulnérabilités"]["B5"].value is None
    book["Victimes"]["C5"] = 2
    book["Victimes"]["C6"] = 0

    assert upload(client_a, association_a, as_bytes(book)).status_code == 302
    assert confirm(client_a, association_a).status_code == 302

    assert stored(association_a, campaign)[1]["forms"]["labour"]["detected"] == 2


def test_an_unchanged_file_writes_nothing(client_a, association_a, campaign):
    book = download(client_a, association_a)  # a draft not started

    assert upload(client_a, association_a, as_bytes(book)).status_code == 302
    assert confirm(client_a, association_a).status_code == 302

    assert not Submission.objects.filter(association=association_a, campaign=campaign).exists()
    make_submission(association_a, campaign)
    before = stored(association_a, campaign)
    assert (
        upload(client_a, association_a, as_bytes(download(client_a, association_a))).status_code
        == 302
    )
    assert confirm(client_a, association_a).status_code == 302
    assert stored(association_a, campaign) == before


def test_a_comment_as_long_as_online_imports(client_a, association_a, campaign, template):
    comment = "Suivi détaillé. " * 1_000  # 16 000 characters: no limit on the web form
    template["Compléments"]["B7"] = comment

    assert upload(client_a, association_a, as_bytes(template)).status_code == 302
    assert confirm(client_a, association_a).status_code == 302

    assert stored(association_a, campaign)[1]["comment"] == comment.strip()


def test_the_workbook_locks_labels_and_validates_inputs(client_a, association_a, campaign):
    make_submission(association_a, campaign)
    book = download(client_a, association_a)

    assert book.sheetnames[0] == "Instructions"
    assert book[spreadsheet.IDENTIFICATION].sheet_state == "hidden"
    assert book[spreadsheet.IDENTIFICATION]["B3"].value == 2024
    assert book[spreadsheet.IDENTIFICATION]["B4"].value == "W751000001"
    genre = book["Genre"]
    assert genre.protection.sheet
    assert genre["A5"].value == "Femmes (cisgenres)"
    assert genre["A5"].protection.locked
    assert not genre["C7"].protection.locked
    (whole,) = genre.data_validations.dataValidation
    assert (whole.type, whole.formula1, whole.formula2) == ("whole", "0", "1000000")
    assert "C7" in whole.sqref
    assert genre["A11"].value == "Total"
    assert genre["B11"].value == "=SUM(B5:B10)"
    assert genre["B12"].value == "='Victimes'!B6"
    assert genre["B13"].value == '=IF(B11=B12,"OK","Écart")'
    assert len(genre.conditional_formatting) == 2
    origin = book[ORIGIN_SHEET]
    assert origin["A5"].value == "France"
    countries = [v for v in origin.data_validations.dataValidation if v.type == "list"]
    assert countries[0].formula1.startswith("Pays!$A$1")


def test_download_is_a_copy_when_read_only(client_a, association_a, campaign, member_a):
    make_submission(association_a, campaign, status=Submission.Status.SUBMITTED, user=member_a)

    book = download(client_a, association_a)

    assert book["Victimes"]["B5"].value == 12
    home = page_text(client_a.get(reverse("association_home", args=[association_a.pk])))
    assert "Télécharger le questionnaire (Excel)" in home
    assert "Importer un questionnaire rempli" not in home


def test_home_links_while_editable(client_a, association_a, campaign):
    home = page_text(client_a.get(reverse("association_home", args=[association_a.pk])))

    assert "Télécharger le questionnaire (Excel)" in home
    assert "Importer un questionnaire rempli" in home


# --- Refused files: a message, and nothing changes -----------------------------------------


@pytest.fixture
def template(client_a, association_a, campaign):
    """A's draft, and its workbook as downloaded."""
    make_submission(association_a, campaign)
    return download(client_a, association_a)


def assert_refused(client, association, campaign, content, message, name="questionnaire.xlsx"):
    before = stored(association, campaign)
    response = upload(client, association, content, name)
    assert response.status_code == 200
    text = page_text(response)
    assert "Fichier refusé : rien n’a été modifié" in text
    assert message in text, text
    assert stored(association, campaign) == before
    preview = page_text(client.get(reverse("spreadsheet_preview", args=[association.pk, 2024])))
    assert "Aucun fichier en attente" in preview


def test_refuses_what_is_not_an_xlsx(client_a, association_a, campaign, template):
    assert_refused(
        client_a,
        association_a,
        campaign,
        b"%PDF-1.4 not a workbook",
        "Ce fichier n'est pas un classeur Excel (.xlsx) lisible",
        name="questionnaire.pdf",
    )


def test_refuses_a_zip_that_is_not_a_workbook(client_a, association_a, campaign, template):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    assert_refused(
        client_a,
        association_a,
        campaign,
        stream.getvalue(),
        "Ce fichier n'est pas un classeur Excel (.xlsx) lisible",
    )


def with_entry(content: bytes, name: str, data: bytes, types_from="", types_to="") -> bytes:
    """The package with one more entry, and a content type replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "[Content_Types].xml" and types_from:
                body = body.replace(types_from.encode(), types_to.encode())
            archive.writestr(entry, body)
        archive.writestr(name, data)
    return stream.getvalue()


@pytest.mark.parametrize("name", ["questionnaire.xlsm", "questionnaire.xlsx"])
def test_refuses_a_macro_enabled_file(client_a, association_a, campaign, template, name):
    content = with_entry(
        as_bytes(template),
        "xl/vbaProject.bin",
        b"\x00" * 100,
        spreadsheet.XLSX_MAIN,
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert_refused(client_a, association_a, campaign, content, "contient des macros", name=name)


def test_refuses_a_password_protected_file(client_a, association_a, campaign, template):
    # Excel encrypts a protected workbook into an OLE compound file (as the old .xls).
    content = spreadsheet.OLE_MAGIC + b"\x00" * 4096
    assert_refused(client_a, association_a, campaign, content, "protégé par un mot de passe")


def test_refuses_a_file_over_5_mb(client_a, association_a, campaign, template):
    content = as_bytes(template) + b"\x00" * (5 * 1024 * 1024)
    assert_refused(client_a, association_a, campaign, content, "5 Mo au plus sont acceptés")


def test_refuses_a_zip_bomb(client_a, association_a, campaign, template):
    # 2 MB of zeros deflate to a few kilobytes: a ratio no spreadsheet has.
    content = with_entry(as_bytes(template), "xl/media/padding.xml", b"0" * (2 * 1024 * 1024))
    assert len(content) < 100_000
    assert_refused(
        client_a, association_a, campaign, content, "anormalement volumineux une fois décompressé"
    )


def test_refuses_a_package_inflating_past_the_limit(
    monkeypatch, client_a, association_a, campaign, template
):
    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED_BYTES", 10_000)
    assert_refused(client_a, association_a, campaign, as_bytes(template), "anormalement volumineux")


def test_refuses_another_campaigns_template(
    client_a, association_a, campaign, template, previous_campaign
):
    old = download(client_a, association_a, year=2023)
    assert_refused(
        client_a,
        association_a,
        campaign,
        as_bytes(old),
        "Ce fichier est le questionnaire de l'enquête 2023, pas celui de l'enquête 2024",
    )


def test_refuses_another_associations_template(
    client_a, association_a, association_b, campaign, template
):
    content = spreadsheet.questionnaire_workbook(
        association=association_b,
        campaign=campaign,
        data=Submission(association=association_b, campaign=campaign).to_data(),
        version=0,
    )
    assert_refused(
        client_a,
        association_a,
        campaign,
        content,
        "Ce fichier est le questionnaire d'une autre association (identifiant W691000002)",
    )


def test_refuses_a_renamed_sheet(client_a, association_a, campaign, template):
    template["Genre"].title = "Sexe"
    assert_refused(
        client_a,
        association_a,
        campaign,
        as_bytes(template),
        "feuille(s) absente(s) ou renommée(s) : Genre ; feuille(s) en trop : Sexe",
    )


def test_refuses_a_moved_sheet(client_a, association_a, campaign, template):
    template.move_sheet("Genre", offset=2)
    assert_refused(
        client_a, association_a, campaign, as_bytes(template), "les feuilles ont été déplacées"
    )


def test_refuses_an_edited_label(client_a, association_a, campaign, template):
    template["Genre"]["A7"] = "Hommes"
    assert_refused(
        client_a,
        association_a,
        campaign,
        as_bytes(template),
        "Feuille « Genre », cellule A7 : le libellé a été modifié (« Hommes » au lieu de "
        "« Hommes (cisgenres) »).",
    )


def test_refuses_an_inserted_row(client_a, association_a, campaign, template):
    template["Genre"].insert_rows(6)
    assert_refused(
        client_a, association_a, campaign, as_bytes(template), "Feuille « Genre », cellule A6"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Feuille « Genre », cellule C7 : « abc » n'est pas un nombre entier."),
        (2.5, "Feuille « Genre », cellule C7 : « 2,5 » n'est pas un nombre entier."),
        (-3, "Feuille « Genre », cellule C7 : « -3 » n'est pas un nombre entre 0 et 1 000 000."),
        (
            1_000_001,
            "Feuille « Genre », cellule C7 : « 1000001 » n'est pas un nombre entre 0 et 1 000 000.",
        ),
        (
            "=B7+1",
            "Feuille « Genre », cellule C7 : une formule (« =B7+1 ») n'est pas acceptée dans "
            "une case à remplir",
        ),
        (True, "Feuille « Genre », cellule C7 : « True » n'est pas un nombre entier."),
    ],
    ids=["text", "decimal", "negative", "too-big", "formula", "boolean"],
)
def test_refuses_a_bad_count(client_a, association_a, campaign, template, value, message):
    template["Genre"]["C7"] = value
    assert_refused(client_a, association_a, campaign, as_bytes(template), message)


def test_lists_every_bad_cell(client_a, association_a, campaign, template):
    template["Genre"]["C7"] = "abc"
    template["Plaintes"]["D5"] = -1
    template[ORIGIN_SHEET]["A9"] = "Atlantide"
    template[ORIGIN_SHEET]["B9"] = 1
    template[ORIGIN_SHEET]["A10"] = "france"
    template[ORIGIN_SHEET]["B11"] = 1

    before = stored(association_a, campaign)
    text = page_text(upload(client_a, association_a, as_bytes(template)))

    assert "Feuille « Genre », cellule C7 : « abc » n'est pas un nombre entier." in text
    assert "Feuille « Plaintes », cellule D5 : « -1 »" in text
    assert "Feuille « Origine », cellule A9 : pays « Atlantide » inconnu" in text
    assert "Feuille « Origine », cellule A10 : France est déjà saisi ligne 5" in text
    assert "Feuille « Origine », cellule A11 : indiquez le pays de cette ligne." in text
    assert stored(association_a, campaign) == before


def test_refuses_a_value_outside_the_cells_to_fill(client_a, association_a, campaign, template):
    template[ORIGIN_SHEET]["A50"] = "Chine"  # below the totals
    template[ORIGIN_SHEET]["B50"] = 2
    assert_refused(
        client_a,
        association_a,
        campaign,
        as_bytes(template),
        "Feuille « Origine », cellule A50 : cette case est hors des cases à remplir (« Chine »)",
    )


def test_a_number_typed_as_text_is_a_number(client_a, association_a, campaign, template):
    template["Genre"]["B5"] = "7"
    template["Lieu"]["B5"] = " 4 "

    assert upload(client_a, association_a, as_bytes(template)).status_code == 302


def test_no_file(client_a, association_a, campaign, template):
    before = stored(association_a, campaign)
    response = client_a.post(reverse("spreadsheet_upload", args=[association_a.pk, 2024]))
    assert "Choisissez le fichier du questionnaire rempli" in page_text(response)
    assert stored(association_a, campaign) == before


# --- Preview, confirm, cancel --------------------------------------------------------------


def test_preview_names_the_cell_of_each_problem(client_a, association_a, campaign, template):
    template["Genre"]["B5"] = 6  # sexual: 6 + 1 + 1 = 8 for 9 accompanied
    template["Lien exploiteur"]["B5"] = 1  # covers 1 of 9: a warning

    assert upload(client_a, association_a, as_bytes(template)).status_code == 302
    text = page_text(client_a.get(reverse("spreadsheet_preview", args=[association_a.pk, 2024])))

    assert (
        "Genre!B5 : Exploitation sexuelle : la somme des identités de genre (8) diffère du "
        "nombre de victimes accompagnées (9)." in text
    )
    assert "Lien exploiteur!B5 : Exploitation sexuelle : la somme des liens" in text
    assert "1 erreur" in text

    # A draft may hold errors, as on the web.
    assert confirm(client_a, association_a).status_code == 302
    assert stored(association_a, campaign)[1]["forms"]["sexual"]["women"] == 6


def test_cancel_changes_nothing(client_a, association_a, campaign, template):
    template["Genre"]["B5"] = 6
    before = stored(association_a, campaign)
    upload(client_a, association_a, as_bytes(template))

    response = confirm(client_a, association_a, action="cancel")

    assert response.status_code == 302
    assert stored(association_a, campaign) == before
    assert confirm(client_a, association_a).status_code == 409  # nothing waits any more
    assert stored(association_a, campaign) == before


def test_confirm_is_refused_when_the_draft_changed(client_a, association_a, campaign, template):
    template["Genre"]["B5"] = 6
    upload(client_a, association_a, as_bytes(template))
    # Another member saves a section in between.
    client_a.post(
        reverse("section", args=[association_a.pk, 2024, "lieu"]),
        {
            "version": str(stored(association_a, campaign)[0]),
            "sexual-france_only": "3",
            "sexual-france_and_abroad": "6",
        },
    )
    before = stored(association_a, campaign)

    response = confirm(client_a, association_a)

    assert response.status_code == 409
    assert "les réponses ont été modifiées depuis l'import du fichier" in page_text(response)
    assert stored(association_a, campaign) == before
    assert before[1]["forms"]["sexual"]["women"] == 7


def test_the_preview_warns_when_answers_changed_since_the_download(
    client_a, association_a, campaign, template
):
    client_a.post(
        reverse("section", args=[association_a.pk, 2024, "lieu"]),
        {
            "version": str(stored(association_a, campaign)[0]),
            "sexual-france_only": "3",
            "sexual-france_and_abroad": "6",
        },
    )
    upload(client_a, association_a, as_bytes(template))

    text = page_text(client_a.get(reverse("spreadsheet_preview", args=[association_a.pk, 2024])))

    assert "Les réponses en ligne ont changé depuis le téléchargement de ce fichier" in text
    assert "Lieu!B5 Exploitation sexuelle — exploitées exclusivement en France 3 4" in text


def test_upload_is_refused_once_submitted(client_a, association_a, campaign, member_a):
    make_submission(association_a, campaign, status=Submission.Status.SUBMITTED, user=member_a)
    book = download(client_a, association_a)
    book["Genre"]["B5"] = 6
    before = stored(association_a, campaign)

    response = upload(client_a, association_a, as_bytes(book))

    assert response.status_code == 302
    assert stored(association_a, campaign) == before
    page = page_text(client_a.get(reverse("spreadsheet_upload", args=[association_a.pk, 2024])))
    assert "lecture seule" in page


def test_upload_is_refused_when_the_campaign_is_closed(client_a, association_a, campaign):
    make_submission(association_a, campaign)
    book = download(client_a, association_a)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
    before = stored(association_a, campaign)

    upload(client_a, association_a, as_bytes(book))

    assert stored(association_a, campaign) == before


# --- LibreOffice ---------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_a_file_saved_by_libreoffice_imports(tmp_path, client_a, association_a, campaign):
    make_submission(association_a, campaign)
    book = download(client_a, association_a)
    fill_as_a_member(book)
    book.save(tmp_path / "filled.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(tmp_path / "filled.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    saved = (out / "filled.xlsx").read_bytes()
    reopened = load_workbook(io.BytesIO(saved))
    assert reopened[spreadsheet.IDENTIFICATION].sheet_state == "hidden"
    assert reopened["Genre"].protection.sheet
    assert reopened["Genre"].data_validations.dataValidation

    assert upload(client_a, association_a, saved).status_code == 302
    assert confirm(client_a, association_a).status_code == 302

    sexual = stored(association_a, campaign)[1]["forms"]["sexual"]
    assert (sexual["accompanied"], sexual["women"]) == (10, 8)
    assert sexual["origin"] == {"CN": 1, "FR": 3, "NG": 5}
