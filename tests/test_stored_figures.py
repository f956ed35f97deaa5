"""The stored figures of the tables (reports.models.StoredFigures, reports/figures.py):
always those of the validated submissions, whatever changed them and how."""

import random
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.models import F
from django.urls import reverse

from reports import figures as figures_module
from reports.figures import CampaignFigures, figures_follow
from reports.models import StoredFigures
from reports.tables import TABLES, all_tables
from survey import services
from survey.models import Association, FormAnswer, Submission
from survey.questionnaire import FORMS
from tests.conftest import consistent_answers, make_submission, page_text

SUBMITTED = Submission.Status.SUBMITTED
VALIDATED = Submission.Status.VALIDATED

# Part 2 answered on some forms only, blanks and zeros, several countries: every kind of
# figure (sums, conditions, respondents, origins, per-submission counts) is exercised.
PROFILES = [
    {},
    {"pregnancy": 1, "network": 0, "irregular": 1, "disability": 2},
    {"unaccompanied_minors": 0, "housed_by_exploiter": 2, "living_at_workplace": 1},
    {"employment_support": 2, "employed_cdi": 1, "transfer_organised": 0},
]


def varied_answers(index: int) -> dict:
    data = consistent_answers()
    for number, values in enumerate(data["forms"].values()):
        values.update(PROFILES[(index + number) % len(PROFILES)])
    if index % 3 == 0:
        data["forms"]["labour"]["origin"] = {"ML": 1, "FR": 0}
    return data


@pytest.fixture
def reviewed(campaign, miprof):
    """Eight associations: five validated, three submitted, with varied answers."""
    submissions = []
    for index in range(8):
        association = Association.objects.create(
            name=f"Association {index}", identifier=f"W75100000{index}"
        )
        submissions.append(
            make_submission(
                association,
                campaign,
                status=VALIDATED if index < 5 else SUBMITTED,
                data=varied_answers(index),
                suspects_identified=index if index % 2 else None,
            )
        )
    return submissions


def tables_of(figures: CampaignFigures) -> dict:
    return {id: build(figures) for id, build in TABLES.items()}


def stored(campaign) -> dict:
    return StoredFigures.objects.get(campaign=campaign).figures


def fresh(campaign) -> dict:
    return CampaignFigures.compute(campaign).as_json()


def test_the_campaign_figures_are_the_sum_of_its_submissions(campaign, reviewed):
    total = CampaignFigures.compute(campaign)
    assert total.submissions == 5
    parts = [CampaignFigures.compute(campaign, s) for s in reviewed if s.status == VALIDATED]
    summed = parts[0]
    for part in parts[1:]:
        summed = summed.plus(part)
    assert summed == total
    # and taking one away gives the campaign without it
    assert total.plus(parts[-1], -1) == summed.plus(parts[-1], -1)
    assert total.plus(parts[-1], -1).submissions == 4
    assert total.respondents["f_pregnancy"] > 0 and total.origins


def test_stored_figures_read_back_equal(campaign, reviewed):
    computed = CampaignFigures.compute(campaign)
    assert CampaignFigures.from_json(campaign, computed.as_json()) == computed
    all_tables(campaign)
    assert stored(campaign) == computed.as_json()


def test_validating_and_reopening_follow_without_computing_the_campaign_again(
    campaign, reviewed, miprof, django_assert_max_num_queries
):
    tables = all_tables(campaign)
    assert tables["F1"].respondents == 5
    submitted = reviewed[5]

    services.submission_validate(submission=submitted, user=miprof)
    assert stored(campaign) == fresh(campaign)
    with django_assert_max_num_queries(3):  # read back, not computed
        assert all_tables(campaign)["F1"].respondents == 6

    services.submission_reopen(submission=reviewed[0], user=miprof, reason="À revoir")
    assert stored(campaign) == fresh(campaign)
    with django_assert_max_num_queries(3):
        assert all_tables(campaign)["F1"].respondents == 5


def test_a_random_review_keeps_the_stored_figures_exact(campaign, reviewed, miprof):
    """Validations, reopenings, returns and corrections in a random order."""
    all_tables(campaign)
    chance = random.Random(20261123)
    for step in range(30):
        submission = Submission.objects.get(pk=chance.choice(reviewed).pk)
        if submission.status == VALIDATED:
            services.submission_reopen(submission=submission, user=miprof, reason="Relecture")
        elif submission.status == SUBMITTED and chance.random() < 0.3:
            services.submission_return(submission=submission, user=miprof, message="Corrigez")
        elif submission.status == SUBMITTED:
            services.submission_validate(submission=submission, user=miprof)
        else:  # returned: the association corrects a count and sends it again
            services.submission_save_forms(
                association=submission.association,
                campaign=campaign,
                forms={"sexual": {"pregnancy": step % 3}},
                expected_version=submission.version,
                user=miprof,
            )
            corrected = Submission.objects.get(pk=submission.pk)
            services.submission_submit(
                submission=corrected, user=miprof, expected_version=corrected.version
            )
        assert stored(campaign) == fresh(campaign), step
    assert all_tables(campaign) == tables_of(CampaignFigures.compute(campaign))


