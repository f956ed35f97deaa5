"""`manage.py import_answers FILE`: load answers from the JSON format, all or nothing."""

import re
import sys

from django.core.management.base import BaseCommand, CommandError

from survey.answers_json import entry_problems, parse_answers
from survey.services import answers_import


class Command(BaseCommand):
    help = (
        "Importe des réponses au format JSON (voir questionnaire.md). Tout ou rien : un "
        "fichier avec une seule entrée incorrecte n'importe rien et liste chaque problème."
    )
    # Lets tests hand a stream to read instead of the real standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Fichier JSON à importer, ou « - » pour l'entrée standard."
        )

    def handle(self, *args, file: str, **options):
        raw = self._read(file, options.get("stdin", sys.stdin))
        entries, problems = parse_answers(raw)
        errors, warnings = entry_problems(entries)

        # In the order of the file: a reader fixes entry [0] before entry [1].
        for message in sorted((*problems, *errors), key=_position):
            self.stderr.write(message)
        self._warn(warnings)
        if problems or errors:
            count = len(problems) + len(errors)
            raise CommandError(f"Import annulé : {count} problème(s) ; rien n'a été modifié.")
        if not entries:
            self.stdout.write("Aucune réponse dans le fichier ; rien n'a été modifié.")
            return

        result = answers_import(entries=entries)

        years = sorted({entry["campaign"] for entry in entries})
        campaigns = ", ".join(str(year) for year in years)
        parts = [
            f"{len(result.submissions)} réponse(s) importée(s) "
            f"(campagne{'s' if len(years) > 1 else ''} {campaigns})",
            f"associations créées : {len(result.created_associations)}",
            *(
                f"campagne {campaign.year} créée (année de référence {campaign.reference_year})"
                for campaign in result.created_campaigns
            ),
        ]
        self.stdout.write(self.style.SUCCESS(" ; ".join(parts) + "."))

    def _warn(self, warnings: list[str]) -> None:
        for message in warnings:
            self.stderr.write(f"Avertissement : {message}", self.style.WARNING)

    def _read(self, file: str, stdin) -> str:
        name = "l'entrée standard" if file == "-" else f"le fichier {file}"
        try:
            if file == "-":
                content = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
            else:
                with open(file, "rb") as handle:
                    content = handle.read()
        except FileNotFoundError as error:
            raise CommandError(f"Fichier introuvable : {file}") from error
        except OSError as error:
            raise CommandError(f"Impossible de lire {name} : {error.strerror}") from error
        if isinstance(content, str):
            return content
        try:
            # utf-8-sig: also accepts the byte order mark some Windows editors write.
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"Impossible de lire {name} : il n'est pas encodé en UTF-8 (octet invalide "
                f"à la position {error.start}). Enregistrez-le en UTF-8 et recommencez."
            ) from error


def _position(message: str) -> int:
    """The entry a message is about (`[3].forms…` → 3); -1 for the whole file."""
    match = re.match(r"\[(\d+)\]", message)
    return int(match.group(1)) if match else -1
