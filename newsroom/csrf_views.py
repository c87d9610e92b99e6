"""A CSRF token for forms on cached pages (see newsroom/pagecache.py)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def csrf_token(request: HttpRequest) -> JsonResponse:
    """This reader's token (and its cookie); same-origin scripts only, per our CORS-less
    default: another site can make the request but cannot read the answer."""
    return JsonResponse({"token": get_token(request)})