def test_figures_follow_only_a_block_that_changes_one_submission(campaign, reviewed):
    """Given figures whose stamp is no longer the campaign's, the block leaves them to the
    next load, which computes them again."""
    all_tables(campaign)
    # Changed behind the services' back: the stored figures are out of date.
    Submission.objects.filter(pk=reviewed[6].pk).update(status=VALIDATED)
    before = stored(campaign)
    submission = Submission.objects.get(pk=reviewed[7].pk)
    with figures_follow(submission):
        submission.status = VALIDATED
        submission.save()
    assert stored(campaign) == before != fresh(campaign)
    assert all_tables(campaign)["F1"].respondents == 7
    assert stored(campaign) == fresh(campaign)


def test_a_change_of_other_submissions_during_the_block_is_not_taken_for_followed(
    campaign, reviewed
):
    """While one submission is validated, another writer (an import, a script) validates
    another: the figures cannot follow both, and are left for the next load."""
    all_tables(campaign)
    submission = Submission.objects.get(pk=reviewed[5].pk)
    with figures_follow(submission):
        submission.status = VALIDATED
        submission.save()
        Submission.objects.filter(pk=reviewed[6].pk).update(status=VALIDATED)
    assert stored(campaign) != fresh(campaign)
    assert all_tables(campaign)["F1"].respondents == 7
    assert stored(campaign) == fresh(campaign)


def validated_behind_the_services(submissions: list[Submission]) -> None:
    Submission.objects.filter(pk=submissions[5].pk).update(status=VALIDATED)


def reopened_behind_the_services(submissions: list[Submission]) -> None:
    Submission.objects.filter(pk=submissions[0].pk).update(status=SUBMITTED)


def swapped_behind_the_services(submissions: list[Submission]) -> None:
    """One validated, another no longer: as many validated submissions as before."""
    validated_behind_the_services(submissions)
    reopened_behind_the_services(submissions)


def imported_again(submissions: list[Submission]) -> None:
    entry = submissions[1].to_data()
    entry["forms"]["sexual"]["pregnancy"] = 7
    services.answers_import(entries=[entry])


def added_by_hand(submissions: list[Submission]) -> None:
    association = Association.objects.create(name="Ajoutée", identifier="W751999999")
    make_submission(association, submissions[0].campaign, status=VALIDATED)


def deleted_by_hand(submissions: list[Submission]) -> None:
    Submission.objects.get(pk=submissions[2].pk).delete()


def counts_edited_and_saved(submissions: list[Submission]) -> None:
    submission = Submission.objects.get(pk=submissions[3].pk)
    submission.suspects_identified = 40
    submission.save()


@pytest.mark.parametrize(
    "change",
    [
        validated_behind_the_services,
        reopened_behind_the_services,
        swapped_behind_the_services,
        imported_again,
        added_by_hand,
        deleted_by_hand,
        counts_edited_and_saved,
    ],
)
def test_any_other_change_of_the_validated_submissions_is_seen(campaign, reviewed, change):
    first = all_tables(campaign)
    change(reviewed)
    assert stored(campaign) != fresh(campaign)
    again = all_tables(campaign)
    assert again != first
    assert again == tables_of(CampaignFigures.compute(campaign))
    assert stored(campaign) == fresh(campaign)


def test_figures_stored_by_other_definitions_are_computed_again(campaign, reviewed, monkeypatch):
    all_tables(campaign)
    StoredFigures.objects.update(figures={"stale": True})
    monkeypatch.setattr(figures_module, "FORMAT", figures_module.FORMAT + 1)
    assert all_tables(campaign)["F1"].respondents == 5
    assert stored(campaign) == fresh(campaign)


def test_the_previous_campaign_s_figures_are_stored_too(campaign, previous_campaign, reviewed):
    make_submission(
        Association.objects.get(identifier="W751000000"), previous_campaign, status=VALIDATED
    )
    evolution = all_tables(campaign)["F1"].row("total").extra
    assert StoredFigures.objects.count() == 2
    assert evolution["detected_previous"] == sum(
        CampaignFigures.compute(previous_campaign).form(form, "detected") for form in FORMS
    )


# --------------------------------------------------------------------------- admin


