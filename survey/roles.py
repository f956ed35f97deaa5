"""Roles: the "Miprof" staff group and exactly the permissions the review needs.

Superusers manage accounts and campaigns; Miprof staff follow campaigns, review
submissions (validate, return, reopen), write to associations, invite their members, keep
the list of associations up to date and read the audit log. Nobody edits an association's
answers in the admin: answers change through the association's side, the import, or a
return.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

STAFF_GROUP = "Miprof"

# (app label, codename); a row per permission, so that a review of the role is a read.
STAFF_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("survey", "view_campaign"),
    ("survey", "view_association"),
    ("survey", "add_association"),
    ("survey", "change_association"),
    ("survey", "view_membership"),
    ("survey", "view_submission"),
    ("survey", "review_submission"),
    ("survey", "view_formanswer"),
    ("survey", "view_origincount"),
    ("survey", "view_message"),
    ("survey", "add_message"),
    ("survey", "view_warningexplanation"),
    ("survey", "view_invitation"),
    ("survey", "add_invitation"),
    ("survey", "view_reminder"),
    ("survey", "view_historicalsubmission"),
    ("survey", "view_historicalformanswer"),
    ("audit", "view_auditevent"),
)


def staff_group() -> Group:
    """The Miprof group with exactly STAFF_PERMISSIONS (created or brought back in line)."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = Q(pk__in=[])
    for app_label, codename in STAFF_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(STAFF_PERMISSIONS):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        missing = sorted(set(STAFF_PERMISSIONS) - found)
        raise LookupError(f"Permissions not found (migrate first?): {missing}")
    group.permissions.set(permissions)
    return group


def ensure_staff_group(sender, **kwargs) -> None:
    """post_migrate: every database gets the group, not only the demo."""
    if sender.name == "survey":
        staff_group()
