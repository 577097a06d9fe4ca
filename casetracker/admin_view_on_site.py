"""The admin's "view on site" shortcut, only for an object the user may view in the admin.

Django's shortcut (``/admin/r/<content type>/<id>/``) redirects for any object with a page:
for a confidential person it would answer with their reference, and its 404 for a missing id
would tell which ids exist. Here the object is looked up through its registered ModelAdmin
(its queryset and view permission), and anything else is the same 404 as a missing object.
The admin's templates still reverse ``admin:view_on_site``: the address is the same, and this
view is placed before the admin's in ``casetracker/urls.py``.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


def viewable_object(request, content_type_id, object_id, site=admin.site):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not site.is_registered(model):
        return None
    model_admin = site.get_model_admin(model)
    try:
        obj = model_admin.get_queryset(request).filter(pk=object_id).first()
    except (ValueError, ValidationError, OverflowError):
        return None
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        return None
    return obj


def view_on_site(request, content_type_id, object_id):
    if viewable_object(request, content_type_id, object_id) is None:
        raise Http404(_("No such page."))
    return shortcut(request, content_type_id, object_id)


# Signed-in staff only, as every admin page.
guarded_view_on_site = admin.site.admin_view(view_on_site)
