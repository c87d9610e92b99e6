"""Related-content controls on the article form: pins, exclusions, current suggestions.

``attach_to_article_admin()`` (called from ``RelatedConfig.ready``) replaces the article admin
that ``articles`` registered with a subclass that adds ``RELATED_INLINES`` and the one-click
pin / exclude endpoints of ``RelatedAdminMixin``: ``articles`` never imports this app.
Freshness after saves and deletions does not live here: the article services announce every
change (``articles.events``) and ``related.freshness`` follows them, whatever the path.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles import permissions
from articles.models import Article
from related import services
from related.models import MAX_PINS, RelatedExclusion, RelatedItem, RelatedPin


class TolerantInlineFormSet(BaseInlineFormSet):
    """A POST without this formset's management form means "no change to related controls".

    Clients that predate these controls (scripts, older tests, an API) keep saving articles;
    with zero forms declared, nothing is added, changed or deleted here.
    """

    def __init__(self, data=None, files=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = "0"
            data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, files, *args, **kwargs)


class _ParentPermissionInline(admin.TabularInline):
    """Rights follow the article: whoever may edit the article may edit its related controls."""

    fk_name = "article"
    formset = TolerantInlineFormSet
    # The rows' internal labels ("70 → 89 (#0)") mean nothing to editors: hidden by admin.css.
    classes = ["related-inline"]

    def _can_edit(self, request: HttpRequest, obj: Article | None) -> bool:
        if not request.user.has_perm("articles.change_article"):
            return False
        return obj is None or permissions.can_edit(request.user, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)


class RelatedPinInline(_ParentPermissionInline):
    model = RelatedPin
    autocomplete_fields = ["target"]
    fields = ["target", "position"]
    extra = 0
    max_num = MAX_PINS
    verbose_name = _("pinned related article")
    verbose_name_plural = format_lazy(
        _("Related content: pinned articles (up to {count}, shown first)"), count=MAX_PINS
    )

    def get_formset(self, request, obj=None, **kwargs):
        # Enforce the limit on the server too, not only by hiding the "add" link.
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)


class RelatedExclusionInline(_ParentPermissionInline):
    model = RelatedExclusion
    autocomplete_fields = ["target"]
    fields = ["target"]
    extra = 0
    verbose_name = _("excluded article")
    verbose_name_plural = _("Related content: never suggest these")


class RelatedSuggestionInline(_ParentPermissionInline):
    """Read-only: the engine's current automatic suggestions, with one-click controls."""

    model = RelatedItem
    fields = ["position", "suggestion", "score_label", "reason", "visibility", "controls"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = _("automatic suggestion")
    verbose_name_plural = _("Related content: automatic suggestions (fill the places after pins)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pinned=False)
            .select_related("target")
            # Best first, as the engine scored them (rank breaks ties the way the list does).
            .order_by("-score", "rank")
        )

    @admin.display(description="#")
    def position(self, item: RelatedItem) -> int:
        return item.rank + 1

    @admin.display(description=_("article"))
    def suggestion(self, item: RelatedItem) -> str:
        url = reverse("admin:articles_article_change", args=[item.target_id])
        return format_html('<a href="{}">{}</a>', url, item.target.title)

    @admin.display(description=_("score"))
    def score_label(self, item: RelatedItem) -> str:
        return f"{item.score:.3f}"

    @admin.display(description=_("state"))
    def visibility(self, item: RelatedItem) -> str:
        if item.target.is_scheduled:
            return "scheduled (shown from its publish time)"
        return "live" if item.target.is_public else item.target.get_status_display()

    @admin.display(description="")
    def controls(self, item: RelatedItem) -> str:
        # The buttons submit the change form itself, so whatever the editor typed is saved
        # first; then the pin or exclusion is applied and the form opens again
        # (RelatedAdminMixin.response_change). An invalid form comes back with its errors
        # and every edit kept, nothing pinned. No JavaScript.
        return format_html(
            '<button type="submit" class="button" name="{}" value="{}" '
            'title="Save the article, then pin this suggestion">Pin</button> '
            '<button type="submit" class="button" name="{}" value="{}" '
            'title="Save the article, then never suggest this one">Exclude</button>',
            PIN_FIELD,
            item.target_id,
            EXCLUDE_FIELD,
            item.target_id,
        )


RELATED_INLINES = [RelatedPinInline, RelatedExclusionInline, RelatedSuggestionInline]

# Names of the suggestion buttons in the change form (their value is the suggested article's id).
PIN_FIELD, EXCLUDE_FIELD = "_related_pin", "_related_exclude"


class RelatedAdminMixin:
    """For the article admin: the pin / exclude endpoints."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/related/<int:target_id>/pin/",
                wrap(self.related_pin_view),
                name="articles_article_related_pin",
            ),
            path(
                "<int:object_id>/related/<int:target_id>/exclude/",
                wrap(self.related_exclude_view),
                name="articles_article_related_exclude",
            ),
            *super().get_urls(),
        ]

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        # Called once the change form (and its inlines) saved: a Pin/Exclude button that
        # submitted the form acts now, inside the same transaction, then reopens the form.
        controls = {
            PIN_FIELD: (services.related_pin_add, "Saved, and pinned “{}”."),
            EXCLUDE_FIELD: (
                services.related_exclude_add,
                "Saved; “{}” will not be suggested for this article.",
            ),
        }
        for field, (action, done) in controls.items():
            raw = request.POST.get(field, "")
            if not raw:
                continue
            target = Article.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            if target is None:
                messages.error(request, "That suggestion no longer exists.")
            else:
                try:
                    action(article=obj, target=target)
                except services.RelatedControlError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, done.format(target.title))
            return redirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def related_pin_view(self, request: HttpRequest, object_id: int, target_id: int):
        return self._related_control(
            request, object_id, target_id, services.related_pin_add, "Pinned “{}”."
        )

    def related_exclude_view(self, request: HttpRequest, object_id: int, target_id: int):
        return self._related_control(
            request,
            object_id,
            target_id,
            services.related_exclude_add,
            "“{}” will not be suggested for this article.",
        )

    def _related_control(
        self,
        request: HttpRequest,
        object_id: int,
        target_id: int,
        action: Callable[..., object],
        done: str,
    ) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = Article.objects.filter(pk=object_id).first()
        if article is None:
            raise Http404("No such article")
        # The same rule as the change form: writers only touch their own unpublished work.
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        target = get_object_or_404(Article, pk=target_id)
        try:
            action(article=article, target=target)
        except services.RelatedControlError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done.format(target.title))
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))


def attach_to_article_admin(site: admin.AdminSite = admin.site) -> None:
    """Register the article admin again with the related controls added (idempotent)."""
    current = type(site.get_model_admin(Article))
    if issubclass(current, RelatedAdminMixin):
        return
    extended = type(
        current.__name__,
        (RelatedAdminMixin, current),
        {"__module__": __name__, "inlines": [*current.inlines, *RELATED_INLINES]},
    )
    site.unregister(Article)
    site.register(Article, extended)
