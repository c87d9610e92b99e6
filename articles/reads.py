"""The hot public pages' reads: few queries, compiled once per process, light objects.

The article page is two queries (its row; then bylines, tags, the blocks other apps add
below the story (related content, through ``register_story_block``) and the organization
block in one UNION ALL) and the home page two (the latest stories; then the
lead's byline and the organization block). Each is a ``CompiledQuery`` built from the
ordinary read rules (``Article.objects.published()``, ``newest_first()``), so what readers
may see is still written once, in ``ArticleQuerySet``. Cards are ``Teaser`` objects, not
model instances: a card shows eight fields, and building an ``Article`` for each cost more
than the query. docs/performance.md ("Render speed") has the figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import router
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from articles.models import (
    Article,
    Author,
    Byline,
    Correction,
    Country,
    CriminalGroup,
    Labels,
    Section,
    TaggedCountry,
    TaggedGroup,
    TaggedTopic,
    Topic,
    in_page_language,
    url_with_slug,
)
from images.models import Image
from newsroom import pagecache
from newsroom.compiled import CompiledQuery

ORGANIZATION_SECTION = "the-organization"
ORGANIZATION_COUNT = 5
HOME_LATEST = 40
HOME_PER_SECTION = 4


class TagLink:
    """A primary tag as a card shows it: its name (in the page's language) and its hub."""

    __slots__ = ("_view", "name", "name_es", "slug")

    def __init__(self, name: str, slug: str, view: str, name_es: str = "") -> None:
        self.name, self.slug, self._view, self.name_es = name, slug, view, name_es or ""

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        return in_page_language(self.name, self.name_es)

    def get_absolute_url(self) -> str:
        return url_with_slug(self._view, self.slug)


class Teaser:
    """What a card shows of an article (includes/teaser.html, includes/organization.html)."""

    __slots__ = (
        "body",
        "byline_names",
        "dek",
        "image_json",
        "language",
        "ordered_authors",
        "pk",
        "primary_tag",
        "publish_at",
        "related_pinned",
        "related_reason",
        "section",
        "slug",
        "title",
    )

    # The same text and link as the article itself.
    excerpt = Article.excerpt
    get_absolute_url = Article.get_absolute_url

    @property
    def id(self) -> int:
        return self.pk

    def card_key(self) -> tuple:
        """Everything a card could draw of this story, as values (articles/cards.py)."""
        tag = getattr(self, "primary_tag", None)
        authors = getattr(self, "ordered_authors", None)
        return (
            tuple([getattr(self, name, None) for name in _CARD_VALUES]),
            (tag.name, tag.name_es, tag.slug, tag._view) if tag is not None else None,
            tuple([(a.pk, a.name, a.slug) for a in authors]) if authors else None,
        )

    @property
    def image(self) -> dict | None:
        """The featured image's ``Image.display``, decoded only for the cards a page draws
        (the home page reads 40 rows and shows about 20)."""
        return json.loads(self.image_json) if self.image_json else None

    def __str__(self) -> str:
        return self.title


# The plain values among a Teaser's slots (the tag and the authors are objects: by value).
_CARD_VALUES = tuple(
    name for name in Teaser.__slots__ if name not in {"primary_tag", "ordered_authors"}
)


def _tag(country: tuple, group: tuple) -> TagLink | None:
    """The card's label from (name, slug, Spanish name) of its country and group."""
    if country[0] is not None:
        return TagLink(country[0], country[1], "articles:country", country[2])
    if group[0] is not None:
        return TagLink(group[0], group[1], "articles:group", group[2])
    return None


# --- one UNION ALL for the blocks around a story ---------------------------------------------
#
# Every part has the same columns, all annotations (so their order is the order written
# here): block, rank, tiebreak, id, title, slug, dek, body, language, publish_at, the
# primary country's and group's name and slug, the featured image's display data, the
# related reason and pin, then the Spanish names (a tag label's, the primary country's and
# group's). Labels fill title/slug with the author's or tag's name/slug and leave the rest
# empty.

BYLINES, COUNTRIES, GROUPS, TOPICS, ORGANIZATION, CORRECTIONS = range(6)
COLUMNS = (
    "c_block",
    "c_rank",
    "c_tiebreak",
    "c_id",
    "c_title",
    "c_slug",
    "c_dek",
    "c_body",
    "c_language",
    "c_publish_at",
    "c_pc_name",
    "c_pc_slug",
    "c_pg_name",
    "c_pg_slug",
    "c_image",
    "c_reason",
    "c_pinned",
    "c_title_es",
    "c_pc_name_es",
    "c_pg_name_es",
    "c_byline",
)


def _text(value: str = "") -> Value:
    return Value(value, output_field=TextField())


def _label_part(
    queryset: QuerySet,
    block: int,
    prefix: str,
    rank: str | None,
    tiebreak: str,
    *,
    spanish: bool = True,
):
    return (
        queryset.order_by()
        .annotate(
            c_block=Value(block, output_field=IntegerField()),
            c_rank=F(rank) if rank else Value(0, output_field=IntegerField()),
            c_tiebreak=F(tiebreak),
            c_id=F(f"{prefix}id"),
            c_title=Cast(f"{prefix}name", TextField()),
            c_slug=Cast(f"{prefix}slug", TextField()),
            c_dek=_text(),
            c_body=_text(),
            c_language=_text(),
            # A typed NULL: PostgreSQL resolves the UNION's column types pair by pair.
            c_publish_at=Cast(Value(None), DateTimeField()),
            c_pc_name=_text(),
            c_pc_slug=_text(),
            c_pg_name=_text(),
            c_pg_slug=_text(),
            c_image=_text(),
            c_reason=_text(),
            c_pinned=Value(False, output_field=BooleanField()),
            # Vocabulary has a Spanish name; authors do not.
            c_title_es=Cast(f"{prefix}name_es", TextField()) if spanish else _text(),
            c_pc_name_es=_text(),
            c_pg_name_es=_text(),
            c_byline=_text(),
        )
        .values_list(*COLUMNS)
    )


def _body_if_no_dek(prefix: str = ""):
    # A card's excerpt comes from the dek, or from the body when there is no dek
    # (Article.excerpt): the body, the biggest column by far, only travels when it is used.
    return Case(
        When(**{f"{prefix}dek": ""}, then=Cast(f"{prefix}body", TextField())),
        default=_text(),
    )


def _image_json() -> Cast:
    # The featured image's display data as text, decoded by Teaser.image when drawn.
    return Cast("featured_image__display", TextField())


def _teaser_annotations() -> dict:
    """The computed columns of a card read from the article itself (home, hub first pages)."""
    return {
        "excerpt_body": _body_if_no_dek(),
        "image_json": _image_json(),
    }


def card_part(
    queryset: QuerySet,
    block: int,
    *,
    prefix: str = "",
    rank: str | None = None,
    reason: str | None = None,
    pinned: str | None = None,
):
    """Card columns of the articles in ``queryset`` (``prefix`` leads to the article).

    ``rank``, ``reason`` and ``pinned`` name fields of the queryset's own model that order the
    cards and explain them (a stored related list's line); without them cards go newest first.
    """
    return (
        queryset.order_by()
        .annotate(
            c_block=Value(block, output_field=IntegerField()),
            c_rank=F(rank) if rank else Value(0, output_field=IntegerField()),
            c_tiebreak=Value(0, output_field=IntegerField()),
            c_id=F(f"{prefix}id"),
            c_title=Cast(f"{prefix}title", TextField()),
            c_slug=Cast(f"{prefix}slug", TextField()),
            c_dek=Cast(f"{prefix}dek", TextField()),
            c_body=_body_if_no_dek(prefix),
            c_language=Cast(f"{prefix}language", TextField()),
            c_publish_at=F(f"{prefix}publish_at"),
            c_pc_name=Cast(f"{prefix}primary_country__name", TextField()),
            c_pc_slug=Cast(f"{prefix}primary_country__slug", TextField()),
            c_pg_name=Cast(f"{prefix}primary_group__name", TextField()),
            c_pg_slug=Cast(f"{prefix}primary_group__slug", TextField()),
            # The card's picture in the same join: Image.display (alt, credit, renditions).
            # As text: decoded by Teaser.image only if the card is drawn.
            c_image=Cast(f"{prefix}featured_image__display", TextField()),
            c_reason=Cast(reason, TextField()) if reason else _text(),
            c_pinned=F(pinned) if pinned else Value(False, output_field=BooleanField()),
            c_title_es=_text(),
            c_pc_name_es=Cast(f"{prefix}primary_country__name_es", TextField()),
            c_pg_name_es=Cast(f"{prefix}primary_group__name_es", TextField()),
            # Kept by the database with the bylines (migration 0013): no subquery per card.
            c_byline=F(f"{prefix}byline_names"),
        )
        .values_list(*COLUMNS)
    )


def _organization_part(now, language: str | None):
    # The section id in a subquery rather than a join on the slug, so PostgreSQL walks the
    # (section, status, publish_at) index (~180 ms -> ~0.1 ms at 100k articles).
    section_id = Section.objects.filter(slug=ORGANIZATION_SECTION).values("pk")[:1]
    newest = Article.objects.published(at=now).filter(section_id=Subquery(section_id))
    if language is not None:
        newest = newest.in_language(language)
    ids = newest.newest_first().values("pk")[:ORGANIZATION_COUNT]
    return card_part(Article.objects.filter(pk__in=Subquery(ids)), ORGANIZATION)


@dataclass(frozen=True)
class StoryBlock:
    """A block of cards below a story that an app above ``articles`` adds to the page.

    ``part(now, pk, block)`` returns ``card_part(...)`` of the cards to show under article
    ``pk`` at ``now`` (only published articles: filter with ``Article.objects.published``),
    tagged with ``block``; it joins the page's one UNION ALL, so the block costs no query.
    The template is included with the cards as ``items``.
    """

    name: str
    part: Callable[[dt.datetime, int, int], QuerySet]
    template: str


_STORY_BLOCKS: dict[str, StoryBlock] = {}
_FIRST_STORY_BLOCK = 100  # block numbers above the ones this module uses


def register_story_block(block: StoryBlock) -> None:
    """Add ``block`` below every story (call from ``AppConfig.ready``, before any request)."""
    _STORY_BLOCKS[block.name] = block


def _story_block_parts(now, pk) -> list[QuerySet]:
    return [
        block.part(now, pk, _FIRST_STORY_BLOCK + number)
        for number, block in enumerate(_STORY_BLOCKS.values())
    ]


def _corrections_part(pk):
    # Corrections and updates ride in the same UNION ALL (no third query): kind in the
    # title column, text in the dek column, date in publish_at; newest first.
    return (
        Correction.objects.filter(article_id=pk)
        .order_by()
        .annotate(
            c_block=Value(CORRECTIONS, output_field=IntegerField()),
            c_rank=Value(0, output_field=IntegerField()),
            c_tiebreak=Value(0, output_field=IntegerField()),
            c_id=F("id"),
            c_title=Cast("kind", TextField()),
            c_slug=_text(),
            c_dek=Cast("text", TextField()),
            c_body=_text(),
            c_language=_text(),
            c_publish_at=F("noted_at"),
            c_pc_name=_text(),
            c_pc_slug=_text(),
            c_pg_name=_text(),
            c_pg_slug=_text(),
            c_image=_text(),
            c_reason=_text(),
            c_pinned=Value(False, output_field=BooleanField()),
            c_title_es=_text(),
            c_pc_name_es=_text(),
            c_pg_name_es=_text(),
            c_byline=_text(),
        )
        .values_list(*COLUMNS)
    )


def _union(first: QuerySet, *rest: QuerySet) -> QuerySet:
    return first.union(*rest, all=True).order_by(
        "c_block", "c_rank", "c_tiebreak", F("c_publish_at").desc(), F("c_id").desc()
    )


def _byline_part(pk):
    return _label_part(
        Byline.objects.filter(article_id=pk), BYLINES, "author__", "position", "id", spanish=False
    )


def _label_parts(pk):
    return (
        _byline_part(pk),
        _label_part(
            TaggedCountry.objects.filter(content_object_id=pk), COUNTRIES, "tag__", None, "tag_id"
        ),
        _label_part(
            TaggedGroup.objects.filter(content_object_id=pk), GROUPS, "tag__", None, "tag_id"
        ),
        _label_part(
            TaggedTopic.objects.filter(content_object_id=pk), TOPICS, "tag__", None, "tag_id"
        ),
    )


_ARTICLE_BLOCKS = CompiledQuery(
    Article,
    lambda now, pk, language: _union(
        *_label_parts(pk),
        *_story_block_parts(now, pk),
        _organization_part(now, language),
        _corrections_part(pk),
    ),
    now=dt.datetime,
    pk=int,
    language=str,
)
_LABELS = CompiledQuery(Article, lambda pk: _union(*_label_parts(pk)), pk=int)

_LABEL_MODELS = {BYLINES: Author, COUNTRIES: Country, GROUPS: CriminalGroup, TOPICS: Topic}


class Blocks:
    def __init__(self) -> None:
        self.labels = Labels([], [], [], [])
        # name -> cards, for the blocks other apps registered (``register_story_block``)
        self.extra: dict[str, list[Teaser]] = {name: [] for name in _STORY_BLOCKS}
        self.organization: list[Teaser] = []
        self.corrections: list[Correction] = []

    @property
    def below_story(self) -> list[tuple[str, list[Teaser]]]:
        """(template, cards) of the registered blocks, in registration order."""
        return [(block.template, self.extra[name]) for name, block in _STORY_BLOCKS.items()]


def _blocks(rows: list[tuple]) -> Blocks:
    blocks = Blocks()
    lists: dict[int, list] = {
        BYLINES: blocks.labels.authors,
        COUNTRIES: blocks.labels.countries,
        GROUPS: blocks.labels.groups,
        TOPICS: blocks.labels.topics,
        ORGANIZATION: blocks.organization,
    }
    for number, name in enumerate(_STORY_BLOCKS):
        lists[_FIRST_STORY_BLOCK + number] = blocks.extra[name]
    for row in rows:
        block = row[0]
        if block == CORRECTIONS:
            blocks.corrections.append(
                Correction(id=row[3], kind=row[4], text=row[6], noted_at=row[9])
            )
            continue
        if block == BYLINES:
            # Only what the page shows (name and link); they are never saved.
            lists[block].append(Author(id=row[3], name=row[4], slug=row[5]))
            continue
        if block in _LABEL_MODELS:
            label = _LABEL_MODELS[block](id=row[3], name=row[4], slug=row[5], name_es=row[17])
            lists[block].append(label)
            continue
        # The block's columns: three label columns, the teaser's, the picture, reason and pin,
        # then the primary tag's Spanish names.
        card = _teaser((*row[3:14], row[18], row[19], row[14], row[20]))
        card.related_reason, pinned = row[15], row[16]
        card.related_pinned = bool(pinned)
        lists[block].append(card)
    return blocks


def article_blocks(article: Article, *, now: dt.datetime) -> Blocks:
    """Bylines, tags, registered blocks, the organization block and the corrections and
    updates of a story: one query."""
    return _blocks(_ARTICLE_BLOCKS(now=now, pk=article.pk, language=article.language))


def article_labels(pk: int) -> Labels:
    """Bylines and tags of one article: one query (``Article.load_labels``)."""
    return _blocks(_LABELS(pk=pk)).labels


# --- the article's own row -------------------------------------------------------------------

_ROW_FIELDS = (
    "id",
    "title",
    "slug",
    "dek",
    "body",
    "body_html",
    "section_id",
    "language",
    "translation_id",
    "featured_image_id",
    "status",
    "publish_at",
    "updated_at",  # the structured data's dateModified
    "licence",
    "primary_country_id",
    "primary_group_id",
    "modified_at",  # dateModified in structured data (Article.date_modified)
)
_ROW_RELATED = (
    "section__name",
    "section__slug",
    "section__position",
    "section__parent_id",
    "section__parent__name",
    "section__parent__slug",
    "section__parent__position",
    "section__parent__parent_id",
    "primary_country__name",
    "primary_country__slug",
    "primary_group__name",
    "primary_group__slug",
    "featured_image__display",
    *(f"translation__{name}" for name in ("slug", "language", "status", "publish_at")),
    *(f"translated_from__{name}" for name in ("id", "slug", "language", "status", "publish_at")),
    # The vocabulary's Spanish names, last.
    "section__name_es",
    "section__parent__name_es",
    "primary_country__name_es",
    "primary_group__name_es",
)
_ARTICLE_ROW = CompiledQuery(
    Article,
    lambda now, slug: (
        Article.objects.published(at=now)
        .filter(slug=slug)
        .order_by()
        .values_list(*_ROW_FIELDS, *_ROW_RELATED)[:1]
    ),
    now=dt.datetime,
    slug=str,
)


def _cache(instance, name: str, value) -> None:
    instance._meta.get_field(name).set_cached_value(instance, value)


def _other_version(values: tuple, pk: int | None) -> Article | None:
    if pk is None:
        return None
    slug, language, status, publish_at = values
    return Article(id=pk, slug=slug, language=language, status=status, publish_at=publish_at)


def published_article(slug: str, *, now: dt.datetime) -> Article | None:
    """The article page's row, section (with its parent), primary tag and translation link.

    An ``Article`` with the page's fields loaded (others are deferred) and its relations
    cached, as ``Article.objects.published().for_page()`` gives it, in a compiled query.
    """
    rows = _ARTICLE_ROW(now=now, slug=slug)
    if not rows:
        return None
    row = rows[0]
    n = len(_ROW_FIELDS)
    # _ROW_FIELDS are in the model's field order, as from_db() needs for a partial row.
    article = Article.from_db(router.db_for_read(Article), _ROW_FIELDS, row[:n])
    (
        section_name,
        section_slug,
        section_position,
        parent_id,
        parent_name,
        parent_slug,
        parent_position,
        grandparent_id,
        pc_name,
        pc_slug,
        pg_name,
        pg_slug,
        image_display,
        *versions,
    ) = row[n:-4]
    section_name_es, parent_name_es, pc_name_es, pg_name_es = row[-4:]
    parent = None
    if parent_id is not None:
        parent = Section(
            id=parent_id,
            name=parent_name,
            name_es=parent_name_es,
            slug=parent_slug,
            position=parent_position,
        )
        parent.parent_id = grandparent_id
        if grandparent_id is None:
            _cache(parent, "parent", None)  # lineage() stops here without a query
    section = Section(
        id=article.section_id,
        name=section_name,
        name_es=section_name_es,
        slug=section_slug,
        position=section_position,
    )
    section.parent_id = parent_id
    _cache(section, "parent", parent)
    _cache(article, "section", section)
    _cache(
        article,
        "primary_country",
        Country(id=article.primary_country_id, name=pc_name, name_es=pc_name_es, slug=pc_slug)
        if article.primary_country_id
        else None,
    )
    _cache(
        article,
        "primary_group",
        CriminalGroup(id=article.primary_group_id, name=pg_name, name_es=pg_name_es, slug=pg_slug)
        if article.primary_group_id
        else None,
    )
    _cache(
        article,
        "featured_image",
        # Only what pages read (alt, caption, credit, renditions: Image.display).
        Image(id=article.featured_image_id, display=image_display or {})
        if article.featured_image_id
        else None,
    )
    _cache(article, "translation", _other_version(tuple(versions[:4]), article.translation_id))
    _cache(article, "translated_from", _other_version(tuple(versions[5:]), versions[4]))
    return article


# --- the home page ----------------------------------------------------------------------------

_LATEST_COLUMNS = (
    "id",
    "title",
    "slug",
    "dek",
    "excerpt_body",
    "language",
    "publish_at",
    "primary_country__name",
    "primary_country__slug",
    "primary_group__name",
    "primary_group__slug",
    "primary_country__name_es",
    "primary_group__name_es",
    "image_json",
    "section_id",
    "section__name",
    "section__slug",
    "section__position",
    "section__parent_id",
    "section__parent__name",
    "section__parent__slug",
    "section__parent__position",
    "section__name_es",
    "section__parent__name_es",
    "byline_names",
)
HOME_LATEST_BLOCK, HOME_ORGANIZATION_BLOCK = 0, 1


def _home_part(block: int, ids: QuerySet) -> QuerySet:
    # The same columns for the latest stories and the organization block (whose section
    # columns are simply not used), so the two are one UNION ALL: one round trip.
    return (
        Article.objects.filter(pk__in=Subquery(ids))
        .order_by()
        .annotate(home_block=Value(block, output_field=IntegerField()), **_teaser_annotations())
        .values_list("home_block", *_LATEST_COLUMNS)
    )


def _home_query(now) -> QuerySet:
    newest = (
        Article.objects.published(at=now)
        .exclude(section__slug=ORGANIZATION_SECTION)
        .newest_first()
        .values("pk")[:HOME_LATEST]
    )
    # Of those, only the rows the page can show: the newest HOME_PER_SECTION + 1 of each
    # top-level section (the lead is one of them), ranked on narrow rows, so the card
    # columns (picture data, byline, excerpt) are read and sent for ~20 rows, not 40.
    latest = (
        Article.objects.filter(pk__in=Subquery(newest))
        .annotate(
            home_rank=Window(
                RowNumber(),
                partition_by=[Coalesce("section__parent_id", "section_id")],
                order_by=[F("publish_at").desc(), F("pk").desc()],
            )
        )
        .filter(home_rank__lte=HOME_PER_SECTION + 1)
        .values("pk")
    )
    # The section id in a subquery rather than a join on the slug (_organization_part).
    section_id = Section.objects.filter(slug=ORGANIZATION_SECTION).values("pk")[:1]
    organization = (
        Article.objects.published(at=now)
        .filter(section_id=Subquery(section_id))
        .newest_first()
        .values("pk")[:ORGANIZATION_COUNT]
    )
    return (
        _home_part(HOME_LATEST_BLOCK, latest)
        .union(_home_part(HOME_ORGANIZATION_BLOCK, organization), all=True)
        .order_by("home_block", F("publish_at").desc(), F("id").desc())
    )


_HOME = CompiledQuery(Article, _home_query, now=dt.datetime)


class Home:
    def __init__(self) -> None:
        self.lead: Teaser | None = None
        self.by_section: list[tuple[Section, list[Teaser]]] = []
        self.organization: list[Teaser] = []


def home(*, now: dt.datetime) -> Home:
    """The lead story with its byline, four stories per top-level section, the organization
    block: one query, however many sections there are (grouped here, in Python, from the
    rows the query ranked as showable)."""
    page = Home()
    sections: dict[int, Section] = {}
    buckets: dict[int, list[Teaser]] = {}
    rows = _HOME(now=now)
    latest = [row[1:] for row in rows if row[0] == HOME_LATEST_BLOCK]
    page.organization = [
        _teaser((*row[1:15], row[-1])) for row in rows if row[0] == HOME_ORGANIZATION_BLOCK
    ]
    for index, row in enumerate(latest):
        (
            pk,
            title,
            slug,
            dek,
            body,
            language,
            publish_at,
            pc_name,
            pc_slug,
            pg_name,
            pg_slug,
            pc_name_es,
            pg_name_es,
            image,
            *section_columns,
            byline,
        ) = row
        own, parent, (own_es, parent_es) = (
            section_columns[:4],
            section_columns[4:8],
            section_columns[8:],
        )
        # The story's top-level section: its parent, or itself.
        root_id, name, slug_, position = parent if parent[0] is not None else own
        name_es = parent_es if parent[0] is not None else own_es
        bucket = buckets.setdefault(root_id, [])
        if index and len(bucket) >= HOME_PER_SECTION:
            continue
        card = Teaser()
        card.pk, card.title, card.slug, card.dek, card.body = pk, title, slug, dek, body
        card.language, card.publish_at, card.image_json = language, publish_at, image
        card.byline_names = byline
        card.primary_tag = _tag((pc_name, pc_slug, pc_name_es), (pg_name, pg_slug, pg_name_es))
        if index == 0:
            page.lead = card
            continue
        if root_id not in sections:
            sections[root_id] = Section(
                id=root_id, name=name, name_es=name_es, slug=slug_, position=position
            )
        bucket.append(card)
    page.by_section = sorted(
        ((sections[root_id], buckets[root_id]) for root_id in sections),
        key=lambda pair: (pair[0].position, pair[0].name),
    )
    return page


# --- hubs: a section, country, group, topic or author and a page of its stories ---------------

_TEASER_COLUMNS = (*_LATEST_COLUMNS[:14], "byline_names")


def _count_of(articles: QuerySet) -> Subquery:
    # COUNT without GROUP BY: a Func is not an aggregate to the ORM, so the subquery stays
    # one row (the paginator's "Page 1 of N" beside the hub's own row, one query).
    return Subquery(
        # COUNT(*), not of a column: an index without that column can answer alone.
        articles.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n"),
        output_field=IntegerField(),
    )


def _hub_articles(kind: str, now, pk) -> QuerySet:
    published = Article.objects.published(at=now)
    if kind == "section":
        return published.in_section(pk)
    if kind == "country":
        return published.tagged_with_country(pk)
    if kind == "group":
        return published.tagged_with_group(pk)
    if kind == "topic":
        return published.filter(topics=pk)
    return published.filter(authors=pk)


class _AmongIds(Func):
    """``id = ANY(ARRAY(subquery))`` on PostgreSQL, ``id IN (subquery)`` elsewhere.

    The planner takes the array for a handful of values and fetches exactly those rows by
    primary key, whatever plan it would make of a join or an ``IN``: see ``FEW_STORIES``.
    """

    conditional = True
    output_field = BooleanField()

    def as_sql(self, compiler, connection, template="{column} IN {ids}", **extra):
        column, ids = (compiler.compile(expression) for expression in self.source_expressions)
        sql = template.format(column=column[0], ids=ids[0])
        return sql, (*column[1], *ids[1])

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="{column} = ANY(ARRAY{ids})")


