from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from survey import views
from survey.forms import LoginForm
from surveyproject.health import health

admin.site.site_header = "Enquête annuelle traite des êtres humains — Miprof"
admin.site.site_title = "Enquête TEH — administration"
admin.site.index_title = "Suivi des campagnes"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(form_class=LoginForm, extra_context={"title": "Connexion"}),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("survey.urls")),
    path("", include("survey.account_urls")),
    path("tableaux/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("sante/", health, name="health"),
]
