"""The site's DSFR configuration (what `loaddata init` of django-dsfr would create), filled in."""

from django.db import migrations

SITE_CONFIG = {
    "site_title": "Enquête annuelle traite des êtres humains",
    "site_tagline": (
        "Mission interministérielle pour la protection des femmes contre les violences "
        "et la lutte contre la traite des êtres humains (Miprof)"
    ),
    "header_brand": "République française",
    "header_brand_html": "République<br />française",
    "footer_brand": "République française",
    "footer_brand_html": "République<br />française",
    "footer_description": (
        "Service de la Mission interministérielle pour la protection des femmes contre les "
        "violences et la lutte contre la traite des êtres humains (Miprof). Chaque année, les "
        "associations qui repèrent et accompagnent des victimes de traite des êtres humains y "
        "déclarent des données chiffrées agrégées : des effectifs, jamais une personne."
    ),
    # Nothing has been audited yet: "non conforme".
    "accessibility_status": "NOT",
    "mourning": False,
}


def set_site_config(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    DsfrConfig.objects.update_or_create(language="fr", defaults=SITE_CONFIG)


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0001_initial"),
        ("dsfr", "0012_dsfrconfig_notice_description_and_more"),
    ]

    operations = [
        migrations.RunPython(set_site_config, migrations.RunPython.noop),
    ]
