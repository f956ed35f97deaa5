from django.conf import settings
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
        if settings.OTP_REQUIRED_FOR_STAFF:
            # The real flow, rather than a demo device whose key would be public.
            self.stdout.write(
                "Administrateur et agent de la Miprof : à la première connexion, scannez le QR "
                "code avec une application d'authentification (FreeOTP, Aegis, Google "
                "Authenticator…) ; elle donne ensuite le code demandé à chaque connexion. "
                "Pour une démonstration sans téléphone : OTP_REQUIRED_FOR_STAFF=0 (avec DEBUG=1)."
            )
        else:
            self.stdout.write("Vérification en deux étapes désactivée (OTP_REQUIRED_FOR_STAFF=0).")
        self.stdout.write("")
        self.stdout.write(
            "Site : http://127.0.0.1:8000/   Administration : http://127.0.0.1:8000/admin/"
        )
