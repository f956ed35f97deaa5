"""Every rule of the questionnaire, in one place.

Rules are data: a comparison between two quantities ("terms") of one form's answers.
They run on the in-memory dict of a submission (`Submission.to_data()`, the JSON import
format, or what a web form just received), so that web forms, imports and the admin all
get the same problems, with the same French messages naming the form, the field and the
numbers.

Hard rules (severity "error") block submission; a draft may be saved with them unmet.
Warnings never block but need a look.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .models import FormAnswer, Submission
from .questionnaire import (
    COUNT_FIELDS,
    FORM_LABELS,
    FORMS,
    GROUPS,
    MAX_COUNT,
    ORIGIN_UNKNOWN,
    PART1_FIELDS,
    PART2_FIELDS,
    SUBMISSION_COUNT_FIELDS,
)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str  # the rule, e.g. "gender_sum"
    message: str  # French, with the numbers
    form: str | None = None  # None: a per-submission field
    field: str | None = None  # where the user should look first

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    @property
    def path(self) -> str:
        """Where the problem sits in the JSON format: `forms.sexual.women`."""
        parts = ["forms", self.form] if self.form else []
        if self.field:
            parts.append(self.field)
        return ".".join(parts)


def field_label(field: str) -> str:
    if field in SUBMISSION_COUNT_FIELDS or field == "comment":
        return str(Submission._meta.get_field(field).verbose_name)
    return str(FormAnswer._meta.get_field(field).verbose_name)


def number(value: int) -> str:
    """4672 -> "4 672", as the report writes numbers (no-break space)."""
    return f"{value:,}".replace(",", "\u00a0")


def victims(count: int) -> str:
    return f"{number(count)} victime{'s' if count > 1 else ''}"


# --- Terms: named quantities of one form's answers ------------------------------------

# Sum of the per-country origin counts, computed before the rules run.
ORIGIN_COUNTRIES = "origin_countries"


@dataclass(frozen=True)
class Term:
    fields: tuple[str, ...]
    label: str  # noun phrase with its article: "le nombre de victimes accompagnées"

    def value(self, answers: dict, *, complete: bool = False) -> int | None:
        """Sum of the answered fields; None when none is answered (Part 2 left blank).

        With `complete`, None as soon as one field is blank: a bound that is only partly
        answered is unknown (blank is never read as 0).
        """
        values = [answers.get(field) for field in self.fields]
        answered = [value for value in values if isinstance(value, int)]
        if complete and len(answered) < len(values):
            return None
        return sum(answered) if answered else None


def field_term(field: str) -> Term:
    return Term((field,), f"« {field_label(field)} »")


def group_term(group: str, label: str) -> Term:
    return Term(GROUPS[group].fields, f"la somme des {label}")


ACCOMPANIED = Term(("accompanied",), "le nombre de victimes accompagnées")
DETECTED = Term(("detected",), "le nombre de victimes repérées")
ADULTS = Term(("age_18_24", "age_25_plus"), "le nombre de victimes majeures (18 ans et plus)")
MINORS = Term(("under_15", "age_15_17"), "le nombre de victimes mineures (moins de 18 ans)")
ORIGIN = Term((ORIGIN_COUNTRIES, ORIGIN_UNKNOWN), "la somme des pays d'origine")
COMPLAINTS_FILED = Term(
    ("complaint_thb", "complaint_other", "complaint_unspecified"),
    "le nombre de victimes ayant porté plainte",
)
COMPLAINT_SITUATIONS = Term(
    ("complaint_thb", "complaint_other", "complaint_unspecified", "no_complaint"),
    "la somme des situations de plainte (plainte ou pas de plainte)",
)
PERMITS_HELD = Term(
    ("permit_held_l425_1", "permit_held_l425_4", "permit_held_protection", "permit_held_other"),
    "la somme des titres de séjour obtenus",
)
PERMITS_PENDING = Term(
    (
        "permit_pending_l425_1",
        "permit_pending_l425_4",
        "permit_pending_protection",
        "permit_pending_other",
    ),
    "la somme des demandes de titre en cours",
)
RESIDENCE_SITUATIONS = Term(
    ("residence_not_concerned", *PERMITS_HELD.fields, "irregular"),
    "la somme des situations au regard du séjour (non concernées, titre obtenu, "
    "situation irrégulière)",
)
PERMIT_DELAYS = Term(
    ("permit_delay_under_6m", "permit_delay_6_12m", "permit_delay_over_12m"),
    "la somme des délais d'obtention des titres",
)
COURT_OUTCOMES = Term(
    ("case_ongoing", "case_prosecuted", "case_dismissed", "case_alternative", "case_no_news"),
    "la somme des suites judiciaires",
)
EMPLOYED = Term(("employed_cdi", "employed_cdd"), "la somme des CDI et CDD obtenus")


# --- Comparison rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """`left` must equal (`==`) or not exceed (`<=`) `right` in every form.

    A rule whose sides are not both answered is not checked (Part 2 may be blank).
    With `coverage`, the left side is a distribution of the right one and a warning is
    raised when it covers less than COVERAGE_MIN of it.
    """

    code: str
    left: Term
    relation: str  # "==" or "<="
    right: Term
    coverage: bool = False


def _de(phrase: str) -> str:
    """French contraction of "de" + article: "du nombre", "de la somme", "des …"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return "de " + phrase


RULES: tuple[Rule, ...] = (
    Rule("accompanied_le_detected", ACCOMPANIED, "<=", DETECTED),
    Rule("place_sum", group_term("place", "lieux d'exploitation"), "==", ACCOMPANIED),
    Rule("gender_sum", group_term("gender", "identités de genre"), "==", ACCOMPANIED),
    Rule("age_sum", group_term("age", "tranches d'âge"), "==", ACCOMPANIED),
    Rule("origin_sum", ORIGIN, "==", ACCOMPANIED),
    Rule("minor_at_start_le_adults", field_term("adults_minor_at_start"), "<=", ADULTS),
    Rule("unaccompanied_minors_le_minors", field_term("unaccompanied_minors"), "<=", MINORS),
    Rule(
        "unaccompanied_minors_reported",
        field_term("unaccompanied_minors_reported"),
        "<=",
        field_term("unaccompanied_minors"),
    ),
    Rule(
        "living_at_workplace_le_housed",
        field_term("living_at_workplace"),
        "<=",
        field_term("housed_by_exploiter"),
    ),
    Rule(
        "housing_offered_le_needed",
        field_term("adapted_housing_offered"),
        "<=",
        field_term("needs_adapted_housing"),
    ),
    Rule(
        "link_sum",
        group_term("link", "liens avec l'exploiteur"),
        "<=",
        ACCOMPANIED,
        coverage=True,
    ),
    Rule(
        "referral_sum",
        group_term("referral", "modes d'orientation"),
        "<=",
        ACCOMPANIED,
        coverage=True,
    ),
    Rule(
        "support_duration_sum",
        group_term("support_duration", "durées d'accompagnement"),
        "<=",
        ACCOMPANIED,
        coverage=True,
    ),
    Rule("residence_sum", RESIDENCE_SITUATIONS, "<=", ACCOMPANIED),
    Rule("permits_pending_sum", PERMITS_PENDING, "<=", ACCOMPANIED),
    Rule("permit_delays_sum", PERMIT_DELAYS, "<=", ACCOMPANIED),
    Rule("complaints_sum", COMPLAINT_SITUATIONS, "<=", ACCOMPANIED, coverage=True),
    Rule("civil_party_le_complaints", field_term("civil_party"), "<=", COMPLAINTS_FILED),
    Rule(
        "prosecuted_thb_le_prosecuted",
        field_term("case_prosecuted_thb"),
        "<=",
        field_term("case_prosecuted"),
    ),
    Rule("court_outcomes_le_complaints", COURT_OUTCOMES, "<=", COMPLAINTS_FILED),
    Rule("employed_le_support", EMPLOYED, "<=", field_term("employment_support")),
    # Every profile count describes some of the accompanied victims of the form.
    *(
        Rule(f"{field}_le_accompanied", field_term(field), "<=", ACCOMPANIED)
        for field in PART2_FIELDS
    ),
)

# Fields that only make sense for some forms.
ONLY_FOR_FORMS: dict[str, tuple[str, ...]] = {"exit_programme": ("sexual",)}

# Breakdowns with a "non renseigné" row: a warning when it holds over half the victims.
UNKNOWN_CATEGORIES: tuple[str, ...] = ("gender_unknown", "age_unknown", ORIGIN_UNKNOWN)

COVERAGE_MIN = 0.8  # a Part 2 distribution should cover 80 % of the victims it refers to
YEAR_ON_YEAR_SHARE = 0.5  # warn when total detected moves by more than 50 %...
YEAR_ON_YEAR_MIN = 10  # ...and by more than 10 victims


# --- Free text that could identify someone ----------------------------------------------

_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
IDENTIFYING_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("une adresse e-mail", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    (
        "un numéro de téléphone",
        re.compile(r"(?<!\d)(?:\+\d{2,3}[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"),
    ),
    (
        "une adresse postale",
        re.compile(
            r"\b\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|impasse|"
            r"place|allée|allee|route|quai|cours|square|passage)\b",
            re.IGNORECASE,
        ),
    ),
)
_DATE = re.compile(
    rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}}\b",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"\b(?:M\.|Mme|Mlle|Monsieur|Madame)\s+[A-ZÀ-Ý]"
    r"|\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+[A-ZÀ-Ý]{2,}\b"
    r"|\b[A-ZÀ-Ý][a-zà-ÿ]+\s+[A-ZÀ-Ý][a-zà-ÿ]+\b"
)


def identifying_content(text: str) -> list[str]:
    """What in a free text looks like it could identify a person."""
    found = [what for what, pattern in IDENTIFYING_PATTERNS if pattern.search(text)]
    if _DATE.search(text) and _NAME.search(text):
        found.append("un nom accompagné d'une date")
    return found


# --- Running the checks -----------------------------------------------------------------


def _form_values(answers: dict) -> dict:
    """One form's answers with defaults filled in and the origin countries summed."""
    values = {field: answers.get(field) for field in COUNT_FIELDS}
    for field in PART1_FIELDS:
        if values[field] is None:  # a Part 1 count left out (or null) means 0
            values[field] = 0
    origin = answers.get("origin") or {}
    values[ORIGIN_COUNTRIES] = sum(count for count in origin.values() if isinstance(count, int))
    return values


def _is_valid_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _range_problem(label: str, value, form: str | None, field: str) -> Problem:
    prefix = f"{FORM_LABELS[form]} : " if form else ""
    shown = number(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)
    return Problem(
        Severity.ERROR,
        "count_range",
        f"{prefix}{label} doit être un nombre entier entre 0 et {number(MAX_COUNT)} "
        f"(valeur saisie : {shown}).",
        form,
        field,
    )


