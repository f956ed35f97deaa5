"""`manage.py send_reminders --campaign YEAR`: remind the associations that have not answered.

Safe to run from cron: an association reminded today is not reminded again before
tomorrow (survey/reminders.py).
"""

from django.core.management.base import BaseCommand, CommandError

from survey.models import Campaign, Reminder
from survey.reminders import ReminderRefused, reminders_send


class Command(BaseCommand):
    help = (
        "Envoie une relance par e-mail aux membres des associations qui n'ont pas transmis "
        "leurs réponses à une campagne ouverte (au plus une relance par association et par "
        "jour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", type=int, required=True, help="Édition, par exemple 2024."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les associations qui seraient relancées, sans rien envoyer.",
        )

    def handle(self, *args, campaign: int, dry_run: bool, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"Campagne {campaign} inconnue : aucune édition de cette année.")
        try:
            result = reminders_send(campaign=found, dry_run=dry_run)
        except ReminderRefused as refusal:
            raise CommandError(str(refusal)) from refusal

        kinds = dict(Reminder.Kind.choices)
        for planned in result.reminded:
            line = (
                f"{'À relancer' if dry_run else 'Relancée'} : {planned.association} "
                f"({kinds[planned.kind].lower()}), {len(planned.recipients)} e-mail(s)"
            )
            # Addresses only when a person asks: cron logs keep no personal data.
            if dry_run:
                line += f" : {', '.join(planned.recipients)}"
            self.stdout.write(line)
        for association in result.no_recipient:
            self.stdout.write(f"Aucun membre avec une adresse e-mail : {association}")
        associations, emails = len(result.reminded), result.emails
        if dry_run:
            summary = (
                f"Simulation : {associations} association(s) seraient relancées, "
                f"{emails} e-mail(s) ; rien n'a été envoyé."
            )
        else:
            summary = f"{associations} association(s) relancée(s), {emails} e-mail(s) envoyé(s)."
        self.stdout.write(
            f"{summary} Ignorées : {len(result.already_reminded)} déjà relancée(s) "
            f"aujourd'hui, {len(result.no_recipient)} sans membre avec une adresse e-mail."
        )
