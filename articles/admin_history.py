"""The article change form's history pieces: lock version, revisions, diff, restore,
and the corrections inline. Mixed into ``ArticleAdmin`` / ``ArticleAdminForm`` so that
admin.py only names them (articles/history.py has the rules)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from articles import history
from articles.corrections import article_modified_refresh
from articles.models import Article, Correction, Revision

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this article (version %(current)s) after you opened it (version "
    "%(yours)s). Your changes were not saved. Their changes are shown below: copy what you "
    "need, then reload the article and make your edits again."
)


class VersionedFormMixin(forms.Form):
    """A hidden ``version``: the article version the editor loaded (optimistic locking)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: list[history.FieldDiff] | None = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if not self.instance.pk or loaded is None:
            # A new article, or a client that predates the field (scripts, older tests):
            # Article.save() still refuses a row changed under it since it was read.
            return cleaned
        # Lock the row until the admin's transaction ends, so nobody saves between this
        # check and our save (the admin's change view runs in one transaction).
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != loaded:
            fresh = Article.objects.get(pk=self.instance.pk)
            self.conflict = history.changes_since(fresh, loaded)
            raise forms.ValidationError(
                CONFLICT_MESSAGE, code="conflict", params={"current": current, "yours": loaded}
            )
        self.instance.version = loaded
        return cleaned


class TolerantFormSet(BaseInlineFormSet):
    """A POST without this formset's management form means "no change to the notes"
    (scripts and tests that predate corrections keep saving articles)."""

    def __init__(self, data=None, files=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = "0"
            data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, files, *args, **kwargs)


class CorrectionInline(admin.StackedInline):
    model = Correction
    formset = TolerantFormSet
    extra = 0
    fields = ["kind", "noted_at", "text"]
    verbose_name = gettext_lazy("correction or update")
    verbose_name_plural = gettext_lazy("corrections and updates (shown on the article page)")
    formfield_overrides = {}

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("widgets", {"text": forms.Textarea(attrs={"rows": 3})})
        return super().get_formset(request, obj, **kwargs)


class RevisionPair(forms.Form):
    """``?a=&b=`` of the compare view: two version numbers a revision can have (a number
    past the column's range reached the database: a 500 on SQLite)."""

    a = forms.IntegerField(min_value=1, max_value=2_147_483_647)
    b = forms.IntegerField(min_value=1, max_value=2_147_483_647)


class HistoryAdminMixin:
    """For ``ArticleAdmin``: revisions on every save, the history page, diff and restore."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/revisions/compare/",
                wrap(self.revisions_compare_view),
                name="articles_article_revisions_compare",
            ),
            path(
                "<int:pk>/revisions/<int:revision_pk>/restore/",
                wrap(self.revision_restore_view),
                name="articles_article_revision_restore",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("revisions"))
    def history_links(self, obj: Article) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · {} {}',
            reverse("admin:articles_article_history", args=[obj.pk]),
            gettext("Revisions, compare and restore"),
            gettext("version"),
            obj.version,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is Correction:
            for note in formset.save(commit=False):
                if note.created_by_id is None:
                    note.created_by = request.user
                note.save()
            for note in formset.deleted_objects:
                note.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if any(f.model is Correction and f.has_changed() for f in formsets):
            article_modified_refresh(article)
        # In the admin's transaction, after the tags, byline and inlines: this revision
        # is the article as the editor saved it, with their name.
        history.revision_record(article=article, user=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform") and context["adminform"].form
        if form is not None and getattr(form, "conflict", None) is not None:
            context["conflict_diff"] = form.conflict
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- views -----------------------------------------------------------------------

    def _article_for(self, request: HttpRequest, pk: int) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        """Our revisions instead of Django's LogEntry list: who, when, what changed."""
        try:
            article = self._article_for(request, int(object_id))
        except ValueError:
            raise Http404 from None
        revisions = list(
            Revision.objects.filter(article=article)
            .select_related("user")
            .only("version", "created_at", "note", "changed", "user__username", "article_id")
            .order_by("-version")
        )
        for revision in revisions:
            revision.changed_labels = [str(history.LABELS.get(n, n)) for n in revision.changed]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History of “%(title)s”") % {"title": article.title},
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "revisions": revisions,
            "can_restore": self.has_change_permission(request, article),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def revisions_compare_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        article = self._article_for(request, pk)
        pair = RevisionPair(request.GET)
        if not pair.is_valid():
            messages.error(request, gettext("Choose two revisions to compare."))
            return redirect("admin:articles_article_history", pk)
        older, newer = sorted((pair.cleaned_data["a"], pair.cleaned_data["b"]))
        found = {
            r.version: r
            for r in Revision.objects.filter(article=article, version__in=[older, newer])
        }
        if older not in found or newer not in found:
            raise Http404("No such revision")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Changes to “%(title)s”") % {"title": article.title},
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "older": found[older],
            "newer": found[newer],
            "diffs": history.diff(found[older].data, found[newer].data),
        }
        return TemplateResponse(request, "admin/articles/article/revisions_compare.html", context)

    def revision_restore_view(self, request: HttpRequest, pk: int, revision_pk: int):
        return require_POST(self._restore)(request, pk, revision_pk)

    def _restore(self, request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if article.status == Article.Status.PUBLISHED and not self.has_add_permission(request):
            raise PermissionDenied
        revision = get_object_or_404(Revision, pk=revision_pk, article=article)
        restored = history.revision_restore(revision=revision, user=request.user)
        if restored.pk == article.pk:
            messages.success(
                request,
                gettext("Version %(n)s restored as a new draft version of this article.")
                % {"n": revision.version},
            )
        else:
            messages.warning(
                request,
                gettext(
                    "This article is published, so it was left as it is: version %(n)s is "
                    "now a new draft copy. Review it, then publish it in place of the original."
                )
                % {"n": revision.version},
            )
        return redirect("admin:articles_article_change", restored.pk)
