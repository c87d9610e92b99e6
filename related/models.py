"""Stored related-content lists, editors' pins and exclusions, and the ranking index.

The article page reads ``RelatedItem`` only (one query). Everything else here feeds the
engine: ``RelatedFeature`` is an inverted index of eligible articles (tags and top terms),
``TermStat`` holds document frequencies for the text vectors.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from articles.models import Article

MAX_PINS = 6


class RelatedItem(models.Model):
    """One line of an article's precomputed related list: pins first, then automatic items."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_items")
    # CASCADE: deleting an article removes it from every list at once.
    target = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_in")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0.0)
    reason = models.CharField(max_length=200, blank=True)
    pinned = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "rank"]
        constraints = [
            # Also the (article, rank) index the page read walks.
            models.UniqueConstraint(fields=["article", "rank"], name="related_item_rank"),
            models.UniqueConstraint(fields=["article", "target"], name="related_item_target"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.target_id} (#{self.rank})"


class RelatedPin(models.Model):
    """An editor's choice, shown before the automatic suggestions, in ``position`` order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_pins")
    target = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name="pinned article"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "pinned related article"
        constraints = [
            models.UniqueConstraint(fields=["article", "target"], name="related_pin_once"),
            models.CheckConstraint(condition=~Q(article=F("target")), name="related_pin_not_self"),
        ]

    def __str__(self) -> str:
        return f"pin {self.target_id} on {self.article_id}"


class RelatedExclusion(models.Model):
    """An article the editor never wants suggested under ``article``."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_exclusions"
    )
    target = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name="excluded article"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "excluded related article"
        constraints = [
            models.UniqueConstraint(fields=["article", "target"], name="related_exclusion_once"),
        ]

    def __str__(self) -> str:
        return f"exclude {self.target_id} on {self.article_id}"


class RelatedFeature(models.Model):
    """Inverted index: one row per (eligible article, feature key).

    Keys: ``g:<id>`` criminal group, ``c:<id>`` country, ``t:<id>`` topic, ``w:<term>`` one of
    the article's top text terms (weight = its L2-normalised TF-IDF weight; tags weigh 1).
    Language and publish time are copied here so candidate lookups never join ``Article``.
    Only articles that are published (or scheduled) have rows; the engine still re-checks
    visibility with ``Article.objects.published()`` before it stores a suggestion.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=48)
    weight = models.FloatField()
    language = models.CharField(max_length=2)
    published_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Covers both lookups without touching the table: postings (key, language ->
            # article, weight) as an index-only scan, and "nearest in time" by published_at.
            models.Index(
                fields=["key", "language", "published_at", "article", "weight"],
                name="related_feature_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.key}"


class FeatureCount(models.Model):
    """How many indexed articles of a language carry a feature key (its posting length).

    Kept exact by ``index_article`` (+1/-1 per changed key) and recomputed by the rebuild, so
    the engine never counts a long posting list (a big country has tens of thousands).
    """

    key = models.CharField(max_length=48)
    language = models.CharField(max_length=2)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="related_feature_count")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language}): {self.n}"


class TermStat(models.Model):
    """Document frequency of a text term over indexed articles (``__docs__`` holds N)."""

    DOCS = "__docs__"

    term = models.CharField(max_length=48, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


class RelatedState(models.Model):
    """Bookkeeping per article: when its list was computed, and the list's entry score."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="related_state"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    # The lowest score a newcomer needs to matter to this article's list (services.entry_score),
    # stored with the list; None: unknown, so every nearby change recomputes the list.
    entry_score = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"state of {self.article_id}"


class RebuildCheckpoint(models.Model):
    """Where ``rebuild_related`` stopped, so ``--resume`` continues from there."""

    name = models.CharField(max_length=40, primary_key=True)
    phase = models.CharField(max_length=20)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.phase} after {self.last_id}"
