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
