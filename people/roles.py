"""The three roles as groups, with the model permissions each needs.

Which persons a member may see or change is decided per person by the visibility rules
(``Person.objects.visible_to`` / ``managed_by``); these permissions only open the doors.
"""

from django.utils.translation import gettext_noop

ADMINS = gettext_noop("Admins")
LAWYERS = gettext_noop("Lawyers")
RESEARCHERS = gettext_noop("Researchers")

RECORD_MODELS = {
    "people": ["person", "namevariant"],
    "cases": [
        "source",
        "citation",
        "authority",
        "bordercrossing",
        "detention",
        "proceeding",
        "participant",
        "hearing",
        "ruling",
        "statusdecision",
        "event",
    ],
}


def _record_permissions(actions):
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in RECORD_MODELS.items()
        for model in models
        for action in actions
    ]


ROLE_PERMISSIONS = {
    ADMINS: _record_permissions(["view", "add", "change", "delete"])
    + [("people", "view_every_person")]
    + [
        ("auth", f"{action}_{model}")
        for model in ["user", "group"]
        for action in ["view", "add", "change", "delete"]
    ],
    # Deleting a person takes their whole case with them: an admin's act, never a lawyer's.
    LAWYERS: [
        permission
        for permission in _record_permissions(["view", "add", "change", "delete"])
        if permission != ("people", "delete_person")
    ],
    RESEARCHERS: _record_permissions(["view"]),
}


def ensure_roles(group_model, permission_model):
    """Create or update the role groups; takes the models so migrations can pass theirs."""
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = [
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in permissions
        ]
        group.permissions.set(wanted)
