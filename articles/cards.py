"""Story cards drawn once per process and content, not once per page.

A card (includes/teaser.html, includes/organization_card.html) is a pure function of what it
shows (the ``Teaser``'s columns: title, dek, date, primary tag, picture, byline...) and of
the page around it (its language, time zone, URL prefix). The same card appears on the home
page, its section, every hub it is on and the related blocks of other stories, request after
request, and drawing it took ~60 µs of template work (its date twice, its picture, a
translated byline): most of a home or hub page's rendering. So its HTML is kept, keyed by
*all* of those inputs: a changed story has a different key, so a kept card can never be
stale; there is nothing to invalidate. The template is rendered with only the card's own
context (``item``, ``LANGUAGE``), so what it depends on is exactly what the key holds.

Settings changes (tests) and a template reloaded in development start afresh. Cards of
model instances (later hub pages, which go through the QuerySet) are drawn every time.

``{% drawn_once name=value ... %}...{% enddrawn_once %}`` does the same for a piece of a
page (the header, the footer, the article's share links...): its body is rendered with
*only* the named values in its context, and kept keyed by those values and the same page
inputs as a card; so a value the body would use without naming it renders empty in every
test, not stale in production.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.base import Template
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

MAX_CARDS = 4096  # ~2 KB each: a bounded few MB per process

_drawn: dict[tuple, SafeString] = {}
_templates: dict[str, Template] = {}  # the Template object the kept cards came from


def card(context: Context, template_name: str, item) -> SafeString:
    """``template_name`` drawn for ``item`` in the page ``context`` (its LANGUAGE)."""
    template = context.template.engine.get_template(template_name)
    page_language = context.get("LANGUAGE")
    card_key = getattr(item, "card_key", None)
    if card_key is None:
        return _draw(template, context, item, page_language)
    if _templates.get(template_name) is not template:
        # First use, or the template was reloaded (development): start afresh (clearing
        # rather than picking out its cards: no iteration while other threads add cards).
        _drawn.clear()
        _templates[template_name] = template
    key = (template_name, card_key(), page_language, *_page_inputs(context))
    return _kept(key, lambda: _draw(template, context, item, page_language))


def _draw(template: Template, context: Context, item, page_language) -> SafeString:
    own = _own_context(context, {"item": item, "LANGUAGE": page_language})
    return mark_safe(template.render(own))


def fragment(context: Context, node, nodelist, values: dict) -> SafeString:
    """``nodelist`` (the body of the ``{% drawn_once %}`` ``node``) rendered with only
    ``values`` in its context, once per process and distinct inputs."""

    def draw() -> SafeString:
        own = _own_context(context, values)
        with own.bind_template(context.template):
            return mark_safe(nodelist.render(own))

    key = (
        node,  # a reloaded template has new nodes: its old pieces are never looked up again
        tuple((name, _frozen(value)) for name, value in values.items()),
        *_page_inputs(context),
    )
    return _kept(key, draw)


def template_piece(
    context: Context, template_name: str, values: dict, *, keep: bool = True
) -> SafeString:
    """``template_name`` rendered with only ``values`` (plain, hashable values), once per
    process and distinct inputs: a small include whose output depends on a few numbers
    and strings (the pagination links), not on the page's objects.

    ``keep=False`` draws it every time: for values a reader chooses freely (a query
    string), which would otherwise fill the store with one-off pieces and push the
    shared ones (cards, headers) out of it.
    """
    template = context.template.engine.get_template(template_name)
    if not keep:
        return _draw_with(template, context, values)
    # The Template object is part of the key: a template reloaded in development is a new
    # object, so its pieces are drawn afresh.
    key = (template, tuple((name, _frozen(value)) for name, value in values.items()))
    return _kept((*key, *_page_inputs(context)), lambda: _draw_with(template, context, values))


def _draw_with(template: Template, context: Context, values: dict) -> SafeString:
    return mark_safe(template.render(_own_context(context, values)))


def _page_inputs(context: Context) -> tuple:
    """What the page around a kept piece may change in it besides its own values."""
    return (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        context.autoescape,
        context.use_l10n,
        context.use_tz,
    )


def _own_context(context: Context, values: dict) -> Context:
    return Context(
        values,
        autoescape=context.autoescape,
        use_l10n=context.use_l10n,
        use_tz=context.use_tz,
    )


def _kept(key: tuple, draw: Callable[[], SafeString]) -> SafeString:
    html = _drawn.get(key)
    if html is None:
        html = draw()
        if len(_drawn) >= MAX_CARDS:
            _drawn.clear()  # cheaper than an LRU; the hot pieces come back at once
        _drawn[key] = html
    return html


def _frozen(value):
    # Plain values as they are; a mapping (LINKS) by its items. Anything else unhashable
    # (a model instance's list...) is a TypeError here, never a key that misses a change.
    if isinstance(value, dict):
        return tuple(value.items())
    return value


def forget() -> None:
    """Drop every kept card."""
    _drawn.clear()
    _templates.clear()


@receiver(setting_changed)
def _setting_changed(**kwargs) -> None:
    # Storage and media URLs, formats, templates: any setting may change how a card looks.
    forget()
