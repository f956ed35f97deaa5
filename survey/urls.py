from django.urls import path

from . import spreadsheet_views, views

FOOTER_PAGES = [
    ("plan-du-site/", "footer-sitemap", "survey/pages/sitemap.html", "Plan du site"),
    (
        "accessibilite/",
        "footer-accessibility-status",
        "survey/pages/accessibility.html",
        "Accessibilité",
    ),
    ("mentions-legales/", "footer-legal-notice", "survey/pages/legal.html", "Mentions légales"),
    (
        "donnees-personnelles/",
        "footer-personal-data",
        "survey/pages/personal_data.html",
        "Données personnelles",
    ),
    ("cookies/", "footer-cookie-management", "survey/pages/cookies.html", "Gestion des cookies"),
]

urlpatterns = [
    path(route, views.static_page, {"template": template, "title": title}, name=name)
    for route, name, template, title in FOOTER_PAGES
]

urlpatterns += [
    path("espace/<int:pk>/", views.association_home, name="association_home"),
    path("espace/<int:pk>/<int:year>/verification/", views.review, name="review"),
    path("espace/<int:pk>/<int:year>/copie.json", views.copy, name="copy"),
    path(
        "espace/<int:pk>/<int:year>/message/", views.submission_message, name="submission_message"
    ),
    path(
        "espace/<int:pk>/<int:year>/questionnaire/<slug:slug>/",
        views.section,
        name="section",
    ),
    path(
        "espace/<int:pk>/<int:year>/tableur/questionnaire.xlsx",
        spreadsheet_views.spreadsheet_download,
        name="spreadsheet_download",
    ),
    path(
        "espace/<int:pk>/<int:year>/tableur/importer/",
        spreadsheet_views.spreadsheet_upload,
        name="spreadsheet_upload",
    ),
    path(
        "espace/<int:pk>/<int:year>/tableur/verifier/",
        spreadsheet_views.spreadsheet_preview,
        name="spreadsheet_preview",
    ),
]
