"""The security headers every page carries (the test settings keep the production ones).

tests/e2e/test_csp.py checks in a browser that the pages satisfy the Content-Security-
Policy; tests/test_deploy.py checks the https settings.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/connexion/", "/admin/login/", "/sante/"])
def test_security_headers(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(CSP)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "geolocation", "microphone", "payment"):
        assert f"{feature}=()" in permissions


@pytest.mark.django_db
def test_the_pages_of_a_member_carry_the_policy(client_a, campaign):
    response = client_a.get("/")

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_cookies_are_http_only(client, member_a):
    login = client.get("/connexion/")
    assert login.cookies["csrftoken"]["httponly"]

    response = client.post(
        "/connexion/", {"username": member_a.email, "password": "motdepasse-a-1234"}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]


# Inline code that the policy would block: a <style> element or attribute, a <script>
# without src, an event handler attribute, a javascript: URL.
INLINE = re.compile(
    r"""<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=["']|javascript:""", re.IGNORECASE
)


def test_no_template_carries_inline_script_or_style():
    base = Path(settings.BASE_DIR)
    templates = [
        path
        for folder in ("templates", "survey/templates", "reports/templates")
        for path in (base / folder).rglob("*.html")
    ]
    assert templates
    found = [
        f"{path.relative_to(base)}:{number}: {line.strip()}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []
