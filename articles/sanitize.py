"""The allowlist for article bodies.

Everything the rich-text editor can produce survives; everything else
(scripts, event handlers, inline styles, ``javascript:`` URLs, iframes) is dropped.
nh3 (Rust's ammonia) does the parsing, so we never hand-roll HTML cleaning.
"""

import nh3

# What the editor's toolbar can produce, plus tables and code for pasted material.
# No <img>, <picture> or <source>: a pasted image would be a tracking pixel or a picture
# nobody cleared. Images come only from the library, as an empty <figure data-image="ID">
# (the editor's "LibraryImage" button), drawn server-side with its renditions, caption and
# credit (images.markup.render_body).
# fmt: off
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "figure",
}
# fmt: on
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "figure": {"data-image"},
}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # A library reference is a number; anything else in data-image is dropped.
    if tag == "figure" and attribute == "data-image":
        return value if value.isdigit() and len(value) < 12 else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_attribute_filter,
)


def clean_body(html: str) -> str:
    """Return ``html`` with only allowlisted tags, attributes and URL schemes."""
    return _cleaner.clean(html or "").strip()
