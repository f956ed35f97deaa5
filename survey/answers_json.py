"""The JSON format of answers (questionnaire.md, "Answers as JSON"): read, check, write.

A file is a list of submissions in the shape of `Submission.to_data()`. Reading is in two
steps so that a file is judged whole before anything is written:

- `parse_answers` checks the shape (types, known keys, codes, bounds) and normalises
  each entry to exactly what `Submission.to_data()` would give once imported;
- `entry_problems` runs the questionnaire's rules (`survey/checks.py`) on the entries
  that are well formed.

Every message is French and starts with its place in the file (`[3].forms.sexual.women`).
"""

import json
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django_countries import countries

from .checks import check_submission
from .models import Association, Campaign, FormAnswer, Submission
from .questionnaire import (
    COUNT_FIELDS,
    FORMS,
    PART1_FIELDS,
    SUBMISSION_COUNT_FIELDS,
)

ENTRY_KEYS: tuple[str, ...] = (
    "campaign",
    "association",
    "status",
    *SUBMISSION_COUNT_FIELDS,
    "comment",
    "forms",
)
ASSOCIATION_KEYS: tuple[str, ...] = ("identifier", "name", "departement")
FORM_KEYS: tuple[str, ...] = (*COUNT_FIELDS, "origin", "other_label")
OTHER_FORM = "other"  # the only form that takes "other_label"
STATUSES: tuple[str, ...] = tuple(Submission.Status.values)
MIN_YEAR, MAX_YEAR = 1000, 9999

# json's messages, for the errors people actually make when editing a file by hand.
_JSON_MESSAGES: dict[str, str] = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Expecting property name enclosed in double quotes": (
        "nom de clé entre guillemets doubles attendu"
    ),
    "Unterminated string starting at": "texte sans guillemet fermant",
    "Invalid control character at": "caractère de contrôle interdit dans un texte",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Extra data": "contenu en trop après la fin de la liste",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin de la liste",
}


