"""Demo data: a handful of fictional associations and their answers, in every state.

Used by `manage.py load_demo`. Names are invented; no real association is meant.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .answers_json import entry_problems, parse_answers
from .models import Association, Campaign, FormAnswer, Membership, Submission
from .questionnaire import GROUPS
from .roles import staff_group
from .services import answers_import, submission_save_data

DEMO_PASSWORD = "demo-miprof-2024"
# 69 more fictional associations, validated, whose answers with Horizon Solidaire's
# reproduce the 2023 report (written by fixtures/generate_demo_2024.py).
DATASET = Path(__file__).resolve().parent.parent / "fixtures" / "demo-2024.json"


class DemoDatasetError(Exception):
    """The demo dataset file does not import: its problems, one per line."""


def split(total: int, weights: tuple[int, ...]) -> list[int]:
    """Share `total` by `weights` (largest remainders), so the parts always add up."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [int(value) for value in exact]
    by_remainder = sorted(
        range(len(weights)), key=lambda index: exact[index] - parts[index], reverse=True
    )
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def consistent_form(
    detected: int,
    accompanied: int,
    *,
    place: tuple[int, ...],
    gender: tuple[int, ...],
    age: tuple[int, ...],
    origin: dict[str, int],
    profile: dict[str, int] | None = None,
) -> dict:
    """One form's answers whose breakdowns add up to `accompanied`."""
    data = FormAnswer.empty_data()
    data.update(detected=detected, accompanied=accompanied)
    for group, weights in (("place", place), ("gender", gender), ("age", age)):
        data.update(zip(GROUPS[group].fields, split(accompanied, weights), strict=True))
    countries = list(origin)
    counts = split(accompanied, (*origin.values(), 1))
    data["origin"] = {code: n for code, n in zip(countries, counts, strict=False) if n}
    data["origin_unknown"] = counts[-1]
    data.update(profile or {})
    return data


@dataclass(frozen=True)
class DemoAssociation:
    name: str
    identifier: str
    departement: str
    region: str
    email: str
    status: str | None  # None: not started
    forms: dict


SEXUAL_PROFILE = {
    "pregnancy": 6,
    "dependent_children": 5,
    "network": 18,
    "housed_by_exploiter": 17,
    "living_at_workplace": 10,
    "link_family": 4,
    "link_entourage": 9,
    "link_employer": 2,
    "link_other": 5,
    "complaint_thb": 12,
    "complaint_other": 2,
    "no_complaint": 6,
    "civil_party": 5,
    "exit_programme": 6,
}

ASSOCIATIONS = (
    DemoAssociation(
        "Horizon Solidaire",
        "W751000101",
        "75",
        "IDF",
        "contact@horizon-solidaire.example",
        Submission.Status.VALIDATED,
        {
            "sexual": consistent_form(
                30,
                20,
                place=(8, 8, 4),
                gender=(16, 3, 1, 0, 0, 0),
                age=(0, 2, 6, 12, 0),
                origin={"NG": 12, "CI": 3, "FR": 2, "CM": 2},
                profile=SEXUAL_PROFILE,
            ),
            "domestic": consistent_form(
                4,
                4,
                place=(4, 0, 0),
                gender=(4, 0, 0, 0, 0, 0),
                age=(0, 0, 1, 3, 0),
                origin={"MA": 2, "PH": 2},
            ),
        },
    ),
    DemoAssociation(
        "Le Fil d'Ariane — accueil des victimes",
        "W131000102",
        "13",
        "PAC",
        "equipe@fil-ariane.example",
        Submission.Status.SUBMITTED,
        {
            "sexual": consistent_form(
                12,
                9,
                place=(4, 5, 0),
                gender=(7, 1, 1, 0, 0, 0),
                age=(0, 1, 3, 5, 0),
                origin={"NG": 5, "FR": 3},
            ),
            "begging": consistent_form(
                3,
                2,
                place=(2, 0, 0),
                gender=(1, 0, 1, 0, 0, 0),
                age=(1, 0, 0, 1, 0),
                origin={"RO": 2},
            ),
        },
    ),
    DemoAssociation(
        "Collectif Travail Digne",
        "W691000103",
        "69",
        "ARA",
        "permanence@travail-digne.example",
        Submission.Status.RETURNED,
        {
            "labour": consistent_form(
                25,
                15,
                place=(14, 1, 0),
                gender=(2, 0, 13, 0, 0, 0),
                age=(0, 0, 4, 11, 0),
                origin={"ML": 5, "SN": 4, "UA": 3, "BR": 2},
            ),
        },
    ),
    DemoAssociation(
        "Maison des mineurs protégés",
        "W591000104",
        "59",
        "HDF",
        "accueil@mineurs-proteges.example",
        Submission.Status.DRAFT,
        {
            # A draft with a gender grid that does not add up: the checks show it.
            "crime": {
                **consistent_form(
                    8,
                    7,
                    place=(7, 0, 0),
                    gender=(0, 0, 7, 0, 0, 0),
                    age=(2, 3, 2, 0, 0),
                    origin={"MA": 3, "DZ": 2},
                ),
                "men": 6,
            },
        },
    ),
    DemoAssociation(
        "Réseau Entraide Ouest",
        "W441000105",
        "44",
        "PDL",
        "bureau@entraide-ouest.example",
        None,
        {},
    ),
)