def _hub_story_ids(kind: str, pk) -> QuerySet:
    """The ids of every story filed under the hub, public or not (its own table's index)."""
    if kind == "section":
        sections = Section.objects.filter(Q(pk=pk) | Q(parent=pk)).order_by().values("pk")
        return Article.objects.filter(section__in=sections).order_by().values("pk")
    if kind == "author":
        return Byline.objects.filter(author=pk).order_by().values("article_id")
    through = {"country": TaggedCountry, "group": TaggedGroup, "topic": TaggedTopic}[kind]
    return through.objects.filter(tag=pk).order_by().values("content_object_id")


def _few_hub_articles(kind: str, now, pk) -> QuerySet:
    """The same stories as ``_hub_articles``, read from the hub's own list of stories."""
    return Article.objects.published(at=now).filter(
        _AmongIds(F("pk"), Subquery(_hub_story_ids(kind, pk)))
    )


def _hub_count(kind: str, now):
    if kind != "section":
        return _count_of(_hub_articles(kind, now, OuterRef("pk")))
    # in_section() counted as its two halves (the section's own stories, its children's):
    # the OR across the join made PostgreSQL read every article (6.7 ms for "News" at 10k);
    # each half walks the (section, status, publish_at) index.
    published = Article.objects.published(at=now)
    own = _count_of(published.filter(section=OuterRef("pk")))
    children = _count_of(published.filter(section__parent=OuterRef("pk")))
    return own + children


