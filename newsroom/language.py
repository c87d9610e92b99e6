"""Which language a request is in: read from its URL alone.

English pages are unprefixed (``/article/x/``), Spanish ones live under ``/es/``
(``i18n_patterns(..., prefix_default_language=False)`` in ``newsroom/urls.py``). Django's
``LocaleMiddleware`` would also consult the language cookie and ``Accept-Language`` for an
unprefixed URL and add ``Vary: Accept-Language``; public pages are stored by URL (our page
cache, Varnish), so the same URL must always give the same page: one language per URL,
whatever the browser says. Only the admin, which no cache keeps, follows the editor's
browser (``Accept-Language``), so a Spanish-speaking editor gets Spanish labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

ADMIN_PREFIX = "/admin/"
# The URL namespaces inside i18n_patterns (newsroom/urls.py): their pages exist at the same
# path in every language's scheme.
LOCALIZED_APPS = frozenset({"articles", "donations"})


def language_of_path(path: str) -> str:
    """The language a public URL is in: its prefix (``/es/...``), else the default."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


class URLLanguageMiddleware:
    """Activates the URL's language for the request (in place of ``LocaleMiddleware``).

    Sits before anything that resolves URLs (``CommonMiddleware``'s slash redirect): the
    ``/es/`` prefix only resolves while Spanish is active. The previous language is put
    back afterwards, so nothing run after a request in the same thread (a test, a task
    run in process) inherits it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        editor = request.path_info.startswith(ADMIN_PREFIX)
        if editor:
            language = translation.get_language_from_request(request, check_path=False)
        else:
            language = language_of_path(request.path_info)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if editor:
            patch_vary_headers(response, ("Accept-Language",))
        return response


def path_in_language(path: str, language: str) -> str:
    """The same page's path in another language's scheme (``/x/`` <-> ``/es/x/``).

    Only for pages of ``i18n_patterns``, whose paths differ by the prefix alone. ``path``
    is a ``path_info`` (no script prefix).
    """
    current = translation.get_language_from_path(path)
    bare = path[len(current) + 1 :] if current else path
    return bare if language == settings.LANGUAGE_CODE else f"/{language}{bare}"


@dataclass(frozen=True, slots=True)
class Alternate:
    """One language version of a page, for ``<link rel="alternate" hreflang>``."""

    language: str
    url: str  # absolute


@dataclass(frozen=True, slots=True)
class LanguageSwitch:
    """The header's link to the other language: the page's translation, else its home."""

    language: str
    name: str  # in that language ("Español", "English")
    url: str


def other_language(language: str) -> str:
    return next(code for code, _name in settings.LANGUAGES if code != language)


def language_name(language: str) -> str:
    """The language's name in itself, as a menu item: "English", "Español"."""
    name = translation.get_language_info(language)["name_local"]
    return name[:1].upper() + name[1:]


def alternates_for(versions: dict[str, str]) -> list[Alternate]:
    """hreflang links for a page whose versions are ``{language: absolute URL}``.

    Every version lists all of them (itself included) and ``x-default`` (the default
    language's), so the pairs are reciprocal; a page without a counterpart lists none.
    """
    if len(versions) < 2:
        return []
    links = [Alternate(code, versions[code]) for code, _name in settings.LANGUAGES]
    return [*links, Alternate("x-default", versions[settings.LANGUAGE_CODE])]


def page_languages(request: HttpRequest) -> dict:
    """The template context for a page that exists in every language (a hub, home, donate).

    Pages that are in one language only (an article without a published translation)
    and error pages override ``alternates`` and ``language_switch`` (their views or
    templates do).
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    other = other_language(language)
    match = getattr(request, "resolver_match", None)
    if match is not None and LOCALIZED_APPS.intersection(match.app_names):
        prefix = get_script_prefix().rstrip("/")
        own = f"{prefix}{request.path_info}"
        there = f"{prefix}{path_in_language(request.path_info, other)}"
        alternates = alternates_for(
            {language: settings.SITE_URL + own, other: settings.SITE_URL + there}
        )
    else:
        there = home_url(other)
        alternates = []
    return {
        "alternates": alternates,
        "language_switch": LanguageSwitch(other, language_name(other), there),
    }


@cache
def _home_path(language: str, script_prefix: str) -> str:
    with translation.override(language):
        return reverse("articles:home")


def home_url(language: str) -> str:
    """The home page's path in ``language`` (reversed once per process)."""
    return _home_path(language, get_script_prefix())
