from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from html import unescape

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from articles.licences import LICENCE_CHOICES, default_licence, get_licence
from articles.sanitize import clean_body
from images.markup import render_body

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


class PublicThroughStories(models.QuerySet):
    """Vocabulary readers learn of only through a public story: topics and bylines.

    A topic typed on a draft ("Minister bribes") or the byline of an embargoed piece would
    announce the story, so their hubs, feeds and sitemap entries exist only while a story
    under them is public. (Sections, countries and groups are editors' curated vocabulary
    with profiles of their own: their hubs stay, empty or not.)
    """

    story_lookup: str  # the Article relation that names this model

    def with_public_stories(self, *, at=None) -> PublicThroughStories:
        stories = Article.objects.published(at=at).filter(**{self.story_lookup: OuterRef("pk")})
        return self.filter(Exists(stories))


class AuthorQuerySet(PublicThroughStories):
    story_lookup = "authors"


class TopicQuerySet(PublicThroughStories):
    story_lookup = "topics"


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)
    bio_es = models.TextField(
        _("bio in Spanish"),
        blank=True,
        help_text=_("Shown on Spanish pages; left empty, they show the English bio."),
    )
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The staff account that writes under this byline, if any."),
    )

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_with_slug("articles:author", self.slug)

    @property
    def local_bio(self) -> str:
        """The bio in the page's language (a name needs no translation; a bio does)."""
        return in_page_language(self.bio, self.bio_es)


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

    objects = NaturalKeyManager.from_queryset(TopicQuerySet)()

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

    def scheduled(self, *, at=None) -> ArticleQuerySet:
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=at or timezone.now())

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
        return self.select_related("featured_image").only(*TEASER_FIELDS)

    def for_teaser(self) -> ArticleQuerySet:
        """A teaser card (includes/teaser.html): the card plus the primary tag's label."""
        return self.select_related("primary_country", "primary_group", "featured_image").only(
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
            self.select_related("section", "featured_image")
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
            "featured_image",
        ).defer(
            "primary_country__description",
            "primary_group__description",
            "featured_image__renditions",
            *translation_deferred,
        )


def _bylines_prefetch() -> Prefetch:
    return Prefetch(
        "bylines",
        queryset=Byline.objects.select_related("author").only(
            "article_id", "position", "author__name", "author__slug"
        ),
    )


# What a teaser card reads. The body stays: excerpt() falls back to it when there is no dek.
TEASER_FIELDS = (
    "title",
    "slug",
    "dek",
    "body",
    "byline_names",
    "language",
    "status",
    "publish_at",
    "featured_image",
    "featured_image__display",
)
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
FEED_FIELDS = ("section", "licence", "updated_at")
# What the article page reads of its other-language version: the link and its visibility.
TRANSLATION_FIELDS = ("id", "slug", "language", "status", "publish_at")


@cache
def _around_slug(viewname: str, language: str) -> tuple[str, str]:
    """A URL pattern's text before and after its slug ("article/", "/comment/"), once per
    process and language."""
    probe = "slug-probe"
    with translation.override(language):
        url = reverse(viewname, kwargs={"slug": probe})
    prefix = get_script_prefix()
    marker = f"/{probe}/"
    if not url.startswith(prefix) or url.count(marker) != 1:
        raise ImproperlyConfigured(f"{viewname} must have one <slug> path segment, got {url!r}")
    head, tail = url.split(marker)
    return f"{head}/"[len(prefix) :], f"/{tail}"


