"""The questionnaire's data: campaigns, associations, their submissions and answers.

Field names are the codes of questionnaire.md (also the JSON keys); verbose names are the
French labels shown everywhere (forms, admin, Excel headers). Only what always holds is a
database constraint (counts >= 0, uniqueness); the questionnaire's sums and "dont" rules
may be unmet in a draft and live in survey/checks.py.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .questionnaire import COUNT_FIELDS, FORMS, MAX_COUNT, PART1_FIELDS, ExploitationForm


def count_field(label: str, help_text: str = "") -> models.PositiveIntegerField:
    """A mandatory count (Part 1): never null, 0 when not given."""
    return models.PositiveIntegerField(
        label, default=0, validators=[MaxValueValidator(MAX_COUNT)], help_text=help_text
    )


def optional_count_field(label: str, help_text: str = "") -> models.PositiveIntegerField:
    """An optional count (Part 2): null means "not answered", never 0."""
    return models.PositiveIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_COUNT)],
        help_text=help_text,
    )


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "En préparation"
        OPEN = "open", "Ouverte"
        CLOSED = "closed", "Close"
        PUBLISHED = "published", "Publiée"

    year = models.PositiveIntegerField("édition", unique=True, help_text="Par exemple 2024.")
    reference_year = models.PositiveIntegerField(
        "année de référence", help_text="Année sur laquelle portent les chiffres (édition − 1)."
    )
    opens_on = models.DateField("date d'ouverture", null=True, blank=True)
    closes_on = models.DateField("date de clôture", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status, default=Status.DRAFT)

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "campagne"
        verbose_name_plural = "campagnes"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True)
                | Q(closes_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="campaign_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Enquête {self.year} (données {self.reference_year})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def previous(self) -> "Campaign | None":
        return Campaign.objects.filter(year__lt=self.year).order_by("-year").first()


class FrenchRegion(models.TextChoices):
    """Régions of France (2016 map), where an association works."""

    AUVERGNE_RHONE_ALPES = "ARA", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "BFC", "Bourgogne-Franche-Comté"
    BRETAGNE = "BRE", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "CVL", "Centre-Val de Loire"
    CORSE = "COR", "Corse"
    GRAND_EST = "GES", "Grand Est"
    HAUTS_DE_FRANCE = "HDF", "Hauts-de-France"
    ILE_DE_FRANCE = "IDF", "Île-de-France"
    NORMANDIE = "NOR", "Normandie"
    NOUVELLE_AQUITAINE = "NAQ", "Nouvelle-Aquitaine"
    OCCITANIE = "OCC", "Occitanie"
    PAYS_DE_LA_LOIRE = "PDL", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "PAC", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "GUA", "Guadeloupe"
    MARTINIQUE = "MTQ", "Martinique"
    GUYANE = "GUF", "Guyane"
    LA_REUNION = "LRE", "La Réunion"
    MAYOTTE = "MAY", "Mayotte"


identifier_validator = RegexValidator(
    r"^(W\d{9}|\d{14})$",
    "Saisissez un numéro RNA (W suivi de 9 chiffres) ou un SIRET (14 chiffres).",
)
departement_validator = RegexValidator(
    r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$",
    "Saisissez un numéro de département (01 à 95, 2A, 2B, 971 à 976).",
)


class Association(models.Model):
    name = models.CharField("nom", max_length=200)
    identifier = models.CharField(
        "identifiant (RNA ou SIRET)",
        max_length=14,
        unique=True,
        validators=[identifier_validator],
        help_text="Numéro RNA (W123456789) ou SIRET (14 chiffres).",
    )
    departement = models.CharField(
        "département", max_length=3, blank=True, validators=[departement_validator]
    )
    region = models.CharField("région", max_length=3, choices=FrenchRegion, blank=True)
    description = models.TextField("présentation", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="associations",
        verbose_name="membres",
        blank=True,
    )

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "association"

        verbose_name_plural = "associations"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user answers for an association; a user may belong to several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="utilisateur",
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name="association",
    )
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "membre d'une association"
        verbose_name_plural = "membres des associations"
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.association}"


class Submission(models.Model):
    """One association's answers to one campaign."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Transmise"
        RETURNED = "returned", "Renvoyée pour correction"
        VALIDATED = "validated", "Validée"

    association = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name="association",
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name="campagne"
    )
    status = models.CharField(
        "statut", max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transmise par",
    )
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validée par",
    )
    # Optimistic locking: a save carries the version it was based on and is refused
    # when someone else saved in between.
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    # The questionnaire's sections saved at least once, for the progress shown to members.
    sections_saved = models.JSONField("sections enregistrées", default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifiée par",
    )

    suspects_identified = optional_count_field(
        "mis et mises en cause identifiés grâce aux victimes",
        "Nombre de mis et mises en cause identifiés auprès des forces de sécurité grâce aux "
        "victimes.",
    )
    association_civil_party_cases = optional_count_field(
        "affaires où l'association s'est constituée partie civile"
    )
    comment = models.TextField(
        "commentaire",
        blank=True,
        help_text="N'y écrivez rien qui permette d'identifier une personne.",
    )

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"
        ordering = ["campaign", "association__name"]
        permissions = [("review_submission", "Peut valider, renvoyer ou rouvrir une réponse")]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "campaign"], name="one_submission_per_campaign"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} — {self.campaign.year}"

    @property
    def status_text(self) -> str:
        """The status in plain words, as the association reads it."""
        if self.status == self.Status.SUBMITTED and self.submitted_at:
            return f"Transmis le {date_format(timezone.localtime(self.submitted_at), 'j F Y')}"
        return {
            self.Status.DRAFT: "Brouillon — non transmis",
            self.Status.SUBMITTED: "Transmis",
            self.Status.RETURNED: "À corriger : voir le message de la Miprof",
            self.Status.VALIDATED: "Validé",
        }[self.status]

    @property
    def is_editable(self) -> bool:
        """Members may change the answers: open campaign, not sent (or sent back)."""
        return self.campaign.is_open and self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def to_data(self) -> dict:
        """The answers as the in-memory dict that checks and the JSON format share.

        Uses prefetched `answers` and their `origins` when present.
        """
        # A submission not saved yet (nothing answered) has every form empty.
        answers = {answer.form: answer for answer in self.answers.all()} if self.pk else {}
        return {
            "campaign": self.campaign.year,
            "association": {
                "identifier": self.association.identifier,
                "name": self.association.name,
                "departement": self.association.departement,
            },
            "status": self.status,
            "suspects_identified": self.suspects_identified,
            "association_civil_party_cases": self.association_civil_party_cases,
            "comment": self.comment,
            "forms": {
                form: (answers[form].to_data() if form in answers else FormAnswer.empty_data())
                for form in FORMS
            },
        }


