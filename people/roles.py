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


# Admins unlock a locked-out sign-in (delete its access attempt) and reset a lost second
# factor (delete the user's devices); lawyers, also staff, get none of these.
SIGN_IN_PERMISSIONS = [
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
    ("otp_totp", "view_totpdevice"),
    ("otp_totp", "delete_totpdevice"),
    ("otp_static", "view_staticdevice"),
    ("otp_static", "delete_staticdevice"),
]

ROLE_PERMISSIONS = {
    ADMINS: _record_permissions(["view", "add", "change", "delete"])
    + [("people", "view_every_person")]
    + SIGN_IN_PERMISSIONS
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
    """Create or update the role groups; takes the models so migrations can pass theirs.

    A permission of an app with no content type yet (not migrated when an earlier migration
    runs this) is left for that app's own role migration (0006_sign_in_permissions).
    """
    migrated = set(
        permission_model.objects.values_list("content_type__app_label", flat=True).distinct()
    )
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = [
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in permissions
            if app_label in migrated
        ]
        group.permissions.set(wanted)
