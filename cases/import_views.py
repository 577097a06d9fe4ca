"""The admins' browser import: upload, preview what would change, confirm.

The preview is the dry run of ``cases.imports``; the uploaded file waits in the session
(compressed) until it is confirmed, so any app server can apply it. Confirming runs the import
again for real: if the database changed in between, the errors show then and nothing is saved.
"""

import base64
import hashlib
import secrets
import zlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from people.models import is_admin

from .imports import ImportFailed, detect_format, import_file

MAX_UPLOAD_BYTES = 5 * 2**20
PREVIEW_CHANGES = 500
SESSION_KEY = "casetracker_import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A JSON export of Casetracker, or a CSV file in the template of "
            "docs/import-template.md. At most 5 MB: larger files go through the command "
            "import_cases."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than 5 MB: import it with the command."),
                code="too_large",
            )
        return upload


def admin_required(view):
    """Anonymous readers sign in first; signed-in readers who are not admins get a 403: they
    may read the records but not change them this way."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _store(request, name, content):
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "name": name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "data": base64.b64encode(zlib.compress(content)).decode("ascii"),
    }
    return token


def _load(request, token):
    stored = request.session.get(SESSION_KEY)
    # Compared as bytes: compare_digest refuses text with characters outside ASCII.
    typed = (token or "").encode("utf-8", "replace")
    if not stored or not secrets.compare_digest(stored["token"].encode(), typed):
        return None, None
    content = zlib.decompress(base64.b64decode(stored["data"]))
    if hashlib.sha256(content).hexdigest() != stored["sha256"]:
        return None, None
    return stored["name"], content


@admin_required
def upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        context["name"] = upload.name
        context["file_format"] = detect_format(upload.name, content)
        try:
            result = import_file(upload.name, content, dry_run=True, user=request.user)
        except ImportFailed as failure:
            context["errors"] = failure.errors
        else:
            context["result"] = result
            context["changes"] = result.changes[:PREVIEW_CHANGES]
            context["more_changes"] = max(0, len(result.changes) - PREVIEW_CHANGES)
            context["token"] = _store(request, upload.name, content)
    return render(request, "cases/import/upload.html", context)


@require_POST
@admin_required
def apply(request):
    name, content = _load(request, request.POST.get("token"))
    if content is None:
        messages.error(request, _("That preview has expired: upload the file again."))
        return redirect("reports:import")
    try:
        result = import_file(name, content, user=request.user)
    except ImportFailed as failure:
        return render(
            request,
            "cases/import/upload.html",
            {"form": ImportForm(), "errors": failure.errors, "name": name},
        )
    request.session.pop(SESSION_KEY, None)
    messages.success(request, result.summary())
    return redirect("reports:import")
