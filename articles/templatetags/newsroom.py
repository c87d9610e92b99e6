from urllib.parse import quote, urlencode

from django import template
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext

from articles.models import Article

register = template.Library()


@register.filter
def credit_list(authors, site_name: str) -> str:
    """ "Ana Lopez, Ben Ortiz and Newsroom" in the page's language (the licence footer)."""
    names = [author.name for author in authors]
    return get_text_list([*names, site_name], pgettext("end of a list", "and"))


@register.filter
def name_list(authors) -> str:
    """ "Ana Lopez, Ben Ortiz and Carla Ruiz" in the page's language (bylines)."""
    return get_text_list([author.name for author in authors], pgettext("end of a list", "and"))


@register.simple_tag
def share_links(article: Article) -> list[dict[str, str]]:
    """Plain share links: no third-party scripts, no tracking pixels."""
    url = article.get_canonical_url()
    title = article.title
    return [
        {
            "label": "X",
            "url": "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        },
        {
            "label": "Facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "label": "LinkedIn",
            "url": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {"label": "WhatsApp", "url": "https://wa.me/?" + urlencode({"text": f"{title} {url}"})},
        {
            "label": gettext("Email"),
            "url": f"mailto:?subject={quote(title)}&body={quote(url)}",
        },
    ]


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page):
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    return {"page": page, "query_string": params.urlencode()}
