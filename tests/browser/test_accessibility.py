"""axe-core on every public page and on the admin article forms: no critical or serious
violation.

axe-core is the npm package pinned in tools/package.json (`npm ci --prefix tools`); its
script is evaluated in the page through the DevTools protocol, which the page's
Content-Security-Policy does not govern, so the pages run under their real policy.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CountryFactory,
    CriminalGroupFactory,
    SectionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOOLS = Path(__file__).resolve().parents[2] / "tools"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=False, capture_output=True
        )
    if not AXE.exists():
        reason = f"axe-core not installed: run `npm ci` in {TOOLS}"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text()


def serious_violations(page, axe_source: str) -> list[str]:
    """Each critical or serious axe violation as "rule (impact): selector, ..." lines."""
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:8])
        for v in json.loads(result)["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


@pytest.fixture
def content():
    news = SectionFactory(name="News", slug="news", description="Daily reporting.")
    brief = SectionFactory(name="Brief", slug="brief", parent=news)
    SectionFactory(name="Investigations", slug="investigations")
    SectionFactory(name="The Organization", slug="the-organization")
    mexico = CountryFactory(name="Mexico", slug="mexico")
    zetas = CriminalGroupFactory(name="Zetas", slug="zetas")
    topic = TopicFactory(name="Money laundering", slug="money-laundering")
    author = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    articles = [
        ArticleFactory(
            title=f"Port cartel launders money through shell firms, part {n}",
            section=brief if n % 2 else news,
            countries=[mexico],
            groups=[zetas],
            topics=[topic],
            authors=[author],
            primary_country=mexico,
        )
        for n in range(4)
    ]
    return articles[0]


PUBLIC_PAGES = [
    "/",
    "/section/news/",
    "/section/brief/",
    "/country/mexico/",
    "/group/zetas/",
    "/topic/money-laundering/",
    "/author/ana-reyes/",
    "/search/?q=cartel",
    "/search/?q=nothing-matches-this",
    "/donate/",
    "/donate/manage/",
    "/no-such-page/",
    "/es/",
    "/es/donate/",
]


def test_public_pages_have_no_serious_accessibility_violations(page, content, axe_source):
    found = {}
    for url in [*PUBLIC_PAGES, content.get_absolute_url()]:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            if problems := serious_violations(page, axe_source):
                found[f"{url} @ {width}px"] = problems
    assert not found, json.dumps(found, indent=2)


def test_admin_article_forms_have_no_serious_accessibility_violations(page, content, axe_source):
    UserFactory(username="edith", role="Editor")
    page.goto("/admin/login/?next=/admin/articles/article/add/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/articles/article/add/")
    page.set_viewport_size({"width": 1366, "height": 900})
    found = {}
    for url in (
        "/admin/articles/article/add/",
        f"/admin/articles/article/{content.pk}/change/",
        "/admin/articles/article/",
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if problems := serious_violations(page, axe_source):
            found[url] = problems
    assert not found, json.dumps(found, indent=2)