def url_with_slug(viewname: str, slug: str, language: str | None = None) -> str:
    """``reverse(viewname, kwargs={"slug": slug})`` for a pattern with a ``<slug>`` segment.

    In ``language``'s URL scheme (``/es/...``), by default the active one (the page's).
    Every card, label, feed item and sitemap entry asks for a URL: string concatenation
    from the pattern reversed once instead of a reverse() each time (~17 µs; 85 ms of a
    5,000 URL sitemap page). Slugs are [-a-zA-Z0-9_], so there is nothing to quote.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    before, after = _around_slug(viewname, language)
    return f"{get_script_prefix()}{before}{slug}{after}"


class ArticleConflict(Exception):
    """Someone else saved the article since this copy was loaded (optimistic locking)."""

    def __init__(self, expected_version: int) -> None:
        super().__init__(f"The article changed since version {expected_version} was loaded.")
        self.expected_version = expected_version


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
            # <figure data-image="ID">: an image from the library (static/images/library-image.js)
            "LibraryImage": True,
        },
        # One allowlist (articles.sanitize) for the admin form and for save(),
        # so every write path, including scripts and imports, is covered.
        sanitize=clean_body,
    )
    # The body as readers get it: inline library images drawn (images.markup.render_body),
    # kept up to date by save() and when an image changes (ArticlesConfig.ready); "" when
    # the body has no image, so pages show ``body`` itself.
    body_html = models.TextField(blank=True, editable=False)
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
    # PROTECT, not SET_NULL: deleting a picture a story leads with would silently strip the
    # story (and its social cards); the admin lists the stories that use it instead.
    featured_image = models.ForeignKey(
        "images.Image",
        verbose_name=_("featured image"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="featured_in",
        help_text=_("From the image library: shown above the story, on its cards and when shared."),
    )
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
    # Who sent the story to the editors, and when: the review queue's first question.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(
        _("submitted for review"), null=True, blank=True, editable=False
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
    # Optimistic locking (articles/history.py): every save of an existing row is
    # UPDATE ... WHERE version = <the version the editor loaded>, and bumps it.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The date of the newest correction or update note; structured data and feeds use
    # ``date_modified`` (this, or the publish time), not ``updated_at``, which every
    # silent typo fix moves.
    modified_at = models.DateTimeField(
        "last corrected or updated", null=True, blank=True, editable=False
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
    # the article's language, accent-folded. On PostgreSQL a trigger (migration 0007) writes
    # it on every INSERT and UPDATE of those columns, whatever the write path (save(),
    # update(), bulk_create, SQL), and a GIN index reads it; on SQLite it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title and summary only (weights A, B): what ranks the candidates (articles/search.py).
    search_head = SearchVectorField(null=True, editable=False)
    # The byline as cards show it ("Ana Ruiz, Luis Mora": names in byline order, "" when
    # none), so a page of cards reads it from the row instead of aggregating the bylines
    # per card. Written only by database triggers (migration 0013), on any write of a
    # byline, an author's name or this column, whatever the write path; whatever a save
    # sends here (an old value from a stale instance) is replaced by the truth.
    byline_names = models.TextField(blank=True, default="", db_default="", editable=False)

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
        self.body_html = render_body(self.body)
        self._default_publish_time()
        if self.pk and kwargs.get("update_fields") is None:
            self._remember_old_slug()
        adding = self._state.adding
        expected = self.version
        if not adding:
            # The row must still be at the version this instance was loaded with;
            # _do_update adds the condition, so the check and the write are one statement.
            self._expected_version = expected
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            # A savepoint, so that a refused save leaves the caller's transaction usable.
            with transaction.atomic():
                super().save(*args, **kwargs)
        except ArticleConflict:
            self.version = expected
            raise
        finally:
            self._expected_version = None
        # Script, command and shell saves are recorded too, after the commit (the admin
        # and the services record theirs in the same transaction, with the editor's name).
        from articles.history import revision_record_on_commit

        revision_record_on_commit(self)

    def get_absolute_url(self) -> str:
        # An article lives in its own language's URL scheme, whatever page links to it.
        return url_with_slug("articles:detail", self.slug, self.language)

    _expected_version: int | None = None

    def _do_update(
        self, base_qs, using, pk_val, values, update_fields, forced_update, returning_fields
    ):
        if self._expected_version is None:
            return super()._do_update(
                base_qs, using, pk_val, values, update_fields, forced_update, returning_fields
            )
        locked = base_qs.filter(version=self._expected_version)
        result = super()._do_update(
            locked, using, pk_val, values, update_fields, forced_update, returning_fields
        )
        if not result and base_qs.filter(pk=pk_val).exists():
            raise ArticleConflict(self._expected_version)
        return result

    @property
    def date_modified(self) -> dt.datetime | None:
        """``dateModified`` for structured data and feeds: the last correction or update
        note, else the publish time."""
        return self.modified_at or self.publish_at

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

    # The same rule as ArticleQuerySet.published() / scheduled(), for one loaded row (a
    # NULL publish time matches neither lookup there); tests/articles/test_visibility.py
    # checks both sides agree over every status and time.
    def is_public_at(self, at: dt.datetime) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= at
        )

    def is_scheduled_at(self, at: dt.datetime) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > at
        )

    @property
    def is_public(self) -> bool:
        return self.is_public_at(timezone.now())

    @property
    def public_translation(self) -> Article | None:
        """The other-language version, only when readers may see it."""
        other = self.translation or getattr(self, "translated_from", None)
        return other if other is not None and other.is_public else None

    @property
    def is_scheduled(self) -> bool:
        return self.is_scheduled_at(timezone.now())

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

    @property
    def image(self) -> dict | None:
        """The featured image as cards draw it (``Image.display``), like ``Teaser.image``."""
        return self.featured_image.display if self.featured_image_id else None

    @property
    def shown_body(self) -> str:
        return self.body_html or self.body

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

    class Reason(models.TextChoices):
        OUTDATED = "outdated", gettext_lazy("It is outdated")
        INACCURATE = "inaccurate", gettext_lazy("It is inaccurate")
        UNCLEAR = "unclear", gettext_lazy("It is unclear")
        MISSING_CONTEXT = "missing_context", gettext_lazy("It is missing context")
        OTHER = "other", gettext_lazy("Other")

    COMMENT_MAX_LENGTH = 500

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="helpful_votes")
    session_key = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The optional follow-up: why not (a "No"), or what helped (a "Yes"; no reason then).
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "session_key"], name="uniq_vote_per_session")
        ]
        indexes = [
            # The dashboard's "what readers said" about its least helpful stories.
            models.Index(fields=["article", "-created_at"], name="vote_article_recent_idx"),
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


class HelpfulDaily(models.Model):
    """Votes per article and day, kept by ``feedback.helpful_vote_record`` in the vote's
    transaction: the editors' dashboard sums these rows instead of scanning every vote.

    Each vote is counted twice: in its day's row and in its month's row (``monthly``, dated
    the 1st). A period reads the months it covers whole and the days at its edges
    (``feedback.period_ranges``), so a year is ~12 rows per story instead of ~365.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="helpful_days")
    day = models.DateField()
    monthly = models.BooleanField(default=False)
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    # Reasons given after a "No" (HelpfulVote.Reason), counted on the vote's day.
    outdated = models.PositiveIntegerField(default=0)
    inaccurate = models.PositiveIntegerField(default=0)
    unclear = models.PositiveIntegerField(default=0)
    missing_context = models.PositiveIntegerField(default=0)
    other = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day", "monthly"], name="uniq_helpful_article_day"
            )
        ]
        indexes = [
            # Every dashboard query is "days (or months) in the period", then joins to the
            # article; with the counts in it, PostgreSQL answers from the index alone.
            # (The counts are key columns, not INCLUDE: SQLite has no INCLUDE.)
            models.Index(fields=["monthly", "day", "article", "yes", "no"], name="helpful_day_idx"),
            # The same rows by story: the per-article sums over a long period read the few
            # month rows of the stories with enough votes (a nested loop from
            # HelpfulTotal's votes index), not every story's months. Also covering.
            models.Index(
                fields=["article", "monthly", "day", "yes", "no"], name="helpful_article_period_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} on {self.day}: {self.yes} yes, {self.no} no"


class Revision(models.Model):
    """A snapshot of an article after one save: who, when, and the editorial fields.

    ``data`` holds the text fields, status, publish time, licence, section, tags and the
    byline as JSON (articles/history.py ``snapshot``), so a diff or a restore never depends
    on rows that were edited or deleted since.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    changed = models.JSONField(default=list, help_text="Fields changed since the previous one.")
    data = models.JSONField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="uniq_revision_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class Correction(models.Model):
    """A dated "Correction:" or "Update:" note shown on the article page."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", gettext_lazy("Correction")
        UPDATE = "update", gettext_lazy("Update")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        max_length=2000, help_text=gettext_lazy("Plain text, shown as written.")
    )
    noted_at = models.DateTimeField(gettext_lazy("date"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-noted_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "noted_at"], name="correction_article_idx"),
            # The public corrections page: newest first.
            models.Index(fields=["-noted_at"], name="correction_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class HelpfulRollup(models.Model):
    """Votes per day for the whole site and per section, author, country and group.

    Kept in the vote's transaction (``feedback.helpful_vote_record``, one upsert), so the
    dashboard's totals, weeks and per-group tables read a few thousand rows instead of one
    row per article and day. A vote counts under the section, byline and tags the story had
    when it was cast; ``manage.py rebuild_helpful_aggregates`` recounts with today's.
    """

    class Kind(models.TextChoices):
        SITE = "site"
        SECTION = "section"
        AUTHOR = "author"
        COUNTRY = "country"
        GROUP = "group"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    ref = models.PositiveIntegerField(help_text="The section's, author's or tag's id; 0 for site.")
    day = models.DateField()
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref", "day"], name="uniq_helpful_rollup")
        ]
        indexes = [
            models.Index(fields=["kind", "day", "ref", "yes", "no"], name="helpful_rollup_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} on {self.day}: {self.yes} yes, {self.no} no"


class HelpfulTotal(models.Model):
    """An article's votes of all time (kept with each vote): the dashboard's per-article
    tables only look at stories with at least N votes, and this finds them without
    summing every article's days."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="helpful_total"
    )
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # "Stories with at least N votes": an index on the expression also gives
            # PostgreSQL statistics on it, so it plans for the ~7% of stories (at 100k/1M)
            # that pass instead of its default guess of a third.
            models.Index(models.F("yes") + models.F("no"), name="helpful_total_votes_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.yes} yes, {self.no} no"
