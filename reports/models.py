"""What the reports keep between requests: the figures of each campaign, as last computed."""

from django.db import models


class StoredFigures(models.Model):
    """The sums of one campaign's validated answers (`reports.figures.CampaignFigures`).

    The tables read them instead of adding up every answer again. `stamp` says which
    validated submissions they were computed from; `CampaignFigures.load` recomputes
    them whenever the campaign's stamp is no longer the same, and validating or reopening
    a submission updates them in its own transaction (`figures_follow`).
    """

    campaign = models.OneToOneField(
        "survey.Campaign",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name="campagne",
    )
    stamp = models.CharField("empreinte des réponses validées", max_length=200)
    figures = models.JSONField("sommes")
    computed_at = models.DateTimeField("calculées le", auto_now=True)

    class Meta:
        verbose_name = "sommes d'une campagne"
        verbose_name_plural = "sommes des campagnes"

    def __str__(self) -> str:
        return f"Sommes de la campagne {self.campaign_id}"
