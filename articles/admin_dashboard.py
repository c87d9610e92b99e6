"""The editors' "was this helpful?" dashboard: an admin view on ``HelpfulVoteAdmin``.

Figures come from ``articles.feedback`` (daily aggregates, Wilson intervals); this module
parses the period form, checks the permission and renders. Five queries per page, plus
the admin's session and user, whatever the number of articles or votes
(tests/articles/test_helpful_dashboard.py).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from articles import feedback
from articles.models import HelpfulVote

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 5
GROUPING_CHOICES = [
    ("article", gettext_lazy("Article")),
    ("section", gettext_lazy("Section")),
    ("author", gettext_lazy("Author")),
    ("country", gettext_lazy("Country")),
    ("group", gettext_lazy("Criminal group")),
]


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=gettext_lazy("Per"), choices=GROUPING_CHOICES)
    min_votes = forms.IntegerField(
        label=gettext_lazy("Stories with at least this many votes"),
        min_value=1,
        max_value=100_000,
    )

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {
            "start": today - dt.timedelta(days=DEFAULT_DAYS - 1),
            "end": today,
            "by": "section",
            "min_votes": 10,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(gettext_lazy("The start date is after the end date."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(gettext_lazy("Choose a period of five years or less."))
        return cleaned


class HelpfulDashboardMixin:
    """For ``HelpfulVoteAdmin``: ``/admin/articles/helpfulvote/dashboard/``."""

    change_list_template = "admin/articles/helpfulvote/change_list.html"

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="articles_helpfulvote_dashboard",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("articles.view_helpfulvote"):
            raise PermissionDenied
        form = PeriodForm(request.GET or None, initial=PeriodForm.defaults())
        if request.GET and form.is_valid():
            period = form.cleaned_data
        else:
            period = PeriodForm.defaults()
            if not request.GET:
                form = PeriodForm(initial=period)
        start, end, by = period["start"], period["end"], period["by"]
        labels = dict(HelpfulVote.Reason.choices)
        least = feedback.least_helpful(start, end, min_votes=period["min_votes"])
        for row in least:
            row.reason_list = [(labels[name], count) for name, count in row.reasons.items()]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Was this content helpful? Reader feedback"),
            "opts": HelpfulVote._meta,
            "form": form,
            "period": period,
            "grouping_label": dict(GROUPING_CHOICES)[by],
            "totals": feedback.totals(start, end),
            "rows": feedback.by_group(by, start, end, min_votes=period["min_votes"]),
            "least": least,
            "weeks": feedback.weekly(start, end),
        }
        return TemplateResponse(request, "admin/articles/helpful_dashboard.html", context)
