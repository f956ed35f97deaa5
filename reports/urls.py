"""The published tables, for the Miprof's staff (included under `tableaux/`)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.tables_index, name="index"),
    path("<int:year>/", views.campaign_tables, name="campaign"),
    path("<int:year>/tableaux.xlsx", views.tables_xlsx, name="tables_xlsx"),
    path("<int:year>/tableaux.json", views.tables_json_download, name="tables_json"),
    path("<int:year>/donnees.xlsx", views.raw_answers_xlsx, name="raw_answers_xlsx"),
    path("<int:year>/donnees.csv", views.raw_answers_csv, name="raw_answers_csv"),
    path("<int:year>/origines.xlsx", views.raw_origins_xlsx, name="raw_origins_xlsx"),
    path("<int:year>/origines.csv", views.raw_origins_csv, name="raw_origins_csv"),
]