# A member of two associations chooses which one she answers for.
SHARED_MEMBER = ("coordination@demo-reseau.example", ("W751000101", "W131000102"))
STAFF_EMAIL = "agent@miprof.example"
ADMIN_EMAIL = "admin@miprof.example"


def _user(email: str, **flags):
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=email, defaults={"email": email, "is_active": True, **flags}
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def load_demo(
    today: datetime.date | None = None, *, with_dataset: bool = True
) -> list[tuple[str, str]]:
    """Create or refresh the demo; returns the logins as (role, e-mail).

    `with_dataset=False` leaves out the 69 generated associations (fast, for browser tests).
    """
    today = today or timezone.localdate()
    campaign, _ = Campaign.objects.update_or_create(
        year=2024,
        defaults={
            "reference_year": 2023,
            # Moved so that the demo campaign is open today.
            "opens_on": today - datetime.timedelta(days=30),
            "closes_on": today + datetime.timedelta(days=60),
            "status": Campaign.Status.OPEN,
        },
    )
    logins = [("Administrateur (superuser)", ADMIN_EMAIL), ("Agent de la Miprof", STAFF_EMAIL)]
    _user(ADMIN_EMAIL, is_staff=True, is_superuser=True)
    staff = _user(STAFF_EMAIL, is_staff=True, is_superuser=False)
    staff.groups.add(staff_group())

    associations = {}
    for demo in ASSOCIATIONS:
        association, _ = Association.objects.update_or_create(
            identifier=demo.identifier,
            defaults={
                "name": demo.name,
                "departement": demo.departement,
                "region": demo.region,
                "description": "Association fictive créée pour la démonstration.",
            },
        )
        associations[demo.identifier] = association
        member = _user(demo.email)
        Membership.objects.get_or_create(user=member, association=association)
        logins.append((f"Membre de « {demo.name} »", demo.email))
        if demo.status is None:
            Submission.objects.filter(association=association, campaign=campaign).delete()
            continue
        submission, _ = Submission.objects.get_or_create(association=association, campaign=campaign)
        now = timezone.now()
        submitted = demo.status != Submission.Status.DRAFT
        submission.status = demo.status
        submission.submitted_at = now if submitted else None
        submission.submitted_by = member if submitted else None
        validated = demo.status == Submission.Status.VALIDATED
        submission.validated_at = now if validated else None
        submission.validated_by = staff if validated else None
        submission.save()
        submission_save_data(submission=submission, data={"forms": demo.forms})

    if with_dataset:
        _import_dataset(staff)

    email, identifiers = SHARED_MEMBER
    shared = _user(email)
    for identifier in identifiers:
        Membership.objects.get_or_create(user=shared, association=associations[identifier])
    names = " et ".join(f"« {associations[i].name} »" for i in identifiers)
    logins.append((f"Membre de {names}", email))
    return logins


def _import_dataset(staff) -> None:
    """The generated associations' answers, checked as any import is: all or nothing (in
    the caller's transaction), and any problem of the file, even a warning, is an error."""
    entries, problems = parse_answers(DATASET.read_text(encoding="utf-8"))
    if not problems:
        hard, warnings = entry_problems(entries)
        problems = hard + warnings
    if problems:
        raise DemoDatasetError("\n".join([f"{DATASET.name} :", *problems]))
    answers_import(entries=entries, user=staff)
