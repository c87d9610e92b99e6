from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from html import unescape

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from articles.licences import LICENCE_CHOICES, default_licence, get_licence
from articles.sanitize import clean_body

MAX_SECTION_DEPTH = 4


def in_page_language(english: str, spanish: str) -> str:
    """The Spanish text on Spanish pages when there is one, else the English."""
    return spanish if spanish and translation.get_language() == "es" else english


class LocalNames:
    """Vocabulary shown in the page's language: ``local_name``, ``local_description``.

    Each term has its English ``name`` (also what the admin and ``str()`` show) and a
    ``name_es`` on the same row, so a card or hub reads both without another query; an
    empty Spanish name falls back to the English one (proper names are often the same).
    """

    @property
    def local_name(self) -> str:
        return in_page_language(self.name, self.name_es)

    @property
    def local_description(self) -> str:
        return in_page_language(self.description, self.description_es)


def _name_es(max_length: int) -> models.CharField:
    return models.CharField(
        _("name in Spanish"),
        max_length=max_length,
        blank=True,
        help_text=_("Shown on Spanish pages; left empty, they show the English name."),
    )


def _description_es() -> models.TextField:
    return models.TextField(
        _("profile in Spanish"),
        blank=True,
        help_text=_("Shown on Spanish pages; left empty, they show the English profile."),
    )


class Section(LocalNames, models.Model):
    """A small tree (News > Brief); the breadcrumb is read from it."""

    name = models.CharField(max_length=80)
    name_es = _name_es(80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    description_es = _description_es()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:section", self.slug)

    def clean(self) -> None:
        node = self.parent
        for _depth in range(MAX_SECTION_DEPTH):
            if node is None:
                return
            if node.pk == self.pk:
                raise ValidationError({"parent": _("A section cannot sit inside itself.")})
            node = node.parent
        raise ValidationError(
            {"parent": _("Sections nest at most %(depth)s deep.") % {"depth": MAX_SECTION_DEPTH}}
        )

    def lineage(self) -> list[Section]:
        """This section and its ancestors, root first (the tree is two or three levels deep)."""
        chain: list[Section] = []
        node: Section | None = self
        # The depth cap guards pages against a cycle written around the admin's validation.
        while node is not None and len(chain) < MAX_SECTION_DEPTH:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The staff account that writes under this byline, if any."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:author", self.slug)


class ProfiledTag(LocalNames, TagBase):
    """A controlled-vocabulary tag with a profile shown on its hub page."""

    name_es = _name_es(100)
    description = models.TextField(blank=True, help_text=_("Profile shown on the hub page."))
    description_es = _description_es()

    class Meta:
        abstract = True
        ordering = ["name"]


class Country(ProfiledTag):
    class Meta(ProfiledTag.Meta):
        verbose_name_plural = _("countries")

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:country", self.slug)


class CriminalGroup(ProfiledTag):
    class Meta(ProfiledTag.Meta):
        verbose_name = _("criminal group")

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:group", self.slug)


class Topic(LocalNames, TagBase):
    name_es = _name_es(100)
    description = description_es = ""  # topics have no profile

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:topic", self.slug)


class TaggedCountry(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="uniq_article_country")
        ]


class TaggedGroup(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(CriminalGroup, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="uniq_article_group")
        ]


class TaggedTopic(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="uniq_article_topic")
        ]


class ArticleQuerySet(models.QuerySet):
    """The read rules. Every public page, feed, sitemap and search goes through ``published()``."""

    def published(self, *, at=None) -> ArticleQuerySet:
        # A future publish time means "scheduled": it turns public by itself when the
        # clock passes it, because every read compares with now. No cron, no worker.
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=at or timezone.now())

    def scheduled(self) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())

    def next_scheduled_publication(self) -> dt.datetime | None:
        """When the next scheduled article goes public (caches must not outlive it)."""
        return self.scheduled().order_by("publish_at").values_list("publish_at", flat=True).first()

    def not_public(self) -> ArticleQuerySet:
        return self.exclude(pk__in=self.published().values("pk"))

    def in_language(self, language: str) -> ArticleQuerySet:
        return self.filter(language=language)

    def in_section(self, section: Section) -> ArticleQuerySet:
        return self.filter(Q(section=section) | Q(section__parent=section))

    def tagged_with_country(self, country: Country) -> ArticleQuerySet:
        return self.filter(countries=country)

    def tagged_with_group(self, group: CriminalGroup) -> ArticleQuerySet:
        return self.filter(groups=group)

    def by_author(self, author: Author) -> ArticleQuerySet:
        return self.filter(authors=author)

    def newest_first(self) -> ArticleQuerySet:
        return self.order_by("-publish_at", "-pk")

    # Reading a page is mostly building queries and model objects, not running them (each
    # query takes ~0.1 ms in PostgreSQL at 100k articles): every joined table and column
    # costs planning, transfer and Python objects. So each page loads only what its
    # templates show (docs/performance.md, "Render speed").

    def for_card(self) -> ArticleQuerySet:
        """Title, date, language and excerpt ("About the organization"): one table, no join."""
        return self.only(*TEASER_FIELDS)

    def for_teaser(self) -> ArticleQuerySet:
        """A teaser card (includes/teaser.html): the card plus the primary tag's label."""
        return self.select_related("primary_country", "primary_group").only(
            *TEASER_FIELDS, *TEASER_TAG_FIELDS
        )

    def for_listing(self) -> ArticleQuerySet:
        """Teasers with their section and byline (home, feed), in a fixed number of queries."""
        return (
            self.for_teaser()
            .select_related("section__parent")
            .only(*TEASER_FIELDS, *TEASER_TAG_FIELDS, "section")
            .prefetch_related(_bylines_prefetch())
        )

    def for_feed(self) -> ArticleQuerySet:
        """A feed item: the listing's columns plus licence, image and update time."""
        return (
            self.select_related("section")
            .only(
                *TEASER_FIELDS, *FEED_FIELDS, "section__name", "section__name_es", "section__slug"
            )
            .prefetch_related(_bylines_prefetch())
        )

    def for_page(self) -> ArticleQuerySet:
        """The article page's own row, section, primary tag and translation, in one query.

        Bylines and tags come from ``Article.load_labels()`` (one more query); the other
        language's version is loaded only as far as its link needs (slug, language,
        visibility), not as a second and third copy of a whole article with its body.
        """
        translation_deferred = [
            f"{relation}__{name}"
            for relation in ("translation", "translated_from")
            for name in _article_field_names()
            if name not in TRANSLATION_FIELDS
        ]
        return self.select_related(
            "section__parent",
            "primary_country",
            "primary_group",
            "translation",
            "translated_from",
        ).defer("primary_country__description", "primary_group__description", *translation_deferred)


