from django import template
from django.conf import settings
from django.core.files.storage import default_storage

from images.markup import crop_files
from images.markup import picture as _picture

register = template.Library()


@register.simple_tag
def picture(image, crop: str = "full", lead: bool = False, sizes: str = "", caption: bool = True):
    """``{% picture item.image "card" %}``: the image's ``<figure>`` (images/markup.py)."""
    return _picture(image, crop, lead=lead, sizes=sizes or None, caption=caption)


@register.filter
def og_image(image) -> dict | None:
    """The rendition social cards use (the largest 'full' JPEG), with its size and alt."""
    data = image if isinstance(image, dict) else getattr(image, "display", None)
    files = crop_files(data, "full")
    if not files:
        return None
    best = files[-1]
    url = default_storage.url(best["jpeg"])
    if url.startswith("/"):  # local media: social networks need an absolute URL
        url = settings.SITE_URL + url
    return {"url": url, "w": best["w"], "h": best["h"], "alt": data.get("alt", "")}