_VOCABULARY = ("name", "name_es", "slug", "description", "description_es")
_HUB_MODELS = {
    "section": (Section, (*_VOCABULARY, "position", "parent_id")),
    "country": (Country, _VOCABULARY),
    "group": (CriminalGroup, _VOCABULARY),
    "topic": (Topic, ("name", "name_es", "slug")),
    "author": (Author, ("name", "slug", "bio", "bio_es", "photo")),
}
_SECTION_PARENT = (
    "parent__name",
    "parent__slug",
    "parent__position",
    "parent__parent_id",
    "parent__name_es",
)


def _hub_row_query(kind: str, *, counted: bool = True) -> CompiledQuery:
    model, fields = _HUB_MODELS[kind]
    extra = _SECTION_PARENT if kind == "section" else ()
    if not counted:
        return CompiledQuery(
            model,
            lambda slug: (
                model.objects.filter(slug=slug).order_by().values_list("pk", *fields, *extra)
            ),
            slug=str,
        )
    return CompiledQuery(
        model,
        lambda now, slug: (
            model.objects.filter(slug=slug)
            .order_by()
            .annotate(article_count=_hub_count(kind, now))
            .values_list("pk", *fields, *extra, "article_count")
        ),
        now=dt.datetime,
        slug=str,
    )


