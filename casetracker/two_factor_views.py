"""The second-factor pages: the code after the password, setting up an authenticator app,
and the recovery codes shown once.

Built on django-otp: a ``TOTPDevice`` per user (the authenticator app) and a ``StaticDevice``
holding one-time recovery codes. An admin resets a lost factor by deleting both devices in
the admin; the user is then led through setup again at the next sign-in.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetracker.two_factor import HAS_DEVICE, second_factor_required

RECOVERY_CODE_COUNT = 10
NEW_CODES = "casetracker_new_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


class SetupCodeForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The six digits the app shows for Casetracker.")


def _next_url(request):
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device):
    # A new session key for the raised privilege, as Django does at sign-in.
    request.session.cycle_key()
    otp_login(request, device)


def new_recovery_codes(user):
    """Replace the user's recovery codes with fresh ones; returns them, to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user, confirmed=True):
        # Deleted by an admin (a lost phone): set up a new one.
        request.session[HAS_DEVICE] = False
        return redirect(f"{resolve_url('two_factor:setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. "
                        "Each works once: make new ones when few are left."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "That code is not right or has expired. Wait for the next one; after "
                "several wrong codes each new try must wait a little longer."
            ),
        )
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _qr_svg(device):
    qr = segno.make(device.config_url, error="m")
    title = _("QR code for your authenticator app")
    # segno escapes the title; the rest is its own path data.
    return mark_safe(qr.svg_inline(scale=5, border=4, light="#fff", title=title))


def _grouped_secret(device):
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request):
    user = request.user
    # Someone who has a factor must prove it before replacing it: otherwise a stolen
    # password would be enough to enrol the thief's phone.
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{resolve_url('two_factor:verify')}?{request.GET.urlencode()}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if device.verify_token(form.cleaned_data["code"]):
                TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(user)
            else:
                codes = None
        if codes is not None:
            _verified(request, device)
            request.session[HAS_DEVICE] = True
            request.session[NEW_CODES] = codes
            url = resolve_url("two_factor:recovery-codes")
            if request.GET.get("next"):
                url += f"?{request.GET.urlencode()}"
            return redirect(url)
        form.add_error(
            "code",
            _("That code is not right. Check the clock of your phone and enter the newest code."),
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _grouped_secret(device),
            "required": second_factor_required(request),
            "replacing": user_has_device(user, confirmed=True),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """Shows new recovery codes once; a verified user may ask for a fresh set."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect("two_factor:verify")
        request.session[NEW_CODES] = new_recovery_codes(request.user)
        return redirect("two_factor:recovery-codes")
    codes = request.session.pop(NEW_CODES, None)
    return render(
        request,
        "registration/recovery_codes.html",
        {
            "codes": codes,
            "next": _next_url(request),
            "can_renew": request.user.is_verified(),
        },
    )
