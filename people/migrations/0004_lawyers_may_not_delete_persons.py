from django.db import migrations

from people.roles import LAWYERS


def _delete_person(apps):
    group = apps.get_model("auth", "Group").objects.filter(name=LAWYERS).first()
    permission = (
        apps.get_model("auth", "Permission")
        .objects.filter(content_type__app_label="people", codename="delete_person")
        .first()
    )
    return group, permission


def take_delete_person_from_lawyers(apps, schema_editor):
    # Deleting a person takes their whole case with them: an admin's act (people.roles).
    group, permission = _delete_person(apps)
    if group is not None and permission is not None:
        group.permissions.remove(permission)


def give_it_back(apps, schema_editor):
    group, permission = _delete_person(apps)
    if group is not None and permission is not None:
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_name_search")]

    operations = [migrations.RunPython(take_delete_person_from_lawyers, give_it_back)]
