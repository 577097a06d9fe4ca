from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from people.roles import ensure_roles


def grant(apps, schema_editor):
    # Admins unlock sign-ins (django-axes) and reset second factors (django-otp).
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_access_log"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
