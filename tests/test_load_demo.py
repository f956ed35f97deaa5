"""`manage.py load_demo`: the demo campaign open today, accounts, answers in every state."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from survey import demo as demo_module
from survey.checks import check_submission, errors
from survey.demo import DATASET, DEMO_PASSWORD, DemoDatasetError
from survey.models import Association, Campaign, Membership, Submission

DATASET_EXTRACT = 3  # of the 69 generated associations: tests/test_demo_dataset.py loads all


@pytest.fixture(autouse=True)
def small_dataset(monkeypatch, tmp_path):
    """A few entries of fixtures/demo-2024.json (one association that met no victim, two
    with victims of sexual exploitation): the import is the same, and fast."""
    extract = tmp_path / "demo-2024.json"
    everything = json.loads(DATASET.read_text(encoding="utf-8"))
    entries = [entry for entry in everything if not entry["forms"]][:1] + [
        entry for entry in everything if "sexual" in entry["forms"]
    ][: DATASET_EXTRACT - 1]
    extract.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(demo_module, "DATASET", extract)
    return entries


@pytest.fixture
def demo(db, capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def test_prints_every_login(demo):
    users = get_user_model().objects.all()
    assert users.count() == 8
    for user in users:
        assert user.email in demo
        assert user.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in demo


def test_campaign_2024_is_open_today(demo):
    campaign = Campaign.objects.get(year=2024)
    today = timezone.localdate()
    assert campaign.reference_year == 2023
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.opens_on <= today <= campaign.closes_on


def test_answers_in_every_state(demo):
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == set(Submission.Status.values)
    not_started = Association.objects.filter(submissions__isnull=True)
    assert not_started.count() == 1


def test_only_the_draft_breaks_a_rule(demo):
    for submission in Submission.objects.all():
        problems = errors(check_submission(submission.to_data()))
        if submission.status == Submission.Status.DRAFT:
            assert [problem.code for problem in problems] == ["gender_sum"]
        else:
            assert problems == [], submission


def test_the_dataset_is_imported_validated_without_accounts(demo, small_dataset):
    identifiers = [entry["association"]["identifier"] for entry in small_dataset]
    imported = Submission.objects.filter(association__identifier__in=identifiers)
    assert {submission.status for submission in imported} == {Submission.Status.VALIDATED}
    assert imported.count() == DATASET_EXTRACT
    assert not Membership.objects.filter(association__identifier__in=identifiers).exists()
    assert Association.objects.count() == 5 + DATASET_EXTRACT


def test_a_dataset_with_a_problem_imports_nothing(db, small_dataset, tmp_path, monkeypatch):
    broken = json.loads(json.dumps(small_dataset))
    broken[1]["forms"]["sexual"]["women"] += 1  # the gender grid no longer adds up
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(demo_module, "DATASET", path)
    with pytest.raises(DemoDatasetError, match=r"\[1\]\.forms\.sexual\.women"):
        call_command("load_demo")
    assert not Association.objects.exists()
    assert not Campaign.objects.exists()


def test_staff_and_superuser(demo):
    User = get_user_model()
    staff = User.objects.get(email="agent@miprof.example")
    assert staff.is_staff and not staff.is_superuser
    assert staff.has_perm("survey.review_submission")
    assert not staff.has_perm("survey.change_submission")
    assert not staff.has_perm("survey.delete_submission")
    assert User.objects.get(email="admin@miprof.example").is_superuser


def test_a_member_of_two_associations(demo):
    shared = Membership.objects.filter(user__email="coordination@demo-reseau.example")
    assert shared.count() == 2


def test_safe_to_run_twice(demo, capsys):
    counts = (
        get_user_model().objects.count(),
        Association.objects.count(),
        Submission.objects.count(),
        Membership.objects.count(),
    )
    before = Submission.objects.get(association__identifier="W751000101").to_data()
    call_command("load_demo")
    assert counts == (
        get_user_model().objects.count(),
        Association.objects.count(),
        Submission.objects.count(),
        Membership.objects.count(),
    )
    assert Submission.objects.get(association__identifier="W751000101").to_data() == before


def test_dates_follow_today(db):
    from survey.demo import load_demo

    load_demo(today=datetime.date(2030, 1, 15))
    campaign = Campaign.objects.get(year=2024)
    assert campaign.opens_on < datetime.date(2030, 1, 15) < campaign.closes_on


def test_tells_staff_about_the_authenticator_app(db, capsys, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    call_command("load_demo")
    assert "scannez le QR code avec une application d'authentification" in capsys.readouterr().out
