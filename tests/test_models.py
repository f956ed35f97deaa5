"""The data model mirrors questionnaire.md and its database constraints hold."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import PositiveIntegerField

from survey.models import Campaign, FormAnswer, OriginCount, Submission
from survey.questionnaire import COUNT_FIELDS, FORMS, PART1_FIELDS, PART2_FIELDS


@pytest.fixture
def submission(campaign, association_a):
    return Submission.objects.create(association=association_a, campaign=campaign)


def count_fields_of_model():
    return [
        field.name
        for field in FormAnswer._meta.get_fields()
        if isinstance(field, PositiveIntegerField)
    ]


def test_form_answer_has_exactly_the_questionnaire_counts():
    assert sorted(count_fields_of_model()) == sorted(COUNT_FIELDS)


def test_part1_counts_are_mandatory_and_part2_counts_nullable():
    for name in PART1_FIELDS:
        field = FormAnswer._meta.get_field(name)
        assert not field.null and field.default == 0, name
    for name in PART2_FIELDS:
        field = FormAnswer._meta.get_field(name)
        assert field.null and field.blank, name


def test_every_field_has_a_french_label():
    for name in COUNT_FIELDS:
        label = str(FormAnswer._meta.get_field(name).verbose_name)
        assert label and label != name.replace("_", " "), name


def test_blank_part2_stays_not_answered(submission):
    answer = FormAnswer.objects.create(submission=submission, form="sexual", detected=3)
    answer.refresh_from_db()
    assert answer.accompanied == 0
    assert answer.network is None


@pytest.mark.parametrize("field", ["detected", "women", "network"])
def test_database_refuses_negative_counts(submission, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        FormAnswer.objects.create(submission=submission, form="sexual", **{field: -1})


def test_one_submission_per_association_and_campaign(submission):
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(association=submission.association, campaign=submission.campaign)


def test_one_answer_per_form(submission):
    FormAnswer.objects.create(submission=submission, form="sexual")
    with pytest.raises(IntegrityError), transaction.atomic():
        FormAnswer.objects.create(submission=submission, form="sexual")


def test_one_origin_count_per_country(submission):
    answer = FormAnswer.objects.create(submission=submission, form="sexual")
    OriginCount.objects.create(answer=answer, country="NG", count=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        OriginCount.objects.create(answer=answer, country="NG", count=1)


def test_campaign_closes_after_it_opens(db):
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            year=2030,
            reference_year=2029,
            opens_on=datetime.date(2030, 9, 1),
            closes_on=datetime.date(2030, 7, 1),
        )


def test_to_data_lists_every_form_with_defaults(submission, django_assert_num_queries):
    answer = FormAnswer.objects.create(
        submission=submission, form="sexual", detected=5, accompanied=4, network=3
    )
    OriginCount.objects.create(answer=answer, country="NG", count=4)
    loaded = Submission.objects.select_related("association", "campaign").prefetch_related(
        "answers__origins"
    )
    with django_assert_num_queries(3):
        data = loaded.get(pk=submission.pk).to_data()
    assert list(data["forms"]) == list(FORMS)
    sexual = data["forms"]["sexual"]
    assert (sexual["detected"], sexual["accompanied"], sexual["network"]) == (5, 4, 3)
    assert sexual["origin"] == {"NG": 4}
    assert sexual["pregnancy"] is None
    assert data["forms"]["labour"]["detected"] == 0
    assert data["forms"]["labour"]["network"] is None
    assert data["campaign"] == 2024
    assert data["association"]["identifier"] == "W751000001"
