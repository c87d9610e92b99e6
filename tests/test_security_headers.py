"""Every response carries the security headers; no template needs inline script.

Browser behaviour under the policy is proven in tests/browser/test_content_security_policy.py;
these are the HTTP-level facts, through Django's test client.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from newsroom.permissions_policy import build_policy
from tests.factories import ArticleFactory, SectionFactory, UserFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.fixture
def story(db):
    SectionFactory(name="News", slug="news")
    return ArticleFactory(section=SectionFactory(name="Brief", slug="brief"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/donate/"),
        ("get", "/feed/"),
        ("get", "/no-such-page/"),
        ("get", "/admin/login/"),
        ("post", "/donate/"),
    ],
)
def test_every_response_carries_csp_permissions_policy_and_coop(client, story, method, path):
    response = getattr(client, method)(path)

    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert response.headers["Permissions-Policy"] == build_policy(settings.PERMISSIONS_POLICY)
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_article_page_scripts_are_files_not_inline_code(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    # JSON-LD is a data block (a non-JavaScript type): browsers never run it, so CSP's
    # script-src does not apply; it must stay data (it parses as JSON).
    code = [tag for tag in scripts if 'type="application/ld+json"' not in tag]
    assert code, "the share buttons' script should be on the page"
    assert all("src=" in tag for tag in code), code
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        json.loads(block)


def test_admin_pages_get_a_fresh_nonce_that_matches_their_tags(client, db):
    client.force_login(UserFactory(username="edith", role="Editor"))

    first = client.get("/admin/articles/article/add/")
    second = client.get("/admin/articles/article/add/")

    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    assert nonce not in second.headers["Content-Security-Policy"]
    # The prose editor's import map is the one inline script; it carries the nonce.
    assert re.search(rf'<script type="importmap"[^>]*nonce="{re.escape(nonce)}"', first.text)


def test_permissions_policy_turns_off_device_features_and_payment():
    header = build_policy(settings.PERMISSIONS_POLICY)
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header
    assert "clipboard-write=(self)" in header


def test_a_view_may_send_its_own_permissions_policy():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from newsroom.permissions_policy import PermissionsPolicyMiddleware

    own = HttpResponse()
    own.headers["Permissions-Policy"] = "camera=(self)"
    response = PermissionsPolicyMiddleware(lambda request: own)(RequestFactory().get("/"))
    assert response.headers["Permissions-Policy"] == "camera=(self)"


def test_no_page_template_has_inline_script_event_handlers_or_style_attributes():
    # Emails are not pages (no CSP applies in a mail client) and keep their inline styles.
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "emails" in template.parts:
            continue
        text = template.read_text()
        for pattern in (
            r"<script\b(?![^>]*\bsrc=)[^>]*>",  # inline code (json_script is a filter, not here)
            r"\son[a-z]+\s*=",  # onclick= and friends
            r"\sstyle\s*=",
            r"javascript:",
        ):
            offenders += [
                f"{template.relative_to(TEMPLATES)}: {m}" for m in re.findall(pattern, text)
            ]
    assert offenders == []