class _JSONObject(dict):
    """A JSON object that remembers the keys it held twice.

    `json` silently keeps the last value of a repeated key; in a hand-edited file that is
    a typo that would lose an answer, so it is reported with its place.
    """

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, object]]) -> _JSONObject:
    obj = _JSONObject(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(key for key, _ in pairs if key in seen or seen.add(key))
    return obj


def _shown(value: object) -> str:
    """A JSON value as the file spells it, with its kind, for messages."""
    kinds = (
        (bool, "booléen"),
        (int, "nombre entier"),
        (float, "nombre décimal"),
        (str, "texte"),
        (list, "liste"),
        (dict, "objet"),
    )
    kind = "null" if value is None else next(k for t, k in kinds if isinstance(value, t))
    if value is None:
        return kind
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 40:
        text = text[:37] + "…"
    return f"{kind} {text}"


def _count_problem(value: object, *, optional: bool) -> str | None:
    if value is None:
        return None if optional else "réponse obligatoire : un nombre entier est attendu, pas null"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"un nombre entier est attendu (reçu : {_shown(value)})"
    return None  # its range is a rule of the questionnaire: survey.checks says it


def _field_problem(model, field: str, value: str) -> str | None:
    """The model field's own validation (validators, max length, blank)."""
    try:
        model._meta.get_field(field).clean(value, None)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


class _Entry:
    """Parses one entry, collecting its problems; `data` is None when it has any."""

    def __init__(self, position: int, raw: object) -> None:
        self.place = f"[{position}]"
        self.problems: list[str] = []
        self.key: tuple[str, int] | None = None  # (identifier, campaign) when both are valid
        self.data = self._parse(raw)
        if self.problems:
            self.data = None

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.place}{path}: {message}")

    def _object(
        self, path: str, value: object, keys: Sequence[str], what: str, unknown: str
    ) -> bool:
        """Is `value` an object? Reports its unknown and repeated keys."""
        if not isinstance(value, dict):
            self.problem(path, f"{what} doit être un objet JSON (reçu : {_shown(value)})")
            return False
        for key in getattr(value, "duplicates", ()):
            self.problem(f"{path}.{key}", "clé présente plusieurs fois")
        # The ~70 field codes of a form are too many to list; questionnaire.md has them.
        expected = f" (attendu : {', '.join(keys)})" if len(keys) <= 10 else ""
        for key in value:
            if key not in keys:
                self.problem(f"{path}.{key}", f"{unknown}{expected}")
        return True

    def _text(self, path: str, value: object, model, field: str) -> str | None:
        if not isinstance(value, str):
            self.problem(path, f"un texte est attendu (reçu : {_shown(value)})")
            return None
        if message := _field_problem(model, field, value):
            self.problem(path, message)
            return None
        return value

    def _count(self, path: str, value: object, *, optional: bool) -> object:
        if message := _count_problem(value, optional=optional):
            self.problem(path, message)
        return value

    def _parse(self, raw: object) -> dict | None:
        if not self._object("", raw, ENTRY_KEYS, "chaque réponse", "clé inconnue"):
            return None
        assert isinstance(raw, dict)

        year = raw.get("campaign")
        if "campaign" not in raw:
            self.problem(".campaign", "année de la campagne manquante (par exemple 2024)")
        elif isinstance(year, bool) or not isinstance(year, int):
            self.problem(".campaign", f"une année est attendue (reçu : {_shown(year)})")
        elif not MIN_YEAR <= year <= MAX_YEAR:
            self.problem(".campaign", f"une année sur quatre chiffres est attendue (reçu : {year})")

        association = self._association(raw)

        status = raw.get("status", Submission.Status.DRAFT.value)
        if status not in STATUSES:
            self.problem(
                ".status",
                f"statut inconnu : {_shown(status)} (attendu : {', '.join(STATUSES)})",
            )

        counts = {
            field: self._count(f".{field}", raw.get(field), optional=True)
            for field in SUBMISSION_COUNT_FIELDS
        }
        comment = self._text(".comment", raw.get("comment", ""), Submission, "comment")

        forms = {}
        raw_forms = raw.get("forms", {})
        if self._object(".forms", raw_forms, FORMS, "« forms »", "forme d'exploitation inconnue"):
            assert isinstance(raw_forms, dict)
            forms = {
                form: self._form(f".forms.{form}", form, raw_forms.get(form, {})) for form in FORMS
            }

        if association and isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR:
            self.key = (association["identifier"], year)
        return {
            "campaign": year,
            "association": association,
            "status": status,
            **counts,
            "comment": comment,
            "forms": forms,
        }

    def _association(self, raw: dict) -> dict | None:
        if "association" not in raw:
            self.problem(".association", "association manquante (identifier, name, departement)")
            return None
        value = raw["association"]
        if not self._object(
            ".association", value, ASSOCIATION_KEYS, "« association »", "clé inconnue"
        ):
            return None
        assert isinstance(value, dict)
        data = {}
        for key, required in (("identifier", True), ("name", True), ("departement", False)):
            if key not in value and required:
                label = Association._meta.get_field(key).verbose_name
                self.problem(f".association.{key}", f"champ obligatoire manquant ({label})")
                continue
            text = value.get(key, "")
            data[key] = self._text(
                f".association.{key}",
                text.strip() if isinstance(text, str) else text,
                Association,
                key,
            )
        return data if all(data.get(key) is not None for key in ASSOCIATION_KEYS) else None

    def _form(self, path: str, form: str, raw: object) -> dict:
        data = FormAnswer.empty_data()
        if not self._object(path, raw, FORM_KEYS, "une forme d'exploitation", "champ inconnu"):
            return data
        assert isinstance(raw, dict)
        for field in COUNT_FIELDS:
            if field in raw:
                optional = field not in PART1_FIELDS
                data[field] = self._count(f"{path}.{field}", raw[field], optional=optional)
        if "origin" in raw:
            data["origin"] = self._origin(f"{path}.origin", raw["origin"])
        if "other_label" in raw:
            label = self._text(f"{path}.other_label", raw["other_label"], FormAnswer, "other_label")
            if label and form != OTHER_FORM:
                self.problem(
                    f"{path}.other_label",
                    f"seule la forme « {OTHER_FORM} » se précise ; laissez ce texte vide",
                )
            data["other_label"] = label
        return data

    def _origin(self, path: str, raw: object) -> dict:
        if not isinstance(raw, dict):
            self.problem(
                path,
                "un objet est attendu, un nombre par code pays ISO 3166-1 "
                f'(par exemple {{"NG": 5, "FR": 3}}) (reçu : {_shown(raw)})',
            )
            return {}
        for key in getattr(raw, "duplicates", ()):
            self.problem(f"{path}.{key}", "pays présent plusieurs fois")
        origin: dict[str, object] = {}
        for key, count in raw.items():
            code = key.upper()
            if code not in countries:
                self.problem(f"{path}.{key}", "code pays inconnu (code ISO 3166-1 à deux lettres)")
            elif code in origin:
                self.problem(f"{path}.{key}", f"pays présent plusieurs fois ({code})")
            else:
                origin[code] = self._count(f"{path}.{key}", count, optional=False)
        # Only counts > 0 are stored: a 0 is the same answer as leaving the country out.
        return {code: origin[code] for code in sorted(origin) if origin[code] != 0}