_HUB_ROWS = {kind: _hub_row_query(kind) for kind in _HUB_MODELS}
_UNCOUNTED_HUB_ROWS = {kind: _hub_row_query(kind, counted=False) for kind in _HUB_MODELS}
# Hubs that exist only while a story under them is public (models.PublicThroughStories);
# the count of public stories says so without another query.
_ONLY_WITH_STORIES = {"topic", "author"}


# Counting a hub's public stories ("Page 1 of N") joins the tag with every public article
# (~1-2.5 ms at 10k articles, and it grows with the archive) for a number that changes only
# when something public changes, i.e. when the page cache's generation moves (every public
# write after its commit, a scheduled publication when its time comes). So each worker
# keeps the counts for the current generation (newsroom/pagecache.py, generation_store),
# where that generation is kept and shared: HUB_COUNT_CACHE.
MAX_KEPT_COUNTS = 10_000
_FIRST_PAGES: dict[tuple[str, int, bool], CompiledQuery] = {}

# A hub's first page is one prepared statement on one generic plan, which cannot know how
# many stories the hub has. The plan walks the public stories newest first and keeps the
# hub's: ~12 x (public stories / hub's stories) index entries, fine for a big hub, but a
# hub of 3 old stories walked all 9,200 public ones (~10 ms at 10k articles, ~100 at 100k;
# sections read each row too). A hub with at most FEW_STORIES public stories is read the
# other way round: its own list of stories by primary key, then sorted (~0.5 ms for 3
# stories; ~1.7 ms at 300, where the walk takes ~1.5). Where the two cross moves with the
# archive (about sqrt(12 x public stories): ~350 at 10k, ~1,100 at 100k); this value
# keeps both sides within a few milliseconds from 10k to 100k (docs/performance.md).
FEW_STORIES = 400


