"""`submission_message`: "Écrire à la Miprof" from the association's space.

A member writes in the thread of the association's answers; the Miprof hears of it by
e-mail and answers from the review page. The form sits on the association's home.
"""

import pytest
from django.urls import reverse

from survey.models import Campaign, Message, Submission

from .conftest import make_submission, page_text

BODY = "Faut-il compter une victime repérée en 2022 et encore accompagnée en 2023 ?"


def message_url(association, year: int = 2024) -> str:
    return reverse("submission_message", args=[association.pk, year])


def home_url(association) -> str:
    return reverse("association_home", args=[association.pk])


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def miprof_inbox(settings):
    settings.MIPROF_NOTIFICATION_EMAILS = ["enquete@miprof.example"]


def test_the_home_page_has_the_form(client_a, submission_a):
    response = client_a.get(home_url(submission_a.association))

    page = response.content.decode()
    assert f'action="{message_url(submission_a.association)}"' in page
    assert "Écrire à la Miprof" in page_text(response)


def test_no_form_before_the_questionnaire_is_started(client_a, association_a, campaign):
    response = client_a.get(home_url(association_a))

    assert message_url(association_a) not in response.content.decode()


def test_post_a_message(client_a, member_a, submission_a, miprof_inbox, mailoutbox):
    association = submission_a.association

    response = client_a.post(message_url(association), {"body": f"  {BODY}\n"}, follow=True)

    assert response.redirect_chain == [(home_url(association), 302)]
    assert shown_messages(response) == ["Votre message a été envoyé à la Miprof."]
    message = Message.objects.get()
    assert (message.submission, message.author, message.from_staff, message.body) == (
        submission_a,
        member_a,
        False,
        BODY,
    )
    assert "Messages alice@a.example — " in page_text(response)
    assert BODY in page_text(response)


def test_the_miprof_is_emailed_with_a_link_to_the_review(
    client_a, submission_a, miprof_inbox, mailoutbox
):
    client_a.post(message_url(submission_a.association), {"body": BODY})

    [mail] = mailoutbox
    assert mail.to == ["enquete@miprof.example"]
    assert mail.subject == "Enquête 2024 : nouveau message de Association A"
    assert BODY in mail.body
    review = reverse("admin:survey_submission_review", args=[submission_a.pk])
    assert f"http://testserver{review}" in mail.body


def test_an_empty_message_is_refused(client_a, submission_a, miprof_inbox, mailoutbox):
    response = client_a.post(message_url(submission_a.association), {"body": " \n "}, follow=True)

    assert response.redirect_chain == [(home_url(submission_a.association), 302)]
    assert shown_messages(response) == ["Votre message est vide : écrivez-le avant de l’envoyer."]
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_no_message_before_the_questionnaire_is_started(
    client_a, association_a, campaign, mailoutbox
):
    response = client_a.post(message_url(association_a), {"body": BODY}, follow=True)

    assert shown_messages(response) == [
        "Commencez le questionnaire avant d’écrire à la Miprof : les messages accompagnent "
        "vos réponses."
    ]
    assert not Submission.objects.exists()
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_a_message_after_validation(client_a, association_a, campaign, miprof_inbox, mailoutbox):
    submission = make_submission(association_a, campaign, status=Submission.Status.VALIDATED)

    client_a.post(message_url(association_a), {"body": BODY})

    assert submission.messages.get().body == BODY
    assert len(mailoutbox) == 1


def test_non_member_gets_404(client, member_b, submission_a, mailoutbox):
    client.force_login(member_b)

    response = client.post(message_url(submission_a.association), {"body": BODY})

    assert response.status_code == 404
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_staff_get_404_too(client, staff_user, submission_a):
    """Staff write from the review page in the admin, not as an association."""
    client.force_login(staff_user)

    assert client.post(message_url(submission_a.association), {"body": BODY}).status_code == 404


def test_anonymous_is_sent_to_login(client, submission_a):
    url = message_url(submission_a.association)

    response = client.post(url, {"body": BODY})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Message.objects.exists()


def test_post_only(client_a, submission_a):
    assert client_a.get(message_url(submission_a.association)).status_code == 405


def test_a_campaign_in_preparation_is_404(client_a, association_a, submission_a):
    Campaign.objects.create(year=2025, reference_year=2024, status=Campaign.Status.DRAFT)

    response = client_a.post(message_url(association_a, 2025), {"body": BODY})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_reply_to_a_return_leaves_the_miprofs_request_on_top(
    client_a, association_a, campaign, staff_user, member_a, miprof_inbox
):
    submission = make_submission(association_a, campaign, status=Submission.Status.RETURNED)
    Message.objects.create(
        submission=submission, author=staff_user, from_staff=True, body="Vérifiez les âges."
    )

    response = client_a.post(message_url(association_a), {"body": BODY}, follow=True)

    text = page_text(response)
    assert "La Miprof vous demande une correction Vérifiez les âges." in text
    assert text.index("Vérifiez les âges.") < text.rindex(BODY)
