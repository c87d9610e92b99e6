"""The page a locked-out editor sees (django-axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    # 429 like our other throttles; the page says how long to wait in minutes rather than
    # axes' ISO-8601 duration, and never says whether the password was right.
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in paused",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()