class FormAnswer(models.Model):
    """The answers of one submission for one form of exploitation."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", verbose_name="réponse"
    )
    form = models.CharField("forme d'exploitation", max_length=10, choices=ExploitationForm)
    other_label = models.CharField(
        "précisez la forme d'exploitation",
        max_length=200,
        blank=True,
        help_text="Pour « Autre forme d'exploitation » : trafic d'organes, mariage forcé…",
    )

    # Part 1 — mandatory
    detected = count_field("victimes repérées")
    accompanied = count_field("dont victimes accompagnées individuellement")
    france_only = count_field("exploitées exclusivement en France")
    france_and_abroad = count_field("exploitées en France et à l'étranger")
    abroad_only = count_field("exploitées exclusivement à l'étranger")
    women = count_field("femmes (cisgenres)")
    trans_women = count_field("femmes transgenres")
    men = count_field("hommes (cisgenres)")
    trans_men = count_field("hommes transgenres")
    non_binary = count_field("personnes non binaires")
    gender_unknown = count_field("identité de genre non renseignée")
    under_15 = count_field("moins de 15 ans")
    age_15_17 = count_field("15–17 ans")
    age_18_24 = count_field("18–24 ans")
    age_25_plus = count_field("25 ans et plus")
    age_unknown = count_field("âge non renseigné")
    origin_unknown = count_field("pays d'origine non précisé")

    # Part 2 — optional profile: null is "not answered"
    adults_minor_at_start = optional_count_field(
        "victimes majeures qui étaient mineures au début de l'exploitation"
    )
    unaccompanied_minors = optional_count_field("mineurs non accompagnés (MNA)")
    unaccompanied_minors_reported = optional_count_field(
        "dont MNA signalés aux autorités de protection de l'enfance"
    )
    pregnancy = optional_count_field("grossesse au cours de l'exploitation")
    dependent_children = optional_count_field("enfants à charge")
    disability = optional_count_field("situation de handicap")
    addiction = optional_count_field("addiction (alcool, drogues, médicaments)")
    still_exploited_at_contact = optional_count_field(
        "toujours en situation d'exploitation lors de la rencontre"
    )
    housed_by_exploiter = optional_count_field("hébergées par l'exploiteur")
    living_at_workplace = optional_count_field("dont vivant sur le lieu d'exploitation")
    transfer_organised = optional_count_field(
        "transfert vers la France organisé par l'exploiteur ou le réseau"
    )
    network = optional_count_field("exploitées dans le cadre d'un réseau")
    needs_adapted_housing = optional_count_field("nécessitant un hébergement adapté")
    adapted_housing_offered = optional_count_field("dont hébergement adapté proposé")
    link_family = optional_count_field(
        "exploitées par un membre de la famille, belle-famille, conjoint·e, petit·e ami·e"
    )
    link_entourage = optional_count_field("exploitées par l'entourage")
    link_employer = optional_count_field("exploitées par l'employeur ou l'employeuse")
    link_other = optional_count_field("lien autre ou non renseigné")
    referral_association = optional_count_field(
        "orientées par les activités de l'association (maraudes, permanences, autres associations)"
    )
    referral_professional = optional_count_field(
        "orientées par un·e professionnel·le (police, gendarmerie, inspection du travail, "
        "santé, travail social)"
    )
    referral_private = optional_count_field(
        "orientées par des particuliers (compatriotes, anciennes victimes, voisins, réseaux "
        "sociaux)"
    )
    support_under_6m = optional_count_field("accompagnées depuis moins de 6 mois")
    support_6_18m = optional_count_field("accompagnées depuis 6 à 18 mois")
    support_over_18m = optional_count_field("accompagnées depuis plus de 18 mois")
    residence_not_concerned = optional_count_field(
        "non concernées par le titre de séjour (françaises, espace Schengen, retournées dans "
        "leur pays)"
    )
    permit_held_l425_1 = optional_count_field("titre de séjour obtenu : article L425-1")
    permit_held_l425_4 = optional_count_field("titre de séjour obtenu : article L425-4")
    permit_held_protection = optional_count_field(
        "titre de séjour obtenu : protection internationale"
    )
    permit_held_other = optional_count_field("titre de séjour obtenu : autre motif")
    permit_pending_l425_1 = optional_count_field("demande en cours : article L425-1")
    permit_pending_l425_4 = optional_count_field("demande en cours : article L425-4")
    permit_pending_protection = optional_count_field("demande en cours : protection internationale")
    permit_pending_other = optional_count_field("demande en cours : autre motif")
    irregular = optional_count_field("en situation irrégulière")
    permit_delay_under_6m = optional_count_field("titre obtenu en moins de 6 mois")
    permit_delay_6_12m = optional_count_field("titre obtenu en 6 à 12 mois")
    permit_delay_over_12m = optional_count_field("titre obtenu en plus de 12 mois")
    exit_programme = optional_count_field(
        "en parcours de sortie de la prostitution",
        "Uniquement pour l'exploitation sexuelle.",
    )
    complaint_thb = optional_count_field("plainte pour au moins un motif de traite")
    complaint_other = optional_count_field("plainte pour une autre infraction")
    complaint_unspecified = optional_count_field("plainte dont le motif n'est pas renseigné")
    no_complaint = optional_count_field("pas de plainte")
    civil_party = optional_count_field("constituées partie civile")
    no_complaint_before_support = optional_count_field(
        "n'avaient pas porté plainte avant l'accompagnement"
    )
    complaint_refused = optional_count_field("enregistrement de la plainte refusé")
    case_ongoing = optional_count_field("affaire en cours d'investigation")
    case_prosecuted = optional_count_field("affaire poursuivie")
    case_prosecuted_thb = optional_count_field("dont poursuivie sur l'infraction de traite")
    case_dismissed = optional_count_field("affaire classée sans suite")
    case_alternative = optional_count_field("alternative aux poursuites")
    case_no_news = optional_count_field("sans information récente")
    employment_support = optional_count_field("accompagnées vers l'insertion professionnelle")
    employed_cdi = optional_count_field("ont obtenu un CDI")
    employed_cdd = optional_count_field("ont obtenu un CDD")
    also_supported_elsewhere = optional_count_field(
        "également accompagnées par une autre association (estimation)"
    )

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "réponses pour une forme d'exploitation"
        verbose_name_plural = "réponses par forme d'exploitation"
        ordering = ["submission", "form"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "form"], name="one_answer_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} — {self.get_form_display()}"

    @staticmethod
    def empty_data() -> dict:
        data: dict = {field: (0 if field in PART1_FIELDS else None) for field in COUNT_FIELDS}
        data["origin"] = {}
        data["other_label"] = ""
        return data

    def to_data(self) -> dict:
        """This form's answers as a dict (uses prefetched `origins` when present)."""
        data: dict = {field: getattr(self, field) for field in COUNT_FIELDS}
        data["origin"] = {
            origin.country.code: origin.count
            for origin in sorted(self.origins.all(), key=lambda origin: origin.country.code)
        }
        data["other_label"] = self.other_label
        return data


