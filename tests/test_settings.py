"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = run_django("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_with_debug_off_and_no_allowed_hosts():
    result = run_django("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_it_refuses_a_debug_value_it_does_not_understand():
    result = run_django("check", DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_the_production_configuration_passes_the_deployment_checks():
    result = run_django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "k3y9" * 12,
        DJANGO_ALLOWED_HOSTS="cases.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def setting(name, **env):
    result = run_django(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "k3y9" * 12,
    "DJANGO_ALLOWED_HOSTS": "cases.example.org",
}


def test_the_second_factor_is_required_by_default_in_production_only():
    assert setting("CASETRACKER_REQUIRE_2FA", **PRODUCTION) == "True"
    assert setting("CASETRACKER_REQUIRE_2FA") == "False"
    assert setting("CASETRACKER_REQUIRE_2FA", DJANGO_REQUIRE_2FA="true") == "True"
    assert setting("CASETRACKER_REQUIRE_2FA", DJANGO_REQUIRE_2FA="false", **PRODUCTION) == "False"


def test_throttling_and_idle_limits_come_from_the_environment():
    assert setting("AXES_FAILURE_LIMIT") == "5"
    assert setting("AXES_FAILURE_LIMIT", DJANGO_LOGIN_FAILURE_LIMIT="3") == "3"
    assert setting("AXES_COOLOFF_TIME", DJANGO_LOGIN_LOCKOUT_MINUTES="15") == "0:15:00"
    assert setting("CASETRACKER_IDLE_MINUTES_STAFF") == "30"
    assert setting("CASETRACKER_IDLE_MINUTES_STAFF", DJANGO_SESSION_IDLE_MINUTES_STAFF="10") == "10"
    assert setting("SESSION_EXPIRE_AT_BROWSER_CLOSE") == "True"
