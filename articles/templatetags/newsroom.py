import json
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.core.serializers.json import DjangoJSONEncoder
from django.template.base import Node, NodeList
from django.template.defaulttags import token_kwargs
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_text_list
from django.utils.translation import get_language, gettext, pgettext

from articles import cards, seo
from articles.models import Article, url_with_slug

register = template.Library()


@register.filter
def credit_list(authors, site_name: str) -> str:
    """ "Ana Lopez, Ben Ortiz and Newsroom" in the page's language (the licence footer)."""
    names = [author.name for author in authors]
    return get_text_list([*names, site_name], pgettext("end of a list", "and"))


@register.filter
def names(tags) -> tuple[str, ...]:
    """The tags' names, a value ``{% drawn_once %}`` can key by."""
    return tuple(tag.name for tag in tags)


@register.filter
def name_list(authors) -> str:
    """ "Ana Lopez, Ben Ortiz and Carla Ruiz" in the page's language (bylines)."""
    return get_text_list([author.name for author in authors], pgettext("end of a list", "and"))


@register.simple_tag
def share_links(title: str, url: str) -> list[dict[str, str]]:
    """Plain share links to a story (its title, its canonical URL): no third-party
    scripts, no tracking pixels."""
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


class DrawnOnceNode(Node):
    def __init__(self, nodelist: NodeList, values: dict) -> None:
        self.nodelist = nodelist
        self.values = values

    def render(self, context) -> SafeString:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        return cards.fragment(context, self, self.nodelist, values)


@register.tag
def drawn_once(parser, token) -> DrawnOnceNode:
    """``{% drawn_once a=x b=y %}...{% enddrawn_once %}``: the body sees only ``a`` and
    ``b`` and is drawn once per process and distinct values (articles/cards.py)."""
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError(f"drawn_once takes only name=value pairs: {bits}")
    nodelist = parser.parse(("enddrawn_once",))
    parser.delete_first_token()
    return DrawnOnceNode(nodelist, values)


@register.simple_tag
def slug_url(viewname: str, slug: str) -> str:
    """``{% url viewname slug %}`` for a pattern with one ``<slug>`` segment, without a
    ``reverse()`` per render (the article page links four of them)."""
    return url_with_slug(viewname, slug)


@register.simple_tag(takes_context=True)
def card(context, template_name: str, item) -> SafeString:
    """``{% card "includes/teaser.html" item %}``: a story card, drawn once per content
    (articles/cards.py) instead of an ``{% include %}`` per card per page."""
    return cards.card(context, template_name, item)


@register.simple_tag(takes_context=True)
def pagination(context, page: Page) -> SafeString:
    """Newer/older links and "Page N of M", keeping the other query parameters: drawn once
    per page number, page count and query string (articles/cards.py), as it shows nothing
    else."""
    count = page.paginator.num_pages
    if count <= 1:
        return mark_safe("")
    params = context["request"].GET.copy()
    params.pop("page", None)
    number = page.number
    values = {
        "number": number,
        "count": count,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < count else None,
        "query_string": params.urlencode(),
    }
    # Kept only without other query parameters (?page=N alone, nearly all hub traffic):
    # the rest of a query string is the reader's to choose, so not worth keeping.
    keep = not values["query_string"]
    return cards.template_piece(context, "includes/pagination.html", values, keep=keep)


# What json_script escapes: inside <script>, "</script>" or "<!--" in a headline would end
# or bend the element; as \u003C they are the same JSON string and no HTML at all.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    # Safe: the JSON holds no "<", ">" or "&" any more (escaped just above).
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def article_image(article: Article) -> seo.ImageInfo | None:
    return seo.article_image(article)


@register.simple_tag
def article_json_ld(article: Article) -> SafeString:
    return json_ld(seo.news_article(article))


@register.simple_tag
def home_json_ld() -> SafeString:
    return json_ld(seo.home_graph(search_url=reverse("articles:search"), language=_language()))


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


@register.simple_tag
def og_locale() -> str:
    return seo.OG_LOCALES.get(_language(), "en_US")


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's one address: the path on SITE_URL, with ?page=N past the first page and
    no other query (tracking parameters, filters and sort orders are not other pages)."""
    url = settings.SITE_URL + context["request"].path
    page = context.get("page")
    if isinstance(page, Page) and page.number > 1:
        url += f"?page={page.number}"
    return url
