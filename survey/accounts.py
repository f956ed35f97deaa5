"""Accounts: logging in by e-mail (and who is trying), and invitations to answer for an
association.

An invitation link carries a random token; only its SHA-256 is stored, so a copy of the
database (a backup, an export) cannot be turned into working links. The link expires
after INVITATION_VALID_DAYS and works once.
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Association, Invitation, Membership

logger = logging.getLogger(__name__)

SERVICE_NAME = "Enquête annuelle traite des êtres humains"

# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours and is
# not worth hashing.
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64


class EmailBackend(ModelBackend):
    """Authenticates with the e-mail address, in any case, then with the username.

    auth.User does not make e-mail addresses unique: when several active accounts share
    one, the password decides, oldest account first.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        username = username.strip()
        candidates = list(
            User._default_manager.filter(email__iexact=username, is_active=True).order_by("pk")
        ) or list(
            User._default_manager.filter(username__iexact=username, is_active=True).order_by("pk")
        )
        if not candidates:
            # Run the hasher once anyway, so that the response time does not tell
            # whether an address has an account (as ModelBackend does).
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None


def normalize_email(email: str) -> str:
    """Addresses are stored, and usernames made, in lower case."""
    return email.strip().lower()


# --- Who is trying to log in: django-axes counts failures per account and per address ------


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes' lockouts and the audit log.

    Behind TRUSTED_PROXY_COUNT proxies, each appending the address it received the request
    from to X-Forwarded-For, the client is the one that many places from the right; what
    stands further left was written by the client and proves nothing. Without proxies
    (the default), X-Forwarded-For is ignored: anyone could send one.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= count and forwarded[-count]:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a login attempt names, as EmailBackend reads it: "ALICE@a.example"
    and "alice@a.example" count against the same lock."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username")
    return normalize_email(username) if username else username


def lockout_response(request: HttpRequest, original_response, credentials: dict | None):
    """django-axes' answer to a locked-out attempt: when to try again, how to reset.

    The time is computed from the attempts that lock this request, as axes selects them
    (the account's from any address, the address's for any account; only those within
    COOLOFF), with axes' own username and address for the request. Each AccessAttempt row
    (one account, address and browser) counts until COOLOFF after its last failure
    (attempts while locked are not counted: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
    is off), so a lock lifts when enough of its oldest rows have lapsed to leave fewer than
    the limit; with several locks, when the last one lifts.

    A new password forgets the account's failures (login_failures_forget_account), not
    those of other accounts from this address: the page says whether that is enough.
    """
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    username = get_client_username(request, credentials)
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    # One queryset per lockout parameter (AXES_LOCKOUT_PARAMETERS: username, ip_address).
    handler = AxesProxyHandler.get_implementation()
    lifts_at, reset_unlocks = [], True
    for attempts in handler.get_user_attempts(request, credentials):
        rows = list(
            attempts.order_by("attempt_time").values_list(
                "username", "attempt_time", "failures_since_start"
            )
        )
        remaining = sum(failures for _, _, failures in rows)
        if remaining < limit:
            continue  # this parameter does not lock
        for _, attempt_time, failures in rows:
            remaining -= failures
            if remaining < limit:
                lifts_at.append(attempt_time + cool_off)
                break
        others = sum(failures for name, _, failures in rows if not username or name != username)
        reset_unlocks = reset_unlocks and others < limit
    context = {
        "title": "Connexion bloquée",
        "retry_at": timezone.localtime(max(lifts_at, default=timezone.now() + cool_off)),
        "failure_limit": limit,
        "reset_unlocks": reset_unlocks,
    }
    return render(request, "registration/lockout.html", context, status=429)


def _login_identifiers(user: AbstractBaseUser) -> set[str]:
    """The names a login may give for this account, as axes_username records them."""
    names = {normalize_email(user.email or ""), normalize_email(user.get_username())}
    return {name for name in names if name}


def login_failures_forgive(*, request: HttpRequest, user: AbstractBaseUser, **signal) -> None:
    """Forget this account's failed logins from this address, once the person logged in
    (a receiver of user_logged_in).

    Not django-axes' AXES_RESET_ON_SUCCESS: it would also forget every failure from the
    address, so whoever has an account could log in to it between guesses at another
    account's password and never be locked out.
    """
    from axes.utils import reset

    ip = client_ip(request) if request is not None else None
    if ip:
        for identifier in _login_identifiers(user):
            reset(ip=ip, username=identifier)