def check_form(form: str, answers: dict) -> list[Problem]:
    """Every problem of one form's answers (Part 1 and Part 2)."""
    label = FORM_LABELS[form]
    problems: list[Problem] = []

    for field in COUNT_FIELDS:
        value = answers.get(field)
        if value is not None and not _is_valid_count(value):
            problems.append(_range_problem(f"« {field_label(field)} »", value, form, field))
    for country, value in (answers.get("origin") or {}).items():
        if not _is_valid_count(value):
            problems.append(
                _range_problem(f"l'origine {country}", value, form, f"origin.{country}")
            )
    if problems:
        return problems  # sums of invalid numbers would only add noise

    values = _form_values(answers)

    if values["detected"] == 0:
        filled = [
            field
            for field in COUNT_FIELDS
            if field != "detected" and values[field]  # neither 0 nor blank
        ]
        if filled or values[ORIGIN_COUNTRIES]:
            first = filled[0] if filled else ORIGIN_UNKNOWN
            what = f"« {field_label(first)} »" if filled else ORIGIN.label
            value = values[first] if filled else values[ORIGIN_COUNTRIES]
            problems.append(
                Problem(
                    Severity.ERROR,
                    "zero_detected",
                    f"{label} : aucune victime repérée, mais "
                    f"{what} vaut {number(value)} ; "
                    "toutes les autres réponses de cette forme doivent être à 0 ou vides.",
                    form,
                    first,
                )
            )
        elif not (answers.get("other_label") or "").strip():
            # An empty form (most associations answer for one or two forms): every count
            # is 0 or blank, so no rule, limit or share can be broken.
            return problems

    for rule in RULES:
        left, right = rule.left.value(values), rule.right.value(values, complete=True)
        if left is None or right is None:
            continue
        broken = left != right if rule.relation == "==" else left > right
        field = rule.left.fields[0] if rule.left.fields[0] != ORIGIN_COUNTRIES else ORIGIN_UNKNOWN
        if broken:
            verb = (
                f"diffère {_de(rule.right.label)}"
                if rule.relation == "=="
                else (f"dépasse {rule.right.label}")
            )
            problems.append(
                Problem(
                    Severity.ERROR,
                    rule.code,
                    f"{label} : {rule.left.label} ({number(left)}) {verb} ({number(right)}).",
                    form,
                    field,
                )
            )
        elif rule.coverage and right and left < COVERAGE_MIN * right:
            problems.append(
                Problem(
                    Severity.WARNING,
                    f"{rule.code}_coverage",
                    f"{label} : {rule.left.label} ({number(left)}) ne couvre que "
                    f"{round(100 * left / right)}\u00a0% "
                    f"{_de(rule.right.label)} ({number(right)}) ; "
                    "complétez la répartition si vous le pouvez.",
                    form,
                    field,
                )
            )

    for field, allowed in ONLY_FOR_FORMS.items():
        if form not in allowed and values[field]:
            allowed_labels = ", ".join(FORM_LABELS[code] for code in allowed)
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"{field}_form",
                    f"{label} : « {field_label(field)} » ({number(values[field])}) ne "
                    f"concerne que : {allowed_labels}.",
                    form,
                    field,
                )
            )

    if form == "other" and values["detected"] and not (answers.get("other_label") or "").strip():
        problems.append(
            Problem(
                Severity.ERROR,
                "other_label_required",
                f"{label} : précisez de quelle forme d'exploitation il s'agit "
                f"({victims(values['detected'])} repérée{'s' if values['detected'] > 1 else ''}).",
                form,
                "other_label",
            )
        )

    accompanied = values["accompanied"]
    for field in UNKNOWN_CATEGORIES:
        if accompanied and 2 * values[field] > accompanied:
            problems.append(
                Problem(
                    Severity.WARNING,
                    f"{field}_share",
                    f"{label} : « {field_label(field)} » concerne {number(values[field])} "
                    f"victimes sur {number(accompanied)} accompagnées, plus de la moitié.",
                    form,
                    field,
                )
            )

    problems.extend(_text_problems(answers.get("other_label") or "", form, "other_label"))
    return problems


def _text_problems(text: str, form: str | None, field: str) -> list[Problem]:
    found = identifying_content(text)
    if not found:
        return []
    prefix = f"{FORM_LABELS[form]} : " if form else ""
    return [
        Problem(
            Severity.WARNING,
            "identifying_text",
            f"{prefix}« {field_label(field) if field != 'other_label' else 'précisez'} » "
            f"semble contenir {', '.join(found)}. Retirez toute information qui permettrait "
            "d'identifier une personne.",
            form,
            field,
        )
    ]


def total_detected(data: dict) -> int:
    return sum(
        value
        for answers in (data.get("forms") or {}).values()
        if isinstance(value := (answers or {}).get("detected", 0), int)
    )


def check_submission(data: dict, previous: dict | None = None) -> list[Problem]:
    """Every problem of a submission.

    `data` is the dict of `Submission.to_data()` / the JSON format; forms left out count
    as all zeros. `previous` is the same association's validated answer of the previous
    campaign, if any, for the year-on-year warning.
    """
    problems: list[Problem] = []
    forms = data.get("forms") or {}
    for form in FORMS:
        problems.extend(check_form(form, forms.get(form) or {}))

    for field in SUBMISSION_COUNT_FIELDS:
        value = data.get(field)
        if value is not None and not _is_valid_count(value):
            problems.append(_range_problem(f"« {field_label(field)} »", value, None, field))

    problems.extend(_text_problems(data.get("comment") or "", None, "comment"))

    if previous is not None:
        problems.extend(_year_on_year(total_detected(previous), total_detected(data)))
    return problems


def _year_on_year(before: int, now: int) -> list[Problem]:
    change = now - before
    if abs(change) <= YEAR_ON_YEAR_MIN or abs(change) <= YEAR_ON_YEAR_SHARE * before:
        return []
    share = f"de {change / before:+.0%}".replace("%", "\u00a0%") if before else "à la hausse"
    return [
        Problem(
            Severity.WARNING,
            "year_on_year",
            f"Le total des victimes repérées ({number(now)}) varie {share} par rapport à "
            f"votre réponse validée de l'édition précédente ({number(before)}). "
            "Vérifiez les chiffres ou expliquez cette évolution.",
            None,
            "detected",
        )
    ]


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.is_error]
