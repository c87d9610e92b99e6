"""How apps above the library hear that an image's display changed.

The library sits below ``articles`` and may not import it, yet an article's stored body
(``Article.body_html``) draws its inline images: when an image's caption, credit or
renditions change, the articles that show it must redraw. ``articles`` registers one
callback at start-up (``ArticlesConfig.ready``); the library calls ``display_changed`` from
the two places every write passes: ``Image.save`` when the stored display changed, and the
image's ``post_delete`` (``ImagesConfig.ready``), so the admin, the renditions task, scripts
and the shell all redraw. A plain list rather than a signal of our own, so the call sites
are visible and nothing else listens.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[int], None]] = []


def on_display_changed(listener: Callable[[int], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def display_changed(image_id: int) -> None:
    for listener in _listeners:
        listener(image_id)
