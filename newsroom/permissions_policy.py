"""The Permissions-Policy header on every response, built from settings.PERMISSIONS_POLICY.

One fixed header needs no dependency: the policy is built once per settings value and
set unless a view already chose its own (the same courtesy Django's CSP middleware gives).
"""

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def _allowlist(origins: list[str]) -> str:
    # "self" and "*" are tokens; anything else is an origin and must be quoted.
    return " ".join(item if item in ("self", "*") else f'"{item}"' for item in origins)


@lru_cache(maxsize=4)
def _build(policy: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    return ", ".join(f"{feature}=({_allowlist(list(origins))})" for feature, origins in policy)


def build_policy(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "clipboard-write": ["self"]}`` -> ``camera=(), clipboard-write=(self)``."""
    return _build(tuple((feature, tuple(origins)) for feature, origins in policy.items()))


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and HEADER not in response:
            response.headers[HEADER] = build_policy(policy)
        return response