def _first_page(kind: str, per_page: int, *, few: bool) -> CompiledQuery:
    # The page's ids first (a narrow walk of the hub's public stories, newest first), then
    # the card columns of those rows only. Read in one go, PostgreSQL's generic plan joined
    # every story of a 300-story group to its picture, country and group before sorting
    # (4.1 ms for the first page of 12; ids first, 1.2 ms; the author hub 1.65 -> 1.24,
    # the others equal: docs/performance.md, round five).
    query = _FIRST_PAGES.get((kind, per_page, few))
    if query is None:
        stories = _few_hub_articles if few else _hub_articles
        query = _FIRST_PAGES[kind, per_page, few] = CompiledQuery(
            Article,
            lambda now, pk: (
                Article.objects.filter(
                    pk__in=Subquery(stories(kind, now, pk).newest_first().values("pk")[:per_page])
                )
                .newest_first()
                .annotate(**_teaser_annotations())
                .values_list(*_TEASER_COLUMNS)
            ),
            now=dt.datetime,
            pk=int,
        )
    return query


def _teaser(row: tuple) -> Teaser:
    card = Teaser()
    (
        card.pk,
        card.title,
        card.slug,
        card.dek,
        card.body,
        card.language,
        card.publish_at,
        pc_name,
        pc_slug,
        pg_name,
        pg_slug,
        pc_name_es,
        pg_name_es,
        card.image_json,
        card.byline_names,
    ) = row
    card.primary_tag = _tag((pc_name, pc_slug, pc_name_es), (pg_name, pg_slug, pg_name_es))
    return card


