"""A fixed cast: a campaign, associations A and B, a member of each, a staff user."""

import datetime

import pytest

from survey.models import Association, Campaign, Membership


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        year=2024,
        reference_year=2023,
        opens_on=datetime.date(2024, 7, 3),
        closes_on=datetime.date(2024, 9, 25),
        status=Campaign.Status.OPEN,
    )


@pytest.fixture
def association_a(db):
    return Association.objects.create(
        name="Association A", identifier="W751000001", departement="75", region="IDF"
    )


@pytest.fixture
def association_b(db):
    return Association.objects.create(
        name="Association B", identifier="W691000002", departement="69", region="ARA"
    )


@pytest.fixture
def member_a(django_user_model, association_a):
    user = django_user_model.objects.create_user(
        username="alice@a.example", email="alice@a.example", password="motdepasse-a-1234"
    )
    Membership.objects.create(user=user, association=association_a)
    return user


@pytest.fixture
def member_b(django_user_model, association_b):
    user = django_user_model.objects.create_user(
        username="bob@b.example", email="bob@b.example", password="motdepasse-b-1234"
    )
    Membership.objects.create(user=user, association=association_b)
    return user


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="staff@miprof.example",
        email="staff@miprof.example",
        password="motdepasse-staff-1234",
        is_staff=True,
    )


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin@miprof.example",
        email="admin@miprof.example",
        password="motdepasse-admin-1234",
    )
