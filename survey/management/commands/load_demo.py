from django.core.management.base import BaseCommand

from survey.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Crée ou rafraîchit les données de démonstration (sans risque si relancé)."

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes (enquête 2024)."))
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        width = max(len(email) for _, email in logins)
        for role, email in logins:
            self.stdout.write(f"  {email.ljust(width)}  {role}")
        self.stdout.write("")
        self.stdout.write(
            "Site : http://127.0.0.1:8000/   Administration : http://127.0.0.1:8000/admin/"
        )
