"""Republication views, counted per article, partner page and day.

Nothing here identifies a reader: no IP address, no User-Agent, no cookie, no query
string. A row says "this page of that site showed our story N times that day".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_PAGE_URL = 500
MAX_SITE = 253  # the longest DNS name


class Republication(models.Model):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="republications"
    )
    day = models.DateField(_("day"))
    site = models.CharField(
        _("site"), max_length=MAX_SITE, help_text=_("The republishing site's host, without www.")
    )
    page_url = models.CharField(
        _("page"),
        max_length=MAX_PAGE_URL,
        help_text=_("Scheme, host and path of the page; query string and fragment dropped."),
    )
    views = models.PositiveBigIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("republication")
        verbose_name_plural = _("republications")
        ordering = ["-day", "-views"]
        constraints = [
            # The flush adds to this row (INSERT ... ON CONFLICT DO UPDATE).
            models.UniqueConstraint(
                fields=["article", "day", "page_url"], name="republication_per_page_day"
            )
        ]
        indexes = [
            # "Top stories this month" and one article's series: by day, then article.
            models.Index(fields=["day", "article"], name="republication_day_idx"),
            # One partner site's stories.
            models.Index(fields=["site", "day"], name="republication_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.page_url} {self.day}: {self.views}"


class FlushBatch(models.Model):
    """A batch of counts moved from the shared cache into ``Republication``.

    Written in the same transaction as the counts, so a batch is applied exactly once: a
    flusher that died after the commit but before it removed the batch from Redis, or two
    flushers picking up the same abandoned batch, find this row and only clean up.
    """

    id = models.CharField(primary_key=True, max_length=32)
    applied_at = models.DateTimeField(auto_now_add=True, db_index=True)
    rows = models.PositiveIntegerField(default=0)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("flush batch")
        verbose_name_plural = _("flush batches")

    def __str__(self) -> str:
        return self.id
