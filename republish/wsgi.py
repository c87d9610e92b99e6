"""The pixel answered before Django: no middleware, no URL resolver, no request object.

The pixel is the one URL that other sites' readers hit for every view of every
republished story, and the only thing it does is count (in memory: republish/counters.py)
and send 42 bytes. Through Django's request cycle (fourteen middleware, the resolver) it
served 1,273 req/s here, from this shortcut 5,341 (README, "Republish this story"), so the
WSGI entry point (newsroom/wsgi.py) sends it here first; the Django view
(``republish.views.pixel``) gives the same answer elsewhere (runserver, the test client),
with the same headers and the same counting function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from republish.views import PIXEL_GIF, PIXEL_HEADERS, count_hit

# The same path as republish/urls.py's "pixel" (checked in tests/republish/test_pixel.py).
PIXEL_PATH = re.compile(r"/republish/pixel/(\d{1,18})\.gif")
_HEADERS = [*PIXEL_HEADERS.items(), ("Content-Length", str(len(PIXEL_GIF)))]


class PixelWSGI:
    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        method = environ.get("REQUEST_METHOD")
        if method in ("GET", "HEAD"):
            match = PIXEL_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match:
                count_hit(
                    method,
                    int(match.group(1)),
                    _latin1_to_text(environ.get("HTTP_REFERER", "")),
                    _latin1_to_text(environ.get("HTTP_USER_AGENT", "")),
                )
                start_response("200 OK", list(_HEADERS))
                return [b""] if method == "HEAD" else [PIXEL_GIF]
        return self.application(environ, start_response)


def _latin1_to_text(value: str) -> str:
    # WSGI hands headers over as latin-1 decoded bytes; Django re-decodes them as UTF-8.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return ""