def test_validated_answers_are_read_only_in_the_admin_even_for_superusers(
    client, superuser, campaign, reviewed
):
    client.force_login(superuser)
    validated, submitted = reviewed[0], reviewed[5]
    answer = validated.answers.get(form="sexual")
    change = reverse("admin:survey_formanswer_change", args=[answer.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="detected"' not in page.content.decode()  # shown, not editable
    assert "Pour la corriger, rouvrez-la depuis sa page de relecture." in page_text(page)
    assert client.post(change, {"detected": 99}).status_code == 403
    delete = reverse("admin:survey_formanswer_delete", args=[answer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    submission_change = reverse("admin:survey_submission_change", args=[validated.pk])
    assert client.post(submission_change, {"comment": "x"}).status_code == 403
    first = answer.history.earliest()
    revert = reverse("admin:survey_formanswer_simple_history", args=[answer.pk, first.pk])
    assert client.post(revert, {}).status_code == 403
    answer.refresh_from_db()
    assert answer.detected == 12

    # Nor added to it from the answers' own admin, which would not touch the submission.
    assert client.get(reverse("admin:survey_formanswer_add")).status_code == 403

    # Once reopened (or before validation) a superuser may still correct an answer.
    other = submitted.answers.get(form="sexual")
    page = client.get(reverse("admin:survey_formanswer_change", args=[other.pk]))
    assert 'name="detected"' in page.content.decode()


def test_answers_under_review_leave_the_figures_as_they_are(campaign, reviewed):
    all_tables(campaign)
    before = stored(campaign)
    FormAnswer.objects.filter(submission=reviewed[6]).update(detected=F("detected") + 1)
    assert all_tables(campaign) == tables_of(CampaignFigures.compute(campaign))
    assert stored(campaign) == before


# ------------------------------------------------------------- manage.py recompute_figures


def run_recompute(*args: str) -> str:
    out = StringIO()
    call_command("recompute_figures", *args, stdout=out)
    return out.getvalue()


def test_recompute_figures_repairs_answers_changed_outside_the_application(campaign, reviewed):
    """An SQL update of validated answers: the stamp cannot see it, the command can."""
    first = all_tables(campaign)
    FormAnswer.objects.filter(submission=reviewed[0], form="sexual").update(pregnancy=9)
    assert all_tables(campaign) == first  # still the stored figures

    assert run_recompute() == (
        "Campagne 2024 : 5 réponse(s) validée(s), sommes corrigées "
        "(elles différaient des réponses validées).\n"
    )
    assert stored(campaign) == fresh(campaign)
    assert all_tables(campaign) != first
    assert run_recompute("--campaign", "2024") == (
        "Campagne 2024 : 5 réponse(s) validée(s), sommes inchangées.\n"
    )


def test_recompute_figures_of_a_campaign_never_computed(campaign, previous_campaign, reviewed):
    assert run_recompute() == (
        "Campagne 2023 : 0 réponse(s) validée(s), sommes calculées.\n"
        "Campagne 2024 : 5 réponse(s) validée(s), sommes calculées.\n"
    )
    assert StoredFigures.objects.count() == 2


def test_recompute_figures_of_an_unknown_campaign(db):
    with pytest.raises(CommandError, match="Campagne 1999 inconnue"):
        run_recompute("--campaign", "1999")


# ----------------------------------------------------------------- two reviews at once


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_validations_at_once_are_both_counted(campaign, monkeypatch):
    """Two submissions of the same campaign validated at the same moment, in two
    transactions: the stored figures' row is locked, so the second adds its figures to
    the first's instead of both adding to the same old ones. (The review services also
    lock the campaign's row; this does not count on it.)"""
    submissions = [
        make_submission(
            Association.objects.create(name=f"Association {n}", identifier=f"W75200000{n}"),
            campaign,
            status=SUBMITTED,
            data=varied_answers(n),
        )
        for n in range(2)
    ]
    all_tables(campaign)
    compute = CampaignFigures.compute.__func__

    def slow_compute(cls, *args, **kwargs):
        time.sleep(0.2)  # a wide window between reading the figures and writing them
        return compute(cls, *args, **kwargs)

    monkeypatch.setattr(CampaignFigures, "compute", classmethod(slow_compute))
    start = threading.Barrier(2)
    failures = []

    def validate(submission):
        try:
            start.wait()
            with transaction.atomic():
                locked = Submission.objects.select_for_update().get(pk=submission.pk)
                with figures_follow(locked):
                    locked.status = VALIDATED
                    locked.version += 1
                    locked.save()
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=validate, args=(s,)) for s in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert stored(campaign)["submissions"] == 2
    assert stored(campaign) == CampaignFigures.compute(campaign).as_json()
