"""The editors' workspace.

Roles are enforced here on the server (querysets, permissions and form validation),
not only by hiding buttons: a writer who forges a POST still cannot publish.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles import permissions, services
from articles.admin_dashboard import HelpfulDashboardMixin
from articles.admin_history import CorrectionInline, HistoryAdminMixin, VersionedFormMixin
from articles.models import (
    Article,
    Author,
    Byline,
    Country,
    CriminalGroup,
    HelpfulVote,
    ReaderComment,
    Section,
    SlugRedirect,
    Topic,
)
from images.admin import thumbnail


class TagAutocomplete(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        # A mistyped value posted by hand must re-render as an error, not crash the lookup.
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


def _controlled_tags_field(name: str, model, label: str) -> forms.ModelMultipleChoiceField:
    """Pick existing tags with type-ahead; a typo cannot create a new country or group."""
    return forms.ModelMultipleChoiceField(
        queryset=model.objects.all(),
        required=False,
        label=label,
        widget=TagAutocomplete(Article._meta.get_field(name), admin.site),
        help_text=_("Type to search. New entries are added by an editor under their own list."),
    )


class ArticleAdminForm(VersionedFormMixin, forms.ModelForm):  # history: lock version
    countries = _controlled_tags_field("countries", Country, "Countries")
    groups = _controlled_tags_field("groups", CriminalGroup, "Criminal groups")
    topics = _controlled_tags_field("topics", Topic, "Topics")

    class Meta:
        model = Article
        # countries and groups are the controlled fields above; the rest are Article's own.
        fields = [
            "title",
            "slug",
            "dek",
            "body",
            "section",
            "topics",
            "primary_country",
            "primary_group",
            "language",
            "translation",
            "featured_image",
            "status",
            "publish_at",
            "licence",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["countries"].initial = list(self.instance.countries.all())
            self.fields["groups"].initial = list(self.instance.groups.all())
            self.fields["topics"].initial = list(self.instance.topics.all())
        if "publish_at" in self.fields and user is not None and not permissions.can_publish(user):
            # Publish controls are not shown to those who cannot use them; the value still
            # travels (hidden) so that clean() can refuse a forged change.
            self.fields["publish_at"].widget = forms.SplitHiddenDateTimeWidget()
        if "status" in self.fields and user is not None and not permissions.can_publish(user):
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] != Article.Status.PUBLISHED
            ]
            self.fields["status"].help_text = _("Writers submit for review; an editor publishes.")

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if self.user is not None and not permissions.can_publish(self.user):
            if status == Article.Status.PUBLISHED:
                raise forms.ValidationError(_("Only editors can publish or schedule an article."))
            if cleaned.get("publish_at") != self.instance.publish_at:
                # Setting, moving or clearing the time are all scheduling decisions.
                self.add_error("publish_at", "Only editors can set the publish time.")
        if cleaned.get("primary_country") and cleaned.get("primary_group"):
            self.add_error("primary_group", "Choose one primary tag: a country or a group.")
        if cleaned.get("primary_country") and cleaned["primary_country"] not in (
            cleaned.get("countries") or []
        ):
            self.add_error("primary_country", "The primary country must be one of the countries.")
        if cleaned.get("primary_group") and cleaned["primary_group"] not in (
            cleaned.get("groups") or []
        ):
            self.add_error("primary_group", "The primary group must be one of the groups.")
        self._clean_translation(cleaned.get("translation"), cleaned.get("language"))
        return cleaned

    def _clean_translation(self, translation: Article | None, language: str | None) -> None:
        if translation is None or translation == self.instance.translation:
            return
        linked_back = getattr(translation, "translated_from", None)
        if translation.pk == self.instance.pk:
            self.add_error("translation", "An article cannot be its own translation.")
        elif translation.language == language:
            self.add_error("translation", "The translation must be in the other language.")
        elif translation.translation_id or (linked_back and linked_back.pk != self.instance.pk):
            self.add_error("translation", "That article is already linked to a translation.")
        elif self.user is not None and not permissions.can_edit(self.user, translation):
            # Linking changes what readers see on the other article's page.
            self.add_error("translation", "You can only link a translation you may edit.")


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's inputs sit under column headers, not <label>s: give each an
    accessible name (its field's label) so screen readers say what the input is for."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label or ""))


class BylineInline(admin.TabularInline):
    model = Byline
    formset = LabelledInlineFormSet
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = _("author")
    verbose_name_plural = _("byline (in order)")


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Published (live)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.IN_REVIEW)
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
        return queryset


@admin.register(Article)
class ArticleAdmin(HistoryAdminMixin, admin.ModelAdmin):  # history: revisions, lock, notes
    """Saves, deletions and actions go through ``articles.services`` (which announce them).

    Apps above ``articles`` add their panels (related content's pins and suggestions) by
    registering a subclass in their ``AppConfig.ready``; nothing here imports them.
    """

    form = ArticleAdminForm
    inlines = [BylineInline, CorrectionInline]
    # What an editor scans at 1366 px without scrolling sideways: countries, groups and the
    # primary tag are filters, not columns.
    list_display = [
        "title",
        "state",
        "section",
        "author_list",
        "language",
        "publish_at",
        "helpful_counts",
    ]
    list_filter = [
        StatusFilter,
        "section",
        "language",
        "primary_country",
        "primary_group",
        "countries",
        "groups",
        "authors",
        "licence",
    ]
    search_fields = ["title", "dek"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["primary_country", "primary_group", "translation", "featured_image"]
    list_select_related = ["section__parent", "primary_country", "primary_group", "submitted_by"]
    readonly_fields = [
        "preview_link",
        "featured_image_preview",
        "helpful_counts",
        "submission",
        "publish_time_display",
        "created_at",
        "updated_at",
        "history_links",  # history (admin_history.py)
    ]
    list_per_page = 50

    class Media:
        css = {"all": ["newsroom/admin.css", "images/admin.css"]}
        js = ["newsroom/admin-a11y.js"]

    def view_on_site(self, obj: Article) -> str:
        # Drafts and scheduled stories 404 on their public URL; staff get the preview.
        return (
            obj.get_absolute_url() if obj.is_public else reverse("articles:preview", args=[obj.pk])
        )

    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body"]}),
        (
            "Classification",
            {
                "fields": [
                    "section",
                    "countries",
                    "groups",
                    "topics",
                    ("primary_country", "primary_group"),
                ]
            },
        ),
        (_("Language"), {"fields": ["language", "translation"]}),
        (_("Featured image"), {"fields": ["featured_image", "featured_image_preview"]}),
        (
            _("Publishing"),
            {"fields": ["status", "publish_at", "licence", "submission", "preview_link"]},
        ),
        (_("Reader response"), {"classes": ["collapse"], "fields": ["helpful_counts"]}),
        (
            _("History"),
            {"fields": ["history_links", "loaded_version", "created_at", "updated_at"]},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        can_publish = permissions.can_publish(request.user)
        read_only = obj is not None and not self.has_change_permission(request, obj)
        if can_publish and not read_only:
            return fieldsets
        # A writer reading a published story sees it as readers do, not its HTML source;
        # and the publish time is shown, not offered, to someone who cannot set it.
        swap = {"publish_at": "publish_time_display"} if not can_publish else {}
        if read_only:
            swap["body"] = "body_rendered"
        adjusted = []
        for name, options in fieldsets:
            fields = list(options["fields"])
            if not read_only and "publish_at" in fields:
                fields.append("publish_time_display")  # the hidden input keeps its value
            else:
                fields = [swap.get(f, f) if isinstance(f, str) else f for f in fields]
            adjusted.append((name, {**options, "fields": fields}))
        return adjusted

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields.append("body_rendered")
        return fields

    def changelist_view(self, request, extra_context=None):
        # The list needs the width: the app sidebar (one click away under "Home") would push
        # the publish time, language and helpful columns off a 1366 px screen.
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if request.GET.get("state") == "review":
            # The review queue: who sent each story, and when.
            columns.insert(2, "submission")
        return columns

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestBoundForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return RequestBoundForm

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related("countries", "groups", "bylines__author")
            .annotate(
                yes_votes=Count(
                    "helpful_votes", filter=Q(helpful_votes__helpful=True), distinct=True
                ),
                no_votes=Count(
                    "helpful_votes", filter=Q(helpful_votes__helpful=False), distinct=True
                ),
            )
        )
        return queryset

    # --- Permissions, enforced on every request ----------------------------
    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or permissions.can_delete(request.user, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not permissions.can_publish(request.user):
            # Bulk delete would bypass the per-article rule for writers.
            actions.pop("delete_selected", None)
            for name in ("publish_now", "unpublish"):
                actions.pop(name, None)
        return actions

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        if not permissions.can_publish(request.user) and obj.status == Article.Status.PUBLISHED:
            # Defence in depth behind the form's validation.
            raise PermissionDenied("Only editors can publish.")
        if obj.status == Article.Status.IN_REVIEW and (
            not change or form.initial.get("status") != Article.Status.IN_REVIEW
        ):
            obj.submitted_by, obj.submitted_at = request.user, timezone.now()
        services.article_save(article=obj)

    def delete_model(self, request, obj: Article) -> None:
        services.article_delete(article=obj)

    def delete_queryset(self, request, queryset) -> None:
        # One by one through the service, so each deletion is announced (related lists).
        for article in queryset.order_by("pk"):
            services.article_delete(article=article)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # topics, bylines, inlines
        # Countries and groups come from our controlled fields, not the model form.
        form.instance.countries.set(form.cleaned_data.get("countries") or [])
        form.instance.groups.set(form.cleaned_data.get("groups") or [])
        form.instance.topics.set(form.cleaned_data.get("topics") or [])

    # --- Actions -----------------------------------------------------------
    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            services.article_publish(article=article, at=now, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Published %(count)d article.", "Published %(count)d articles.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            services.article_unpublish(article=article, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("Unpublished %(count)d article.", "Unpublished %(count)d articles.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    actions = ["publish_now", "unpublish"]

    def has_publish_permission(self, request) -> bool:
        return permissions.can_publish(request.user)

    # --- Columns -----------------------------------------------------------
    @admin.display(description=_("status"), ordering="status")
    def state(self, obj: Article) -> str:
        if obj.is_scheduled:
            return format_html(
                "{}<br><small>{}</small>",
                gettext("Scheduled"),
                date_format(timezone.localtime(obj.publish_at), "DATETIME_FORMAT"),
            )
        return obj.get_status_display()

    @admin.display(description=_("primary tag"))
    def primary_tag_label(self, obj: Article) -> str:
        return str(obj.primary_tag or "—")

    @admin.display(description=_("countries"))
    def country_list(self, obj: Article) -> str:
        return ", ".join(tag.name for tag in obj.countries.all()) or "—"

    @admin.display(description=_("groups"))
    def group_list(self, obj: Article) -> str:
        return ", ".join(tag.name for tag in obj.groups.all()) or "—"

    @admin.display(description=_("authors"))
    def author_list(self, obj: Article) -> str:
        names = [byline.author.name for byline in obj.bylines.all()]
        if len(names) > 2:
            # Two names and a count keep the row to two lines; the form lists them all.
            return f"{', '.join(names[:2])} +{len(names) - 2}"
        return ", ".join(names) or "—"

    @admin.display(description=_("helpful (yes / no)"))
    def helpful_counts(self, obj: Article) -> str:
        # Annotated by get_queryset, which both the changelist and the change form use;
        # an unsaved article has no votes.
        return f"{getattr(obj, 'yes_votes', 0)} / {getattr(obj, 'no_votes', 0)}"

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submission(self, obj: Article) -> str:
        if obj.submitted_at is None:
            return "—"
        who = (
            obj.submitted_by.get_full_name() or obj.submitted_by.get_username()
            if obj.submitted_by
            else "?"
        )
        return format_html(
            "{}<br><small>{}</small>",
            who,
            date_format(timezone.localtime(obj.submitted_at), "DATETIME_FORMAT"),
        )

    @admin.display(description=_("publish time"))
    def publish_time_display(self, obj: Article) -> str:
        if obj is None or obj.publish_at is None:
            return _("Set by an editor when the story is published or scheduled.")
        return date_format(timezone.localtime(obj.publish_at), "DATETIME_FORMAT")

    @admin.display(description=_("body"))
    def body_rendered(self, obj: Article) -> str:
        # The body was sanitised on save (Article.save -> clean_body): safe to show as HTML.
        return format_html('<div class="body-preview">{}</div>', mark_safe(obj.body))

    @admin.display(description=_("picture"))
    def featured_image_preview(self, obj: Article):
        # The chosen picture as the library made it; the type-ahead above shows only text.
        if not obj.featured_image_id:
            return _("Pick a picture above (type words of its alt text, caption or credit).")
        return format_html(
            '{} <a href="{}">{}</a>',
            thumbnail(obj.featured_image),
            reverse("admin:images_image_change", args=[obj.featured_image_id]),
            _("Edit alt text, caption, credit or focal point"),
        )

    @admin.display(description=_("preview"))
    def preview_link(self, obj: Article) -> str:
        if not obj.pk:
            return gettext("Save the article to preview it.")
        links = [(reverse("articles:preview", args=[obj.pk]), gettext("Preview (staff only)"))]
        if obj.is_public:
            links.append((obj.get_absolute_url(), gettext("View on site")))
        return format_html_join(" · ", '<a href="{}" target="_blank" rel="noopener">{}</a>', links)


class ProfiledTagAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "slug", "article_count"]
    ordering = ["name"]
    search_fields = ["name", "name_es"]
    prepopulated_fields = {"slug": ["name"]}
    # One shared slug for both languages (README, "Two languages"): the URL is the same
    # term under / and /es/.
    fields = ["name", "name_es", "slug", "description", "description_es"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_articles=Count("tagged_items"))

    @admin.display(description=_("articles"), ordering="_articles")
    def article_count(self, obj) -> int:
        return obj._articles


@admin.register(Country)
class CountryAdmin(ProfiledTagAdmin):
    pass


@admin.register(CriminalGroup)
class CriminalGroupAdmin(ProfiledTagAdmin):
    pass


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_es", "slug"]
    search_fields = ["name", "name_es"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name_es", "slug", "position"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_es"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


@admin.register(ReaderComment)
class ReaderCommentAdmin(admin.ModelAdmin):
    """The moderated inbox of readers' comments."""

    list_display = ["created_at", "name", "email", "article", "status", "short_message"]
    list_filter = ["status", "created_at"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "message", "article__title"]
    readonly_fields = ["article", "name", "email", "message", "created_at"]
    date_hierarchy = "created_at"
    actions = ["mark_read", "mark_answered", "mark_spam"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("message"))
    def short_message(self, obj: ReaderComment) -> str:
        return obj.message[:80] + ("…" if len(obj.message) > 80 else "")

    def _mark(self, request, queryset, status: str) -> None:
        count = queryset.update(status=status)
        label = ReaderComment.Status(status).label
        self.message_user(
            request,
            ngettext(
                "%(count)d message marked %(status)s.",
                "%(count)d messages marked %(status)s.",
                count,
            )
            % {"count": count, "status": str(label).lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as read"))
    def mark_read(self, request, queryset):
        self._mark(request, queryset, ReaderComment.Status.READ)

    @admin.action(description=_("Mark as answered"))
    def mark_answered(self, request, queryset):
        self._mark(request, queryset, ReaderComment.Status.ANSWERED)

    @admin.action(description=_("Mark as spam"))
    def mark_spam(self, request, queryset):
        self._mark(request, queryset, ReaderComment.Status.SPAM)


@admin.register(HelpfulVote)
class HelpfulVoteAdmin(HelpfulDashboardMixin, admin.ModelAdmin):  # the editors' dashboard
    list_display = ["article", "helpful", "reason", "comment", "created_at"]
    list_filter = ["helpful", "reason"]
    list_select_related = ["article"]
    search_fields = ["article__title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
