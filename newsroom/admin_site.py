"""The admin site: Django's, with changelists that ignore impossible filter values.

Django's ChangeList turns most bad query-string filters into IncorrectLookupParameters
and then shows the unfiltered list (a redirect to ``?e=1``). But the date hierarchy
builds ``datetime`` objects from ``<field>__year/__month/__day`` itself, and an
out-of-range year (``99999999999``, ``0``, ``9999`` whose "next year" overflows) raises
ValueError or OverflowError, a 500; so does ``?created_at__year=0`` on a date that is
not the hierarchy, when the query is compiled. TolerantChangeList treats those like any
other bad filter. The site wraps every registered ModelAdmin (ours and the donations
app's) so all of them get it without each having to remember a mixin.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class TolerantChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        # A lookup on a field that is not the date hierarchy (``?created_at__year=0``)
        # only fails when the query is compiled, which happens here, when counting.
        try:
            return super().get_results(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class TolerantChangeListMixin:
    """Use in a ModelAdmin to get TolerantChangeList (the site below applies it to all).

    Django then handles the error as it does any bad filter: it redirects to the
    unfiltered list with ``?e=1`` ("ignored filter"), never a 500.
    """

    def get_changelist(self, request, **kwargs):
        return TolerantChangeList


class NewsroomAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TolerantChangeListMixin):
            admin_class = type(
                admin_class.__name__,
                (TolerantChangeListMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin_site.NewsroomAdminSite"
