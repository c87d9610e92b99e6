from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import translation

from newsroom.language import page_languages

# The links every public page carries (header, footer, calls to action). They change only
# with the URLconf, i.e. with a deploy: reversed once per process, script prefix and
# language (/es/...), not by a {% url %} tag on every render (~14 per article page).
# Section *names* in the header are translated text in base.html; nothing here depends on
# the database.
_LINKS = {
    "home": ("articles:home", {}),
    "feed": ("articles:feed", {}),
    "feed_atom": ("articles:feed_atom", {}),
    "search": ("articles:search", {}),
    "news": ("articles:section", {"slug": "news"}),
    "brief": ("articles:section", {"slug": "brief"}),
    "analysis": ("articles:section", {"slug": "analysis"}),
    "investigations": ("articles:section", {"slug": "investigations"}),
    "organization": ("articles:section", {"slug": "the-organization"}),
    "donate": ("donations:donate", {}),
    "csrf_token": ("csrf_token", {}),
}


@cache
def _links(script_prefix: str, language: str) -> dict[str, str]:
    with translation.override(language):
        return {name: reverse(view, kwargs=kwargs) for name, (view, kwargs) in _LINKS.items()}


def site(request: HttpRequest) -> dict:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "LINKS": _links(get_script_prefix(), language),
        "LANGUAGE": language,
        **page_languages(request),
    }
