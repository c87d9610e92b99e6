"""Every public URL the site answers, read from the URLconf itself.

Tests that must hold "on every public page" (no draft anywhere, no English on /es/, no 500
for hostile input) iterate these instead of a hand-kept list, so a page added later is
covered the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

# Not reader pages: the editors' site and uploaded files.
NOT_PUBLIC_PREFIXES = ("admin/", "^media/")


@dataclass(frozen=True)
class Route:
    """One URL pattern as a template: ``es/article/<slug:slug>/republish/``."""

    template: str
    name: str
    language: str | None  # the language of the prefix, None outside i18n_patterns

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """``[("slug", "slug")]``: each placeholder's converter and name."""
        return re.findall(r"<(\w+):(\w+)>", self.template)

    def url(self, **values: object) -> str:
        def fill(match: re.Match) -> str:
            return str(values[match.group(1)])

        return "/" + re.sub(r"<\w+:(\w+)>", fill, self.template)


def _walk(patterns: list, prefix: str, language: str | None, name: str) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(pattern.pattern, LocalePrefixPattern):
                for code, _label in settings.LANGUAGES:
                    lead = "" if code == settings.LANGUAGE_CODE else f"{code}/"
                    yield from _walk(pattern.url_patterns, prefix + lead, code, name)
                continue
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), language, name + namespace
            )
        elif isinstance(pattern, URLPattern):
            template = prefix + str(pattern.pattern)
            if template.startswith(NOT_PUBLIC_PREFIXES):
                continue
            yield Route(template, name + (pattern.name or ""), language)


def public_routes() -> list[Route]:
    """Every reader-facing route, each language's prefix spelled out (``es/...``)."""
    return list(_walk(get_resolver().url_patterns, "", None, ""))