def login_failures_forget_account(*, user: AbstractBaseUser) -> None:
    """Forget every failed login on this account, from any address, once a new password
    is set through the e-mailed link: the guesses were at a password that no longer
    works, and the lockout page promises that the owner can then log in at once.

    Failures on other accounts stay counted, the address's lock with them: only the
    mailbox's owner gets here, and only for their own account.
    """
    from axes.utils import reset

    for identifier in _login_identifiers(user):
        # Never reset(username=""): axes would take no filter and forget every failure.
        reset(username=identifier)


def user_for_email(email: str) -> AbstractBaseUser | None:
    """The account (active or not) that an address names, by e-mail or username."""
    email = normalize_email(email)
    User = get_user_model()
    return (
        User._default_manager.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
        .first()
    )


# --- Invitations -------------------------------------------------------------------------


class InvitationState(models.TextChoices):
    PENDING = "pending", "en attente"
    ACCEPTED = "accepted", "acceptée"
    EXPIRED = "expired", "expirée"


class InvitationError(Exception):
    """The invitation cannot be used (already used, expired, or not for this account)."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_state(
    invitation: Invitation, *, now: datetime.datetime | None = None
) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.expires_at <= (now or timezone.now()):
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def invitation_state_q(state: InvitationState, *, now: datetime.datetime | None = None) -> Q:
    """The same states as invitation_state(), as a filter (for the admin's list)."""
    now = now or timezone.now()
    if state == InvitationState.ACCEPTED:
        return Q(accepted_at__isnull=False)
    if state == InvitationState.EXPIRED:
        return Q(accepted_at__isnull=True, expires_at__lte=now)
    return Q(accepted_at__isnull=True, expires_at__gt=now)


def invitation_create(
    *, association: Association, email: str, created_by: AbstractBaseUser | None
) -> tuple[Invitation, str]:
    """Creates an invitation; returns it with the raw token, which is not stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        email=normalize_email(email),
        association=association,
        created_by=created_by,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    # created_by may be None (a script); the model leaves it required in forms only.
    invitation.full_clean(exclude=[] if created_by else ["created_by"])
    invitation.save()
    return invitation, token


def invitation_get(token: str) -> Invitation | None:
    """The invitation a token opens, whatever its state.

    The lookup is by hash: the database compares hashes, whose timing tells nothing
    useful about the token (finding a token from its hash is infeasible), so there is
    no string comparison of the token itself to make constant-time.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("association")
        .filter(token_hash=_hash_token(token))
        .first()
    )


def invitation_get_valid(token: str) -> Invitation | None:
    """The invitation a token opens, if it is still pending (not used, not expired)."""
    invitation = invitation_get(token)
    if invitation is None or invitation_state(invitation) != InvitationState.PENDING:
        return None
    return invitation


def _lock_pending(invitation: Invitation) -> Invitation:
    """Re-reads the invitation under a row lock and checks it is still pending.

    Two tabs (or two people with the same link) may submit at once: the second waits
    for the first's transaction, then sees accepted_at set.
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = invitation_state(locked)
    if state == InvitationState.ACCEPTED:
        raise InvitationError("Cette invitation a déjà été utilisée.")
    if state == InvitationState.EXPIRED:
        raise InvitationError("Cette invitation a expiré.")
    return locked


def _mark_accepted(invitation: Invitation, user: AbstractBaseUser) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, association=invitation.association)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return membership


def invitation_accept(*, invitation: Invitation, password: str) -> AbstractBaseUser:
    """Creates the invited person's account, with the membership; the invitation is used.

    The password must have been validated (the form does it against Django's validators).
    """
    with transaction.atomic():
        invitation = _lock_pending(invitation)
        if user_for_email(invitation.email) is not None:
            raise InvitationError("Un compte existe déjà pour cette adresse e-mail.")
        email = normalize_email(invitation.email)
        user = get_user_model()._default_manager.create_user(
            username=email, email=email, password=password
        )
        _mark_accepted(invitation, user)
    return user


def invitation_join(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """Attaches an existing account, the one the invitation names, to the association."""
    with transaction.atomic():
        invitation = _lock_pending(invitation)
        if normalize_email(user.email) != normalize_email(invitation.email):
            raise InvitationError("Cette invitation est adressée à une autre adresse e-mail.")
        return _mark_accepted(invitation, user)


def invitation_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("invitation_accept", args=[token]))


def invitation_send(*, invitation: Invitation, url: str) -> None:
    """E-mails the link. Raises when the mail server refuses, so that the caller's
    transaction rolls back rather than leaving an invitation nobody received."""
    context = {
        "invitation": invitation,
        "association": invitation.association,
        "url": url,
        "service_name": SERVICE_NAME,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    subject = render_to_string("survey/accounts/invitation_email_subject.txt", context)
    body = render_to_string("survey/accounts/invitation_email.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
        fail_silently=False,
    )
    logger.info("Invitation %s sent for association %s", invitation.pk, invitation.association_id)