def parse_answers(raw: str) -> tuple[list[dict | None], list[str]]:
    """Read a JSON text of answers.

    Returns one item per entry of the file, in its order (so that `[i]` is the same
    place in every message): the entry normalised to the shape of `Submission.to_data()`,
    or None when it is malformed; and every problem found, in French, each starting with
    its place.
    """
    if not raw.strip():
        return [], ["le fichier est vide ; une liste de réponses est attendue"]
    try:
        document = json.loads(raw, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as error:
        message = _JSON_MESSAGES.get(error.msg, error.msg)
        return [], [f"JSON invalide (ligne {error.lineno}, colonne {error.colno}) : {message}"]
    if not isinstance(document, list):
        return [], [
            f"le fichier doit contenir une liste de réponses [{{…}}, …] (reçu : {_shown(document)})"
        ]

    entries: list[dict | None] = []
    problems: list[str] = []
    first_position: dict[tuple[str, int], int] = {}
    for position, raw_entry in enumerate(document):
        entry = _Entry(position, raw_entry)
        problems.extend(entry.problems)
        entries.append(entry.data)
        if entry.key is None:
            continue
        if entry.key in first_position:
            identifier, year = entry.key
            problems.append(
                f"[{position}].association.identifier: l'association {identifier} a déjà une "
                f"réponse pour la campagne {year} dans ce fichier (entrée "
                f"[{first_position[entry.key]}])"
            )
            entries[position] = None
        else:
            first_position[entry.key] = position
    return entries, problems


def _previous_answers(entries: Sequence[dict | None]) -> dict[tuple[str, int], dict]:
    """For each (identifier, campaign) of the file: the validated answer it follows.

    That is the association's validated submission of the campaign just before, as it
    will be once the file is imported: the file's own entry for that campaign if it has
    one, or else the database's. Fixed number of queries.
    """
    present = [entry for entry in entries if entry is not None]
    if not present:
        return {}
    years = sorted(
        set(Campaign.objects.values_list("year", flat=True))
        | {entry["campaign"] for entry in present}
    )

    def year_before(year: int) -> int | None:
        earlier = [other for other in years if other < year]
        return earlier[-1] if earlier else None

    before = {entry["campaign"]: year_before(entry["campaign"]) for entry in present}
    identifiers = {entry["association"]["identifier"] for entry in present}
    validated: dict[tuple[str, int], dict] = {
        (submission.association.identifier, submission.campaign.year): submission.to_data()
        for submission in Submission.objects.filter(
            campaign__year__in={year for year in before.values() if year is not None},
            association__identifier__in=identifiers,
            status=Submission.Status.VALIDATED,
        )
        .select_related("campaign", "association")
        .prefetch_related("answers__origins")
    }
    for entry in present:
        key = (entry["association"]["identifier"], entry["campaign"])
        # The file replaces the database's answer, whatever its status.
        validated.pop(key, None)
        if entry["status"] == Submission.Status.VALIDATED:
            validated[key] = entry

    previous = {}
    for entry in present:
        identifier, year = entry["association"]["identifier"], entry["campaign"]
        year_prev = before[year]
        if year_prev is not None and (identifier, year_prev) in validated:
            previous[(identifier, year)] = validated[(identifier, year_prev)]
    return previous


def entry_problems(entries: Sequence[dict | None]) -> tuple[list[str], list[str]]:
    """The questionnaire's rules on each well-formed entry: (hard errors, warnings).

    Each message reads `[i].<path>: <name> (<identifier>) — <message>`.
    """
    previous = _previous_answers(entries)
    errors: list[str] = []
    warnings: list[str] = []
    for position, entry in enumerate(entries):
        if entry is None:
            continue
        association = entry["association"]
        who = f"{association['name']} ({association['identifier']})"
        key = (association["identifier"], entry["campaign"])
        for problem in check_submission(entry, previous.get(key)):
            where = f"[{position}].{problem.path}" if problem.path else f"[{position}]"
            (errors if problem.is_error else warnings).append(f"{where}: {who} — {problem.message}")
    return errors, warnings


def export_answers(campaign_year: int) -> list[dict]:
    """Every submission of a campaign, by association identifier (3 queries)."""
    submissions = (
        Submission.objects.filter(campaign__year=campaign_year)
        .select_related("campaign", "association")
        .prefetch_related("answers__origins")
        .order_by("association__identifier")
    )
    return [submission.to_data() for submission in submissions]


def dump_answers(entries: Sequence[dict]) -> str:
    """The JSON text of answers: stable for the same data, so exports can be compared."""
    return json.dumps(list(entries), ensure_ascii=False, indent=2) + "\n"
