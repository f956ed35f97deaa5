from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class SurveyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "survey"
    verbose_name = "Enquête"

    def ready(self) -> None:
        from .accounts import login_failures_forgive
        from .roles import ensure_staff_group

        # Runs after the permissions of this app are created (auth's post_migrate
        # handler is connected first, since auth comes first in INSTALLED_APPS).
        post_migrate.connect(ensure_staff_group, sender=self)
        user_logged_in.connect(login_failures_forgive, dispatch_uid="survey_forgive_failures")
