"""`manage.py export_tables --campaign YEAR --format xlsx|json --output PATH [--publication]`:
the published tables of a campaign, as JSON (questionnaire.md, "Tables as JSON") or as
an Excel workbook (reports/workbook.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.models import Action, command_identifier
from audit.models import record as audit_record
from reports.tables import all_tables
from reports.workbook import tables_json, tables_workbook
from survey.models import Campaign

STDOUT = "-"


class Command(BaseCommand):
    help = (
        "Exporte les tableaux publiés d'une campagne : JSON (voir questionnaire.md) ou "
        "classeur Excel, en diffusion interne ou en publication (petits effectifs masqués)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", type=int, required=True, help="Édition, par exemple 2024."
        )
        parser.add_argument(
            "--format", choices=("json", "xlsx"), default="json", help="json (par défaut) ou xlsx."
        )
        parser.add_argument(
            "--output",
            help="Fichier à écrire ; « - » ou rien : la sortie standard (JSON seulement).",
        )
        parser.add_argument(
            "--publication",
            action="store_true",
            help=(
                "Classeur de publication : effectifs inférieurs au seuil "
                f"(SMALL_COUNT_THRESHOLD, {settings.SMALL_COUNT_THRESHOLD}) masqués."
            ),
        )

    def handle(self, *args, campaign: int, format: str, output, publication: bool, **options):
        to_stdout = output in (None, STDOUT)
        if format == "xlsx" and to_stdout:
            raise CommandError("Le format xlsx s'écrit dans un fichier : --output FICHIER.xlsx.")
        if format == "json" and publication:
            raise CommandError(
                "--publication ne s'applique qu'au classeur Excel (--format xlsx) : le JSON "
                "contient tous les effectifs, pour un usage interne."
            )
        try:
            edition = Campaign.objects.get(year=campaign)
        except Campaign.DoesNotExist:
            raise CommandError(
                f"Campagne {campaign} inconnue : aucune édition de cette année."
            ) from None

        audit_record(
            None,
            Action.EXPORT,
            identifier=command_identifier("export_tables"),
            obj=edition,
            details={"format": format, "publication": publication, "output": str(output or "-")},
        )
        tables = all_tables(edition)
        if not next(iter(tables.values())).respondents:
            self.stderr.write(
                f"Attention : aucune réponse validée pour la campagne {campaign} ; les "
                "tableaux sont exportés vides (effectifs à zéro, parts vides)."
            )

        if format == "json":
            text = tables_json(tables) + "\n"
            if to_stdout:
                self.stdout.write(text, ending="")
                return
            self._write(output, text.encode("utf-8"))
        else:
            self._write(output, tables_workbook(edition, tables, publication=publication))
        mode = "publication" if publication else "diffusion interne"
        self.stdout.write(
            f"{len(tables)} tableaux de la campagne {campaign} exportés vers {output} "
            f"({format}, {mode})."
        )

    def _write(self, path: str, content: bytes) -> None:
        try:
            with open(path, "wb") as handle:
                handle.write(content)
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {path} : {error.strerror}") from error