class OriginCount(models.Model):
    """Accompanied victims of one form coming from one country (nationality)."""

    answer = models.ForeignKey(
        FormAnswer,
        on_delete=models.CASCADE,
        related_name="origins",
        verbose_name="réponses pour une forme d'exploitation",
    )
    country = CountryField("pays d'origine")
    count = models.PositiveIntegerField(
        "victimes accompagnées", validators=[MaxValueValidator(MAX_COUNT)]
    )

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "origine des victimes"
        verbose_name_plural = "origines des victimes"
        ordering = ["answer", "country"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "country"], name="one_count_per_country"),
        ]

    def __str__(self) -> str:
        return f"{self.country.name} : {self.count}"


class Message(models.Model):
    """A message in the thread between the Miprof and an association about a submission."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="messages", verbose_name="réponse"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    from_staff = models.BooleanField("de la Miprof", default=False)
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission} — {self.created_at:%d/%m/%Y %H:%M}"


class WarningExplanation(models.Model):
    """The association's explanation of a warning it chose not to correct."""

    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="explanations",
        verbose_name="réponse",
    )
    # Identifies the warning: its rule code and place (`gender_unknown_share@forms.sexual…`).
    key = models.CharField("avertissement", max_length=200)
    text = models.TextField("explication")
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    # Every change is kept, with who and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = "explication d'un avertissement"
        verbose_name_plural = "explications des avertissements"
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "key"], name="one_explanation_per_warning"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Invitation(models.Model):
    """A staff member invites someone by e-mail to answer for an association.

    The link carries a random token, of which only a hash is stored; it expires and
    works once.
    """

    email = models.EmailField("adresse e-mail")
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name="association",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="invitée par",
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="compte créé ou rattaché",
    )

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.association}"


class Reminder(models.Model):
    """A reminder e-mailed to an association that has not submitted; one a day at most."""

    class Kind(models.TextChoices):
        NOT_STARTED = "not_started", "Pas commencé"
        DRAFT = "draft", "Brouillon non transmis"

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="reminders", verbose_name="association"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reminders", verbose_name="campagne"
    )
    kind = models.CharField("relance", max_length=12, choices=Kind)
    sent_on = models.DateField("envoyée le")
    recipients = models.PositiveIntegerField("destinataires", default=0)

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "campaign", "sent_on"], name="one_reminder_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} — {self.sent_on:%d/%m/%Y}"
