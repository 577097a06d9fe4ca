"""axe-core audits the directory and a person's page in Chromium: no serious violation.

axe-core's script comes inside the axe-playwright-python wheel and is injected into the page by
Playwright: the audit needs no network, and the page's own requests stay with the server.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
AXE = Axe()


def blocking_violations(page):
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(violations):
    """The violations as whoever fixes the page needs them: rule, help, each node."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def audit(page, live_server, paths):
    """Every path at phone and desktop width; one report of everything found."""
    found = []
    for name, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            violations = blocking_violations(page)
            if violations:
                found.append(f"{path} at {name} width:\n{describe(violations)}")
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reader", ["anonymous", "lawyer"])
def test_it_finds_no_serious_violation_on_the_directory_and_a_persons_page(
    page, live_server, case_files, requests_made, sign_in, request, reader
):
    # The assigned lawyer also sees the internal notes and the status countdown badge.
    sign_in(request.getfixturevalue(reader))
    directory = reverse("cases:directory")
    paths = [
        directory,
        f"{directory}?q=Akan",
        f"{directory}?status=refugee",
        f"{directory}?q=nobody+by+that+name",
        case_files.kaisha.get_absolute_url(),
        case_files.murager.get_absolute_url(),
    ]
    found = audit(page, live_server, paths)
    assert not found, "axe found serious violations:\n" + "\n\n".join(found)
    requests_made.assert_only_to_the_server()


def test_it_reports_what_axe_finds(page):
    # The audit itself must be able to fail: an unlabelled field and an image without text.
    page.set_content('<html lang="en"><body><main><img src="data:,"><input></main></body></html>')
    found = {violation["id"] for violation in blocking_violations(page)}
    assert {"image-alt", "label"} <= found
