"""The allowlist for article bodies.

Everything the rich-text editor can produce survives; everything else
(scripts, event handlers, inline styles, ``javascript:`` URLs, iframes) is dropped.
nh3 (Rust's ammonia) does the parsing, so we never hand-roll HTML cleaning.
"""

import nh3

# What the editor's toolbar can produce, plus tables and code for pasted material.
# No <img>: the editor cannot insert images, and a pasted one would be a tracking pixel.
# fmt: off
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}
# fmt: on
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_body(html: str) -> str:
    """Return ``html`` with only allowlisted tags, attributes and URL schemes."""
    return _cleaner.clean(html or "").strip()