def _bylines_prefetch() -> Prefetch:
    return Prefetch(
        "bylines",
        queryset=Byline.objects.select_related("author").only(
            "article_id", "position", "author__name", "author__slug"
        ),
    )


# What a teaser card reads. The body stays: excerpt() falls back to it when there is no dek.
TEASER_FIELDS = ("title", "slug", "dek", "body", "language", "status", "publish_at")
TEASER_TAG_FIELDS = (
    "primary_country",
    "primary_group",
    "primary_country__name",
    "primary_country__name_es",
    "primary_country__slug",
    "primary_group__name",
    "primary_group__name_es",
    "primary_group__slug",
)
# What a feed item or sitemap entry reads beyond a teaser.
FEED_FIELDS = (
    "section",
    "licence",
    "updated_at",
    "featured_image",
    "featured_image_alt",
    "featured_image_caption",
    "featured_image_credit",
)
# What the article page reads of its other-language version: the link and its visibility.
TRANSLATION_FIELDS = ("id", "slug", "language", "status", "publish_at")


@cache
def _path_before_slug(viewname: str, language: str) -> str:
    """A URL pattern up to the slug ("article/", "es/article/"), once per process and language."""
    probe = "slug-probe"
    with translation.override(language):
        url = reverse(viewname, kwargs={"slug": probe})
    prefix = get_script_prefix()
    if not (url.startswith(prefix) and url.endswith(f"/{probe}/")):
        raise ImproperlyConfigured(f"{viewname} must end in <slug>/, got {url!r}")
    return url[len(prefix) : -len(f"{probe}/")]


