"""Republication reports in the admin: top stories, partner sites, one article, one site.

Read-only (the rows are written by the flush alone), behind ``view_republication``
(granted to Editors), each page a fixed number of aggregate queries, each with a CSV.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from articles.models import Article
from newsroom.spreadsheets import csv_response
from republish import reports
from republish.models import Republication


@admin.register(Republication)
class RepublicationAdmin(admin.ModelAdmin):
    """The changelist is the overview report; the rows themselves are never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "article/<int:article_id>/",
                wrap(self.article_view),
                name="republish_republication_article",
            ),
            path("site/<str:site>/", wrap(self.site_view), name="republish_republication_site"),
            *super().get_urls(),
        ]

    def _period(self, request: HttpRequest) -> reports.Period:
        if not self.has_view_permission(request):
            raise PermissionDenied
        period, understood = reports.Period.from_query(
            request.GET.get("start"), request.GET.get("end")
        )
        if not understood:
            messages.warning(
                request, _("That period was not understood: showing this month instead.")
            )
        return period

    def _render(self, request: HttpRequest, template: str, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        period = self._period(request)
        top = reports.top_stories(period)
        sites = reports.partner_sites(period)
        export = request.GET.get("export")
        if export == "stories":
            return csv_response(
                f"republished-stories-{period.start}-{period.end}.csv",
                ["article_id", "title", "views", "sites", "pages", "last_day"],
                [
                    [
                        r["article_id"],
                        r["article__title"],
                        r["views"],
                        r["sites"],
                        r["pages"],
                        r["last_day"],
                    ]
                    for r in top
                ],
            )
        if export == "sites":
            return csv_response(
                f"partner-sites-{period.start}-{period.end}.csv",
                ["site", "views", "stories", "first_day", "last_day"],
                [
                    [r["site"], r["views"], r["stories"], r["first_day"], r["last_day"]]
                    for r in sites
                ],
            )
        return self._render(
            request,
            "admin/republish/overview.html",
            {"title": _("Republications"), "period": period, "top": top, "sites": sites},
        )

    def article_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        period = self._period(request)
        article = get_object_or_404(Article.objects.only("id", "title", "slug"), pk=article_id)
        pages = reports.article_pages(article_id, period)
        days = reports.article_days(article_id, period)
        if request.GET.get("export") == "pages":
            return csv_response(
                f"republications-{article_id}-{period.start}-{period.end}.csv",
                ["site", "page", "views", "first_day", "last_day"],
                [
                    [r["site"], r["page_url"], r["views"], r["first_day"], r["last_day"]]
                    for r in pages
                ],
            )
        peak = max((day["views"] for day in days), default=0)
        return self._render(
            request,
            "admin/republish/article.html",
            {
                "title": _("Republications of “%(title)s”") % {"title": article.title},
                "article": article,
                "period": period,
                "pages": pages,
                "days": days,
                "peak": peak,
                "total": sum(day["views"] for day in days),
            },
        )

    def site_view(self, request: HttpRequest, site: str) -> HttpResponse:
        period = self._period(request)
        stories = reports.site_stories(site, period)
        if request.GET.get("export") == "stories":
            return csv_response(
                f"republications-{site}-{period.start}-{period.end}.csv",
                ["article_id", "title", "views", "pages", "first_day", "last_day"],
                [
                    [
                        r["article_id"],
                        r["article__title"],
                        r["views"],
                        r["pages"],
                        r["first_day"],
                        r["last_day"],
                    ]
                    for r in stories
                ],
            )
        return self._render(
            request,
            "admin/republish/site.html",
            {
                "title": _("Stories republished by %(site)s") % {"site": site},
                "site": site,
                "period": period,
                "stories": stories,
            },
        )


def report_url(name: str, *args) -> str:
    return reverse(f"admin:republish_republication_{name}", args=args)
