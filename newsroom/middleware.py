"""Refuse input that the database cannot store, before any view sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from newsroom.language import language_of_path

# PostgreSQL text cannot hold NUL (U+0000): a query with one raises DataError, a 500.
# It is the only such character once Django has decoded the request (invalid UTF-8 in
# the path or query string is already replaced by U+FFFD, never a lone surrogate).
UNSTORABLE = "\x00"
MESSAGE = _("Bad request: the address or form contains a NUL character, which is not allowed.")


def _has_unstorable(values: Iterable[str]) -> bool:
    return any(UNSTORABLE in value for value in values)


def _query_dict_strings(data) -> list[str]:
    return [*data.keys(), *(value for key in data for value in data.getlist(key))]


class RejectUnstorableInputMiddleware:
    """A 400 with a plain message for a NUL in the path, query string or form fields.

    Every view, the admin's changelist filters, search and autocomplete included, would
    otherwise hand the value to the database; one check here covers them all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_unstorable([request.path, *_query_dict_strings(request.GET)]):
            return _bad_request(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # Form fields are read here, not in __call__, so a view that reads the raw body
        # itself (the csrf-exempt Stripe webhook) keeps its stream untouched.
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if _has_unstorable(_query_dict_strings(request.POST)) or _has_unstorable(
            upload.name or "" for upload in request.FILES.values()
        ):
            return _bad_request(request)
        return None


def _bad_request(request: HttpRequest) -> HttpResponse:
    # This runs before the URL's language is activated (URLLanguageMiddleware): say it in
    # the language of the address all the same (/es/... in Spanish).
    language = language_of_path(request.path_info)
    with translation.override(language):
        response = HttpResponseBadRequest(f"{MESSAGE}\n", content_type="text/plain; charset=utf-8")
    response["Content-Language"] = language
    return response