def url_with_slug(viewname: str, slug: str, language: str | None = None) -> str:
    """``reverse(viewname, kwargs={"slug": slug})`` for a pattern ending in ``<slug>/``.

    In ``language``'s URL scheme (``/es/...``), by default the active one (the page's).
    Every card, label, feed item and sitemap entry asks for a URL: string concatenation
    from the pattern reversed once instead of a reverse() each time (~17 µs; 85 ms of a
    5,000 URL sitemap page). Slugs are [-a-zA-Z0-9_], so there is nothing to quote.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return f"{get_script_prefix()}{_path_before_slug(viewname, language)}{slug}/"


@cache
def _article_field_names() -> tuple[str, ...]:
    return tuple(field.name for field in Article._meta.concrete_fields)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=250, unique=True)
    dek = models.TextField(_("summary (dek)"), blank=True, max_length=600)
    body = ProseEditorField(
        blank=True,
        extensions={
            "Bold": True,
            "Italic": True,
            "Strike": True,
            "Underline": True,
            "Subscript": True,
            "Superscript": True,
            "Heading": {"levels": [2, 3, 4]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "HorizontalRule": True,
            "HardBreak": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
            "History": True,
        },
        # One allowlist (articles.sanitize) for the admin form and for save(),
        # so every write path, including scripts and imports, is covered.
        sanitize=clean_body,
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    translation = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translated_from",
        help_text=_("The same story in the other language."),
    )
    featured_image = models.ImageField(upload_to="articles/%Y/%m/", blank=True)
    featured_image_alt = models.CharField(_("image alt text"), max_length=250, blank=True)
    featured_image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    featured_image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text=_("A future time schedules the article; it goes public by itself at that time."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    licence = models.CharField(max_length=30, choices=LICENCE_CHOICES, default=default_licence)
    primary_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Label above the headline. Pick a country or a group, not both."),
    )
    primary_group = models.ForeignKey(
        CriminalGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    countries = TaggableManager(
        through=TaggedCountry, related_name="articles", blank=True, verbose_name=_("countries")
    )
    groups = TaggableManager(
        through=TaggedGroup, related_name="articles", blank=True, verbose_name=_("criminal groups")
    )
    topics = TaggableManager(
        through=TaggedTopic, related_name="articles", blank=True, verbose_name=_("topics")
    )

    # Full-text search (articles/search.py): title (weight A), dek (B) and body text (C) in
    # the article's language, accent-folded. On PostgreSQL a trigger (migration 0005) writes
    # it on every INSERT and UPDATE of those columns, whatever the write path (save(),
    # update(), bulk_create, SQL), and a GIN index reads it; on SQLite it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title and summary only (weights A, B): what ranks the candidates (articles/search.py).
    search_head = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            # With the id, counting a hub's public articles (the paginator's "Page 1 of N")
            # is an index-only scan joined to the tag, not a read of every article row
            # (15 ms -> 3 ms for a country on 40% of 10k articles), and newest_first()
            # (publish time, then id) reads in index order.
            models.Index(fields=["status", "publish_at", "id"], name="article_visible_idx"),
            models.Index(fields=["section", "status", "publish_at"], name="article_section_idx"),
            models.Index(fields=["language", "status", "publish_at"], name="article_language_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(primary_country__isnull=True) | Q(primary_group__isnull=True),
                name="article_one_primary_tag",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_time",
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = clean_body(self.body)
        self._default_publish_time()
        if self.pk and kwargs.get("update_fields") is None:
            self._remember_old_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # An article lives in its own language's URL scheme, whatever page links to it.
        return url_with_slug("articles:detail", self.slug, self.language)

    def clean(self) -> None:
        self._default_publish_time()

    def _default_publish_time(self) -> None:
        # "Published" with no time means "now"; a time in the future means "scheduled".
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()

    def _remember_old_slug(self) -> None:
        previous = Article.objects.filter(pk=self.pk).values_list("slug", "publish_at").first()
        if previous is None or previous[0] == self.slug:
            return
        old_slug, old_publish_at = previous
        # Once a URL has been public, readers and search engines know it: keep it answering
        # with a 301, even if the article was unpublished before the rename.
        if old_publish_at is not None and old_publish_at <= timezone.now():
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})

    def get_canonical_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def public_translation(self) -> Article | None:
        """The other-language version, only when readers may see it."""
        other = self.translation or getattr(self, "translated_from", None)
        return other if other is not None and other.is_public else None

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def primary_tag(self) -> Country | CriminalGroup | None:
        return self.primary_country or self.primary_group

    @property
    def licence_info(self):
        return get_licence(self.licence)

    @property
    def ordered_authors(self) -> list[Author]:
        if self._labels is not None:
            return self._labels.authors
        # Reads the prefetched bylines (ordered by position) when present.
        return [byline.author for byline in self.bylines.all()]

    @property
    def country_tags(self) -> list[Country]:
        return self._labels.countries if self._labels else list(self.countries.all())

    @property
    def group_tags(self) -> list[CriminalGroup]:
        return self._labels.groups if self._labels else list(self.groups.all())

    @property
    def topic_tags(self) -> list[Topic]:
        return self._labels.topics if self._labels else list(self.topics.all())

    _labels: Labels | None = None

    def load_labels(self) -> None:
        """Bylines, countries, groups and topics in one query (the article page's labels).

        One UNION ALL of four small selects instead of four prefetches (taggit's prefetch
        alone costs more than the rest of the page), compiled once (``articles.reads``).
        Each part keeps the order the page had with those prefetches: bylines by position,
        tags by id (the order they were added).
        """
        from articles.reads import article_labels

        self._labels = article_labels(self.pk)

    def excerpt(self, length: int = 160) -> str:
        """Dek or body text cut at a word boundary, with an ellipsis when cut."""
        text = " ".join(unescape(strip_tags(self.dek or self.body)).split())
        if len(text) <= length:
            return text
        cut = text[: length - 1]
        if text[length - 1] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # never end on half a word
        return cut.rstrip(" ,;:.–—-") + "…"


@dataclass
class Labels:
    """An article's bylines and tags as the page shows them (``Article.load_labels``)."""

    authors: list[Author]
    countries: list[Country]
    groups: list[CriminalGroup]
    topics: list[Topic]


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="uniq_byline_author")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class SlugRedirect(models.Model):
    """An old slug of a published article, answered with a permanent redirect."""

    old_slug = models.SlugField(max_length=250, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"


class HelpfulVote(models.Model):
    """One "was this helpful?" answer per reader session and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="helpful_votes")
    session_key = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "session_key"], name="uniq_vote_per_session")
        ]

    def __str__(self) -> str:
        return f"{'yes' if self.helpful else 'no'} on {self.article_id}"


class ReaderComment(models.Model):
    """A message from a reader about an article; lands in a moderated inbox in the admin."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        READ = "read", _("Read")
        ANSWERED = "answered", _("Answered")
        SPAM = "spam", _("Spam")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reader_comments")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    message = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="comment_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.name} on {self.article}"
