"""Reader search: ranked full-text search with highlighted snippets, filters and a count.

PostgreSQL: the article's stored ``search_vector`` (title A, dek B, body C, in the article's
language, accent-folded: migration 0007; plus a ``#country:<slug>`` / ``#group:<slug>``
lexeme per tag for the filters: migration 0011) matched by ``websearch_to_tsquery``
(quotes, ``or``, ``-word`` work as on a search engine), ranked by ``ts_rank`` on title and
summary (among the newest 1,000 matches, see ``MAX_RESULTS``) and cut into snippets by
``ts_headline``. A query without a language filter is parsed with both configurations
and OR-ed, so "cartels" finds English stories ("cartel") and Spanish ones ("cártel").
One statement per page: the candidates with their rank, their count, the page cut from
them, and ``ts_headline`` (which re-parses each document, the costliest step per row) on
the shown rows only.

SQLite (``make run``): a documented simpler fallback: every word must occur in the title,
dek or body (case-insensitive for ASCII letters only, no stemming, no accent folding, and
the body's markup is searched with its text, e.g. a link's address);
stories with more words in the title come first, then the newest.

Both return the same ``Hit`` objects through ``SearchResults``, which a ``Paginator`` reads.
On PostgreSQL a search returns the newest ``MAX_RESULTS`` matches, ranked among themselves,
so that a word in most of 100k articles costs milliseconds rather than seconds (the count
then reads "more than 1,000"; figures: benchmarks/search_scale.py, docs/discovery.md).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape, unescape

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import (
    Article,
    Section,
    TaggedCountry,
    TaggedGroup,
    in_page_language,
    url_with_slug,
)

MAX_QUERY_LENGTH = 200
# A search returns at most this many stories, the newest that match, ranked among
# themselves (PostgreSQL; see _postgresql_matches): the page then says "more than 1,000".
MAX_RESULTS = 1000
SNIPPET_WORDS = 35
# Markers around highlighted words, which no article text contains: the snippet is escaped
# as text first, then the markers become <mark> elements.
START, STOP = "\x02", "\x03"
CONFIGS = {"en": "newsroom_en", "es": "newsroom_es"}
_SLUG = re.compile(r"[-\w]+")
HIT_COLUMNS = ("title", "slug", "language", "publish_at", "section__name", "section__name_es")


@dataclass(frozen=True)
class Filters:
    country: str = ""
    group: str = ""
    section: str = ""
    language: str = ""
    year: int | None = None

    def apply(self, articles: QuerySet) -> QuerySet:
        articles = self._tagged(articles)
        if self.section:
            articles = articles.filter(
                Q(section__slug=self.section) | Q(section__parent__slug=self.section)
            )
        if self.language:
            articles = articles.in_language(self.language)
        if self.year:
            tz = timezone.get_current_timezone()
            start = dt.datetime(self.year, 1, 1, tzinfo=tz)
            articles = articles.filter(
                publish_at__gte=start, publish_at__lt=start.replace(year=self.year + 1)
            )
        return articles

    def _tagged(self, articles: QuerySet) -> QuerySet:
        tags = [
            (kind, slug)
            for kind, slug in (("country", self.country), ("group", self.group))
            if slug
        ]
        if connection.vendor == "postgresql":
            # The vector carries a lexeme per country and group tag (migration 0011): the GIN
            # index intersects it with the words' posting lists, and the walk of the newest
            # matches tests it in the row it reads anyway. The EXISTS below probed the tag
            # table for every candidate instead (28-37 ms of a 45-50 ms search at 100k).
            for kind, slug in tags:
                if not _SLUG.fullmatch(slug):  # no tag has it, and it could break the quoting
                    return articles.none()
                articles = articles.filter(
                    _HasLexeme(F("search_vector"), Value(f"'#{kind}:{slug}'"))
                )
            return articles
        # EXISTS, not a join through the tag table: a join repeats an article per tag.
        through = {"country": TaggedCountry, "group": TaggedGroup}
        for kind, slug in tags:
            articles = articles.filter(
                Exists(through[kind].objects.filter(content_object=OuterRef("pk"), tag__slug=slug))
            )
        return articles


class _HasLexeme(Func):
    # ``vector @@ 'lexeme'::tsquery``: the quoted lexeme taken as it is, not parsed as words
    # (a filter slug holds no quote: the form only accepts slugs it listed).
    template = "(%(expressions)s::tsquery)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class Hit:
    """One result as the results page shows it."""

    __slots__ = ("language", "publish_at", "section_name", "slug", "snippet", "title")

    def __init__(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:detail", self.slug)


def marked_snippet(text: str) -> SafeString:
    """Text with START/STOP markers -> escaped HTML with <mark> around the matches.

    The text may carry what editors typed (entities, stray tags): it is reduced to plain
    text, then escaped, so the only elements in a snippet are our own <mark>s.
    """
    plain = " ".join(unescape(strip_tags(text)).split())
    html = escape(plain, quote=False).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)


class SearchResults:
    """A search: ``page()`` for the results page; ``count()`` and slices of ``Hit``s for
    a Paginator (and scripts)."""

    def __init__(self, query: str, filters: Filters) -> None:
        self.query, self.filters = query, filters
        self._count: int | None = None
        self.postgresql = connection.vendor == "postgresql"
        base = filters.apply(Article.objects.published())
        self.matches = (
            self._postgresql_matches(base) if self.postgresql else self._fallback_matches(base)
        )

    # -- PostgreSQL ------------------------------------------------------------------------

    def _tsquery(self):
        from django.contrib.postgres.search import SearchQuery

        languages = [self.filters.language] if self.filters.language else list(CONFIGS)
        parts = [
            SearchQuery(self.query, config=CONFIGS[language], search_type="websearch")
            for language in languages
        ]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined | part
        return combined

    def _postgresql_matches(self, base: QuerySet) -> QuerySet:
        from django.contrib.postgres.search import SearchRank

        self.tsquery = self._tsquery()
        # Ranked among the newest MAX_RESULTS matches, not all of them: a common word
        # ("police") matches most of the archive, and ranking or even counting 75k rows
        # reads every one of their vectors (1-3 s at 100k articles), while the newest
        # thousand are found by walking the publish-time index (benchmarks/search_scale.py).
        # The order within them: how well the title and summary match (ts_rank on the small
        # stored ``search_head``: weights A and B), then the newest. The body decides whether
        # a story matches, not its place. Measured on 1,000 candidates: ts_rank on the head
        # 2 ms, on the whole vector 12-60 ms, ts_rank_cd (cover density) 23 ms even on the
        # head. The rank is computed in the same pass, on the row the match test has read.
        return (
            base.filter(search_vector=self.tsquery)
            .annotate(rank=SearchRank(F("search_head"), self.tsquery))
            .order_by("-publish_at", "-pk")
            .values("pk", "publish_at", "rank")[:MAX_RESULTS]
        )

    def _postgresql_page(self, window: slice) -> list[tuple[Hit, int]]:
        # One statement: the candidates once (a materialised CTE: planned with the real
        # tsquery, so GIN for rare words and the walk of the publish-time index for common
        # ones), counted, the page cut from them by rank, and only that page joined to its
        # section and given snippets. ts_headline re-parses each story, the costliest step
        # per row, so it runs on the shown rows only.
        try:
            candidates, params = self.matches.query.sql_with_params()
        except EmptyResultSet:  # a filter no story can pass: nothing to ask the database
            return []
        headline = (
            "ts_headline({config}::regconfig, a.dek || ' \u2014 ' || "
            "regexp_replace(a.body, '<[^>]*>', ' ', 'g'), "
            "websearch_to_tsquery({config}::regconfig, %s), %s)"
        )
        sql = f"""
            WITH candidates AS MATERIALIZED ({candidates}),
            shown AS (
                SELECT * FROM candidates
                ORDER BY rank DESC, publish_at DESC, pk DESC LIMIT %s OFFSET %s
            )
            SELECT a.title, a.slug, a.language, a.publish_at, s.name, s.name_es,
                CASE WHEN a.language = 'es' THEN {headline.format(config="'newsroom_es'")}
                     ELSE {headline.format(config="'newsroom_en'")} END,
                (SELECT count(*) FROM candidates)
            FROM shown
            JOIN articles_article a ON a.id = shown.pk
            JOIN articles_section s ON s.id = a.section_id
            ORDER BY shown.rank DESC, shown.publish_at DESC, shown.pk DESC
        """
        # Each story is cut with its own language's parse of the words only: the query of
        # both languages costs ts_headline ~1.7x as much per row (7.0 vs 4.3 ms for a page
        # of 12 phrase hits), for marks the other parse would rarely add.
        options = (
            f"StartSel='{START}', StopSel='{STOP}', MaxWords={SNIPPET_WORDS}, MinWords=15, "
            "MaxFragments=2, FragmentDelimiter=' … '"
        )
        offset = window.start or 0
        limit = MAX_RESULTS if window.stop is None else max(0, window.stop - offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, limit, offset, self.query, options, self.query, options))
            rows = cursor.fetchall()
        return [(self._hit(row[:-1]), row[-1]) for row in rows]

    # -- SQLite fallback -------------------------------------------------------------------

    def _words(self) -> list[str]:
        return [word for word in re.findall(r"\w+", self.query) if len(word) > 1][:8]

    def _fallback_matches(self, base: QuerySet) -> QuerySet:
        words = self._words()
        if not words:  # only one-letter words ("a", "y"): no match, but the page still sorts
            return base.none().annotate(rank=Value(0, output_field=IntegerField()))
        for word in words:
            base = base.filter(
                Q(title__icontains=word) | Q(dek__icontains=word) | Q(body__icontains=word)
            )
        in_title = [
            Case(When(title__icontains=word, then=1), default=0, output_field=IntegerField())
            for word in words
        ]
        return base.annotate(rank=sum(in_title[1:], in_title[0]))

    def _fallback_page(self, window: slice) -> list[tuple[Hit, int]]:
        rows = (
            self.matches.order_by("-rank", "-publish_at", "-pk")
            .annotate(
                text=Concat("dek", Value(" \u2014 "), "body", output_field=TextField()),
                total=Window(Count("*")),
            )
            .values_list(*HIT_COLUMNS, "text", "total")
        )[window]
        return [(self._hit((*row[:6], self._fallback_snippet(row[6]))), row[7]) for row in rows]

    def _fallback_snippet(self, html: str) -> str:
        # Entities stay as they are: marked_snippet() decodes them after its own strip_tags.
        text = " ".join(strip_tags(html).split())
        words = self._words()
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        first = pattern.search(text)
        start = max(0, first.start() - 80) if first else 0
        cut = text[start : start + 240]
        marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", cut)
        return ("… " if start else "") + marked + (" …" if start + 240 < len(text) else "")

    # -- what the page and the Paginator call ----------------------------------------------

    def _rows(self, window: slice) -> list[tuple[Hit, int]]:
        if self.postgresql:
            return self._postgresql_page(window)
        return self._fallback_page(window)

    def page(self, number: int, per_page: int) -> Page:
        """A page of hits and the total, in one query (COUNT(*) OVER () beside the rows):
        the candidates are found once, not once for the count and again for the page."""
        number = max(1, number)
        rows = self._rows(slice((number - 1) * per_page, number * per_page))
        if rows:
            self._count = rows[0][1]
        elif number > 1:  # past the end (an edited URL): the last page, as get_page() does
            paginator = Paginator(self, per_page)
            return paginator.page(paginator.num_pages)
        paginator = Paginator(self, per_page)
        return Page([hit for hit, _total in rows], number, paginator)

    def count(self) -> int:
        if self._count is None:
            # PostgreSQL's candidates are a LIMITed slice, counted as they are.
            matches = self.matches if self.postgresql else self.matches.order_by()
            self._count = matches.count()
        return self._count

    @property
    def capped(self) -> bool:
        """True when there are more matches than a search returns."""
        return self.postgresql and self.count() >= MAX_RESULTS

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Hit]:
        return [hit for hit, _total in self._rows(window)]

    @staticmethod
    def _hit(row: tuple) -> Hit:
        title, slug, language, publish_at, section_name, section_name_es, snippet = row
        return Hit(
            title=title,
            slug=slug,
            language=language,
            publish_at=publish_at,
            section_name=in_page_language(section_name, section_name_es),
            snippet=marked_snippet(snippet or ""),
        )


def search(query: str, filters: Filters | None = None) -> SearchResults:
    """The public articles matching ``query`` (never a draft or a scheduled story)."""
    return SearchResults(query.strip()[:MAX_QUERY_LENGTH], filters or Filters())


def facet_choices() -> dict[str, list[tuple[str, str]]]:
    """Countries, groups and sections for the filter form (names in the page's language),
    in one query."""
    from articles.models import Country, CriminalGroup

    def part(queryset: QuerySet, kind: str) -> QuerySet:
        return (
            queryset.order_by()
            .annotate(kind=Value(kind))
            .values_list("kind", "slug", "name", "name_es")
        )

    rows = part(Country.objects.all(), "country").union(
        part(CriminalGroup.objects.all(), "group"),
        part(Section.objects.all(), "section"),
        all=True,
    )
    choices: dict[str, list[tuple[str, str]]] = {"country": [], "group": [], "section": []}
    for kind, slug, name, name_es in rows:
        choices[kind].append((slug, in_page_language(name, name_es)))
    for values in choices.values():
        values.sort(key=lambda pair: pair[1].casefold())
    return choices
