"""`manage.py export_answers --campaign YEAR`: a campaign's answers in the JSON format."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import Action, command_identifier
from audit.models import record as audit_record
from survey.answers_json import dump_answers, export_answers
from survey.models import Campaign


class Command(BaseCommand):
    help = (
        "Exporte toutes les réponses d'une campagne au format JSON (voir questionnaire.md), "
        "que import_answers relit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", type=int, required=True, help="Édition, par exemple 2024."
        )
        parser.add_argument(
            "--output", help="Fichier où écrire le JSON ; la sortie standard par défaut."
        )

    def handle(self, *args, campaign: int, output: str | None, **options):
        if not Campaign.objects.filter(year=campaign).exists():
            raise CommandError(f"Campagne {campaign} inconnue : aucune édition de cette année.")
        audit_record(
            None,
            Action.EXPORT,
            identifier=command_identifier("export_answers"),
            campaign_year=campaign,
            details={"output": output or "-"},
        )
        entries = export_answers(campaign)
        text = dump_answers(entries)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as error:
            raise CommandError(f"Impossible d'écrire {output} : {error.strerror}") from error
        self.stdout.write(f"{len(entries)} réponse(s) exportée(s) vers {output}.")
