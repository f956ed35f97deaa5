"""Campaigns in the admin: superusers create the next one, open and close them; staff look."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from survey.campaigns import CampaignRefused, campaign_create_next
from survey.models import Campaign

from .conftest import page_text

Status = Campaign.Status
CHANGELIST = "admin:survey_campaign_changelist"


def url(name: str, campaign: Campaign) -> str:
    return reverse(f"admin:survey_campaign_{name}", args=[campaign.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def draft_2025(db):
    return Campaign.objects.create(year=2025, reference_year=2024, status=Status.DRAFT)


# --- Créer la campagne suivante ------------------------------------------------------------


def test_create_next_copies_the_campaign_one_year_later(admin_client, campaign):
    response = admin_client.post(url("create_next", campaign))

    following = Campaign.objects.get(year=2025)
    assert response.status_code == 302
    assert response["Location"] == url("change", following)
    assert following.reference_year == 2024
    assert following.opens_on == datetime.date(2025, 7, 3)
    assert following.closes_on == datetime.date(2025, 9, 25)
    assert following.status == Status.DRAFT
    assert messages_of(response) == [
        "La campagne 2025 a été créée, en préparation : vérifiez ses dates."
    ]
    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN  # the campaign it came from is left as it was


def test_create_next_is_refused_when_it_exists(admin_client, campaign, draft_2025):
    response = admin_client.post(url("create_next", campaign))

    assert response["Location"] == url("change", campaign)
    assert messages_of(response) == [
        "La campagne 2025 existe déjà : elle n'a pas été créée une seconde fois."
    ]
    assert Campaign.objects.count() == 2


def test_create_next_moves_29_february_to_28(db):
    leap = Campaign.objects.create(
        year=2028, reference_year=2027, opens_on=datetime.date(2028, 2, 29)
    )

    following = campaign_create_next(campaign=leap)

    assert following.opens_on == datetime.date(2029, 2, 28)
    assert following.closes_on is None


def test_create_next_service_refuses_in_french(campaign, draft_2025):
    with pytest.raises(CampaignRefused, match="La campagne 2025 existe déjà"):
        campaign_create_next(campaign=campaign)


# --- Ouvrir, Clore ------------------------------------------------------------------------


def test_open_a_campaign_when_none_is_open(admin_client, draft_2025):
    response = admin_client.post(url("open", draft_2025))

    draft_2025.refresh_from_db()
    assert draft_2025.status == Status.OPEN
    assert response["Location"] == url("change", draft_2025)
    assert messages_of(response) == [
        "La campagne 2025 est ouverte : les associations peuvent répondre."
    ]


def test_open_is_refused_while_another_campaign_is_open(admin_client, campaign, draft_2025):
    response = admin_client.post(url("open", draft_2025))

    draft_2025.refresh_from_db()
    assert draft_2025.status == Status.DRAFT
    assert messages_of(response) == [
        "Impossible d'ouvrir la campagne 2025 : la campagne 2024 est ouverte. Une seule "
        "campagne peut être ouverte à la fois ; clôturez-la d'abord."
    ]


def test_a_closed_campaign_can_be_opened_again(admin_client, previous_campaign):
    admin_client.post(url("open", previous_campaign))

    previous_campaign.refresh_from_db()
    assert previous_campaign.status == Status.OPEN


def test_a_published_campaign_is_not_opened_again(admin_client, previous_campaign):
    Campaign.objects.filter(pk=previous_campaign.pk).update(status=Status.PUBLISHED)

    response = admin_client.post(url("open", previous_campaign))

    previous_campaign.refresh_from_db()
    assert previous_campaign.status == Status.PUBLISHED
    assert messages_of(response) == [
        "La campagne 2023 est publiée : elle ne peut plus être rouverte."
    ]


def test_close_an_open_campaign(admin_client, campaign):
    response = admin_client.post(url("close", campaign))

    campaign.refresh_from_db()
    assert campaign.status == Status.CLOSED
    assert messages_of(response) == [
        "La campagne 2024 est close : les associations ne peuvent plus modifier leurs réponses."
    ]
    assert campaign.history.first().history_change_reason == "Close"


def test_close_is_refused_when_not_open(admin_client, draft_2025):
    response = admin_client.post(url("close", draft_2025))

    draft_2025.refresh_from_db()
    assert draft_2025.status == Status.DRAFT
    assert messages_of(response) == [
        "La campagne 2025 n'est pas ouverte (statut : En préparation) : rien à clore."
    ]


@pytest.mark.parametrize("name", ["create_next", "open", "close"])
def test_changes_are_posted_not_followed_as_links(admin_client, campaign, name):
    assert admin_client.get(url(name, campaign)).status_code == 405


def test_change_page_shows_the_buttons_that_apply(admin_client, campaign, draft_2025):
    open_page = page_text(admin_client.get(url("change", campaign)))
    draft_page = page_text(admin_client.get(url("change", draft_2025)))

    assert "Clore la campagne" in open_page and "Ouvrir la campagne" not in open_page
    assert "Ouvrir la campagne" in draft_page and "Clore la campagne" not in draft_page
    assert "Créer la campagne suivante (2025)" in open_page


# --- The same changes as actions of the list ----------------------------------------------


def run_action(client, action: str, *campaigns: Campaign):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [campaign.pk for campaign in campaigns]},
        follow=True,
    )


def test_actions_of_the_list(admin_client, campaign, draft_2025):
    run_action(admin_client, "close_campaign", campaign)
    run_action(admin_client, "open_campaign", draft_2025)
    response = run_action(admin_client, "create_next_campaign", draft_2025)

    statuses = dict(Campaign.objects.values_list("year", "status"))
    assert statuses == {2024: Status.CLOSED, 2025: Status.OPEN, 2026: Status.DRAFT}
    assert "La campagne 2026 a été créée" in page_text(response)


def test_opening_two_campaigns_at_once_opens_the_first_only(admin_client, previous_campaign):
    later = Campaign.objects.create(year=2025, reference_year=2024, status=Status.CLOSED)

    response = run_action(admin_client, "open_campaign", previous_campaign, later)

    statuses = dict(Campaign.objects.values_list("year", "status"))
    assert statuses == {2023: Status.OPEN, 2025: Status.CLOSED}
    assert "Impossible d'ouvrir la campagne 2025" in page_text(response)


# --- Who may do it ------------------------------------------------------------------------


def test_staff_see_campaigns_read_only(staff_client, campaign):
    changelist = staff_client.get(reverse(CHANGELIST))
    change = staff_client.get(url("change", campaign))

    assert changelist.status_code == change.status_code == 200
    assert 'name="action"' not in changelist.content.decode()  # no action offered
    assert "Ajouter campagne" not in page_text(changelist)
    assert 'name="_save"' not in change.content.decode()
    assert "Créer la campagne suivante" not in page_text(change)
    assert "Tableau de suivi" in page_text(change)


def test_staff_cannot_add_change_or_delete(staff_client, campaign):
    assert staff_client.get(reverse("admin:survey_campaign_add")).status_code == 403
    assert staff_client.get(url("delete", campaign)).status_code == 403
    staff_client.post(url("change", campaign), {"year": 2024, "reference_year": 1999})
    campaign.refresh_from_db()
    assert campaign.reference_year == 2023


@pytest.mark.parametrize("name", ["create_next", "open", "close"])
def test_staff_cannot_change_the_calendar(staff_client, campaign, name):
    assert staff_client.post(url(name, campaign)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("action", ["create_next_campaign", "open_campaign", "close_campaign"])
def test_staff_cannot_run_the_actions(staff_client, campaign, action):
    run_action(staff_client, action, campaign)

    campaign.refresh_from_db()
    assert campaign.status == Status.OPEN
    assert Campaign.objects.count() == 1


def test_superuser_can_add_change_and_delete(admin_client, draft_2025):
    assert admin_client.get(reverse("admin:survey_campaign_add")).status_code == 200
    response = admin_client.post(
        url("change", draft_2025),
        {"year": 2025, "reference_year": 2024, "status": Status.DRAFT, "opens_on": "2025-07-01"},
    )
    assert response.status_code == 302
    draft_2025.refresh_from_db()
    assert draft_2025.opens_on == datetime.date(2025, 7, 1)

    admin_client.post(url("delete", draft_2025), {"post": "yes"})
    assert not Campaign.objects.exists()


def test_creating_opening_and_closing_are_in_the_audit_log(admin_client, campaign):
    from audit.models import Action, AuditEvent

    admin_client.post(url("create_next", campaign))
    admin_client.post(url("close", campaign))
    following = Campaign.objects.get(year=2025)
    admin_client.post(url("open", following))

    events = list(AuditEvent.objects.order_by("pk").values_list("action", "campaign_year"))
    assert [event for event in events if event[0].startswith("campaign_")] == [
        (Action.CAMPAIGN_CREATED, 2025),
        (Action.CAMPAIGN_CLOSED, 2024),
        (Action.CAMPAIGN_OPENED, 2025),
    ]
    campaign_events = AuditEvent.objects.filter(action__startswith="campaign_")
    # By the superuser who clicked (the request's user).
    assert {event.actor.is_superuser for event in campaign_events} == {True}
