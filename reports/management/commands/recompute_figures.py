"""`manage.py recompute_figures [--campaign YEAR]`: compute again the stored figures the
tables are read from (reports/figures.py), for every campaign or one.

Never needed for what the application does: validations follow, anything else changes
the campaign's stamp. It is for answers changed outside of it (by SQL, say), which the
stamp of the validated submissions does not see."""

from django.core.management.base import BaseCommand, CommandError

from reports.figures import CampaignFigures
from reports.models import StoredFigures
from survey.models import Campaign


class Command(BaseCommand):
    help = (
        "Recalcule les sommes d'où les tableaux publiés sont lus, à partir des réponses "
        "validées (après une modification faite hors de l'application)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", type=int, help="Édition, par exemple 2024 ; toutes sinon."
        )

    def handle(self, *args, campaign: int | None, **options):
        campaigns = Campaign.objects.order_by("year")
        if campaign is not None:
            campaigns = campaigns.filter(year=campaign)
            if not campaigns:
                raise CommandError(f"Campagne {campaign} inconnue : aucune édition de cette année.")
        before = {
            row.campaign_id: row.figures
            for row in StoredFigures.objects.filter(campaign__in=campaigns)
        }
        for edition in campaigns:
            figures = CampaignFigures.recompute(edition)
            if edition.pk not in before:
                outcome = "calculées"
            elif before[edition.pk] == figures.as_json():
                outcome = "inchangées"
            else:
                outcome = "corrigées (elles différaient des réponses validées)"
            self.stdout.write(
                f"Campagne {edition.year} : {figures.submissions} réponse(s) validée(s), "
                f"sommes {outcome}."
            )
