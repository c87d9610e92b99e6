"""Uploads on local disk, served by the app itself when DEBUG is off.

WhiteNoise serves static files, but only those present when the process started, and
uploads arrive while it runs; so on one machine (``MEDIA_STORAGE=filesystem``, the default)
``/media/<path>`` is answered here. Django's ``django.views.static.serve`` does the careful
parts: the path is normalised and joined under ``MEDIA_ROOT`` with ``safe_join`` (``..``
and absolute paths cannot leave it), directories are never listed, ``If-Modified-Since``
gets a 304, and the file is streamed (gunicorn hands it to ``sendfile``). What we add:

- ``Cache-Control``: browsers and a front cache keep an upload ``MEDIA_MAX_AGE`` seconds
  (an hour by default: an upload removed for legal reasons disappears within the hour;
  revalidation after that is a cheap 304);
- a sandboxing Content-Security-Policy: an upload is served from our own origin, so an
  HTML or SVG file someone managed to upload must not run script as our site.

With heavy traffic, let nginx serve ``MEDIA_ROOT`` directly (the README's "Media" section has
the location block) or move media to object storage (``MEDIA_STORAGE=s3``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django.views.static import serve

# Images, audio and video still display; nothing can run, submit or be framed.
UPLOAD_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={settings.MEDIA_MAX_AGE}"
    # Set here, the CSP middleware leaves it alone (it never overwrites a view's policy).
    response["Content-Security-Policy"] = UPLOAD_CSP
    return response
