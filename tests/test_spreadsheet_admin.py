"""Staff import an association's filled workbook on its behalf, from the admin."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from survey.models import Submission

from .conftest import make_submission, page_text
from .test_spreadsheet import as_bytes, stored


def spreadsheet_url(association) -> str:
    return reverse("admin:survey_association_spreadsheet", args=[association.pk])


def staff_download(client, association):
    response = client.get(spreadsheet_url(association), {"telecharger": "1"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def staff_upload(client, association, content: bytes):
    file = io.BytesIO(content)
    file.name = "questionnaire.xlsx"
    return client.post(spreadsheet_url(association), {"action": "upload", "fichier": file})


def test_staff_import_on_behalf_of_the_association(
    staff_client, staff_user, association_a, campaign
):
    submission = make_submission(association_a, campaign)
    book = staff_download(staff_client, association_a)
    book["Genre"]["B5"] = 6

    response = staff_upload(staff_client, association_a, as_bytes(book))
    assert response.status_code == 302
    preview = page_text(staff_client.get(spreadsheet_url(association_a)))
    assert "Genre!B5 Exploitation sexuelle — femmes (cisgenres) 7 6" in preview
    assert "Genre!B5 : Exploitation sexuelle : la somme des identités de genre (8)" in preview

    response = staff_client.post(spreadsheet_url(association_a), {"action": "apply"})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.to_data()["forms"]["sexual"]["women"] == 6
    assert submission.status == Submission.Status.DRAFT  # submitting stays the association's
    assert submission.updated_by == staff_user
    latest = submission.history.first()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "Import d'un questionnaire Excel"
    answer = submission.answers.get(form="sexual")
    assert answer.history.first().history_user == staff_user


def test_staff_refused_file_changes_nothing(staff_client, association_a, campaign):
    make_submission(association_a, campaign)
    book = staff_download(staff_client, association_a)
    book["Genre"]["C7"] = "abc"
    before = stored(association_a, campaign)

    response = staff_upload(staff_client, association_a, as_bytes(book))

    assert response.status_code == 200
    assert "Feuille « Genre », cellule C7 : « abc » n'est pas un nombre entier." in page_text(
        response
    )
    assert stored(association_a, campaign) == before


def test_staff_cancel_changes_nothing(staff_client, association_a, campaign):
    make_submission(association_a, campaign)
    book = staff_download(staff_client, association_a)
    book["Genre"]["B5"] = 6
    staff_upload(staff_client, association_a, as_bytes(book))
    before = stored(association_a, campaign)

    staff_client.post(spreadsheet_url(association_a), {"action": "cancel"})

    assert stored(association_a, campaign) == before
    assert "Vérifier le fichier" in page_text(staff_client.get(spreadsheet_url(association_a)))


def test_no_import_into_a_submitted_answer(staff_client, association_a, campaign, member_a):
    make_submission(association_a, campaign, status=Submission.Status.SUBMITTED, user=member_a)
    book = staff_download(staff_client, association_a)
    book["Genre"]["B5"] = 6
    before = stored(association_a, campaign)

    staff_upload(staff_client, association_a, as_bytes(book))

    assert stored(association_a, campaign) == before


def test_staff_without_the_review_permission_is_refused(
    client, staff_user, association_a, campaign
):
    make_submission(association_a, campaign)
    client.force_login(staff_user)  # staff, but not in the Miprof group

    assert client.get(spreadsheet_url(association_a)).status_code == 403
    assert client.post(spreadsheet_url(association_a), {"action": "apply"}).status_code == 403


def test_members_do_not_reach_the_admin_import(client_a, association_a, campaign):
    response = client_a.get(spreadsheet_url(association_a))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_the_association_page_links_to_the_import(staff_client, association_a, campaign):
    page = staff_client.get(reverse("admin:survey_association_change", args=[association_a.pk]))

    assert spreadsheet_url(association_a) in page.content.decode()
