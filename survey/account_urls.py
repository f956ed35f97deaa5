"""Account URLs (French paths): password reset, invitation links, two-factor codes.

Log in and log out stay in surveyproject/urls.py.
"""

from django.urls import path

from . import account_views, otp

urlpatterns = [
    path(
        "compte/mot-de-passe-oublie/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "compte/mot-de-passe-oublie/envoye/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/nouveau-mot-de-passe/termine/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "compte/nouveau-mot-de-passe/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("invitation/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("compte/double-authentification/", otp.otp_verify, name="otp_verify"),
]
