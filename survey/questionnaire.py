"""The shape of the Miprof questionnaire: forms of exploitation and groups of fields.

Each field is declared once, on `FormAnswer` (survey/models.py), with its French label;
this module only says how fields are grouped into questions, in the order of
questionnaire.md. The rules that tie them together live in `survey/checks.py`.
"""

from dataclasses import dataclass

from django.db import models


class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual", "Exploitation sexuelle"
    LABOUR = "labour", "Exploitation par le travail (hors travail domestique)"
    DOMESTIC = "domestic", "Exploitation domestique"
    CRIME = "crime", "Contrainte à commettre des délits ou des crimes"
    BEGGING = "begging", "Mendicité forcée"
    OTHER = "other", "Autre forme d'exploitation"


FORMS: tuple[str, ...] = tuple(ExploitationForm.values)
FORM_LABELS: dict[str, str] = dict(ExploitationForm.choices)
# What the "other" form's text field asks, on the web grid and in the workbook.
OTHER_LABEL_PROMPT = f"{FORM_LABELS['other']} : précisez"


@dataclass(frozen=True)
class Group:
    """A question of the questionnaire: several counts asked for each form."""

    code: str
    title: str
    fields: tuple[str, ...]
    part: int  # 1: mandatory, 2: optional profile
    # Plural noun phrase naming the group in messages: "la somme des {sum_label}".
    sum_label: str = ""


PART1_GROUPS: tuple[Group, ...] = (
    Group("counts", "Victimes repérées et accompagnées", ("detected", "accompanied"), 1),
    Group(
        "place",
        "Lieu d'exploitation",
        ("france_only", "france_and_abroad", "abroad_only"),
        1,
        "lieux d'exploitation",
    ),
    Group(
        "gender",
        "Identité de genre",
        ("women", "trans_women", "men", "trans_men", "non_binary", "gender_unknown"),
        1,
        "identités de genre",
    ),
    Group(
        "age",
        "Âge",
        ("under_15", "age_15_17", "age_18_24", "age_25_plus", "age_unknown"),
        1,
        "tranches d'âge",
    ),
)

PART2_GROUPS: tuple[Group, ...] = (
    Group("age_at_start", "Âge au début de l'exploitation", ("adults_minor_at_start",), 2),
    Group(
        "unaccompanied_minors",
        "Mineurs non accompagnés",
        ("unaccompanied_minors", "unaccompanied_minors_reported"),
        2,
    ),
    Group(
        "vulnerabilities",
        "Vulnérabilités",
        ("pregnancy", "dependent_children", "disability", "addiction"),
        2,
    ),
    Group(
        "control",
        "Emprise",
        (
            "still_exploited_at_contact",
            "housed_by_exploiter",
            "living_at_workplace",
            "transfer_organised",
            "network",
            "needs_adapted_housing",
            "adapted_housing_offered",
        ),
        2,
    ),
    Group(
        "link",
        "Lien avec l'exploiteur",
        ("link_family", "link_entourage", "link_employer", "link_other"),
        2,
        "liens avec l'exploiteur",
    ),
    Group(
        "referral",
        "Mode d'orientation",
        ("referral_association", "referral_professional", "referral_private"),
        2,
        "modes d'orientation",
    ),
    Group(
        "support_duration",
        "Durée de l'accompagnement",
        ("support_under_6m", "support_6_18m", "support_over_18m"),
        2,
        "durées d'accompagnement",
    ),
    Group(
        "residence",
        "Droit au séjour",
        (
            "residence_not_concerned",
            "permit_held_l425_1",
            "permit_held_l425_4",
            "permit_held_protection",
            "permit_held_other",
            "permit_pending_l425_1",
            "permit_pending_l425_4",
            "permit_pending_protection",
            "permit_pending_other",
            "irregular",
            "permit_delay_under_6m",
            "permit_delay_6_12m",
            "permit_delay_over_12m",
            "exit_programme",
        ),
        2,
    ),
    Group(
        "complaints",
        "Plaintes",
        (
            "complaint_thb",
            "complaint_other",
            "complaint_unspecified",
            "no_complaint",
            "civil_party",
            "no_complaint_before_support",
            "complaint_refused",
        ),
        2,
    ),
    Group(
        "court",
        "Suites judiciaires",
        (
            "case_ongoing",
            "case_prosecuted",
            "case_prosecuted_thb",
            "case_dismissed",
            "case_alternative",
            "case_no_news",
        ),
        2,
    ),
    Group(
        "employment",
        "Insertion professionnelle",
        ("employment_support", "employed_cdi", "employed_cdd"),
        2,
    ),
    Group(
        "double_counting",
        "Doubles comptes",
        ("also_supported_elsewhere",),
        2,
    ),
)

GROUPS: dict[str, Group] = {group.code: group for group in PART1_GROUPS + PART2_GROUPS}

# Origin is entered per country (OriginCount rows) plus this count.
ORIGIN_UNKNOWN = "origin_unknown"

PART1_FIELDS: tuple[str, ...] = (
    *(field for group in PART1_GROUPS for field in group.fields),
    ORIGIN_UNKNOWN,
)
PART2_FIELDS: tuple[str, ...] = tuple(field for group in PART2_GROUPS for field in group.fields)
COUNT_FIELDS: tuple[str, ...] = PART1_FIELDS + PART2_FIELDS

# Asked once per submission, not per form; optional.
SUBMISSION_COUNT_FIELDS: tuple[str, ...] = ("suspects_identified", "association_civil_party_cases")

MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class Section:
    """A page of the online questionnaire, saved on its own."""

    slug: str
    title: str
    part: int  # 0: the association, 1: mandatory, 2: optional profile
    kind: str  # "profile", "grid", "origin" or "submission"
    groups: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The per-form fields this section asks."""
        fields = tuple(field for code in self.groups for field in GROUPS[code].fields)
        if self.kind == "origin":
            return (ORIGIN_UNKNOWN,)
        return fields


SECTIONS: tuple[Section, ...] = (
    Section("profil", "Votre association", 0, "profile"),
    Section("victimes", "Victimes repérées et accompagnées", 1, "grid", ("counts",)),
    Section("lieu", "Lieu d'exploitation", 1, "grid", ("place",)),
    Section("genre", "Identité de genre", 1, "grid", ("gender",)),
    Section("age", "Âge", 1, "grid", ("age",)),
    Section("origine", "Pays d'origine", 1, "origin"),
    *(Section(group.code, group.title, 2, "grid", (group.code,)) for group in PART2_GROUPS),
    Section("complements", "Informations complémentaires", 2, "submission"),
)
SECTIONS_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}

# Where each answer is asked, to send the user to the grid a problem is about.
SECTION_OF_FIELD: dict[str, str] = {
    **{field: section.slug for section in SECTIONS for field in section.fields},
    "other_label": "victimes",
    "origin": "origine",
    **dict.fromkeys((*SUBMISSION_COUNT_FIELDS, "comment"), "complements"),
}