class HubArticles:
    """A hub's stories as the paginator sees them: a known count and slices.

    The first page (nearly all hub traffic) is a compiled query; later pages use the
    QuerySet (same cards, same number of queries).
    """

    def __init__(self, kind: str, pk: int, count: int, now: dt.datetime, per_page: int) -> None:
        self.kind, self.pk, self._count, self.now, self.per_page = kind, pk, count, now, per_page

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list:
        if index.start == index.stop:
            return []
        if index.start == 0 and index.stop <= self.per_page:
            first_page = _first_page(self.kind, self.per_page, few=self._count <= FEW_STORIES)
            rows = first_page(now=self.now, pk=self.pk)
            return [_teaser(row) for row in rows[: index.stop]]
        # for_teaser() loads byline_names, as the compiled first page reads it.
        articles = _hub_articles(self.kind, self.now, self.pk).newest_first().for_teaser()
        return list(articles[index])


def hub(kind: str, slug: str, *, now: dt.datetime, per_page: int):
    """The hub's own object and its stories (``HubArticles``), or None: one query so far."""
    kept = pagecache.generation_store()  # taken before counting: see its docstring
    key = ("hub count", kind, slug)
    count = kept.get(key) if kept is not None else None
    if count is None:
        rows = _HUB_ROWS[kind](now=now, slug=slug)
        if rows:
            count = rows[0][-1]
            if kept is not None and len(kept) < MAX_KEPT_COUNTS:
                kept[key] = count
    else:
        rows = _UNCOUNTED_HUB_ROWS[kind](slug=slug)
    if not rows or (kind in _ONLY_WITH_STORIES and count == 0):
        return None
    model, fields = _HUB_MODELS[kind]
    row = rows[0]
    values = dict(zip(("id", *fields), row, strict=False))
    obj = model(**values)
    if kind == "section":
        parent = None
        if obj.parent_id is not None:
            name, slug_, position, grandparent_id, name_es = row[len(fields) + 1 : len(fields) + 6]
            parent = Section(
                id=obj.parent_id, name=name, name_es=name_es, slug=slug_, position=position
            )
            parent.parent_id = grandparent_id
            if grandparent_id is None:
                _cache(parent, "parent", None)
        _cache(obj, "parent", parent)
    return obj, HubArticles(kind, obj.pk, count, now, per_page)
