"""Editorial history: a revision per save, diffs between any two, restore as a draft.

Why a small model of ours (``Revision``) and not django-simple-history or django-reversion:
an article's editorial state is spread over the row, three taggit through-models
(countries, groups, topics) and the ordered ``Byline`` through-model. simple-history
keeps a shadow table per model and tracks many-to-many fields only for plain
``ManyToManyField``s, not taggit's managers, so tags and bylines would need their own
history tables and a diff would have to reassemble them by time. reversion serialises a
whole object graph, but only inside a ``create_revision()`` block that every write path
(admin, services, commands, shell) must open, and its restore writes the graph back over
the live rows, which is what we must never do to published work. Both would also need
our optimistic-locking version beside theirs. One JSON snapshot per save of exactly the
fields editors care about (``snapshot``) is 60 lines, diffs directly, and survives the
deletion of a tag or an author.

Where revisions are recorded
    ``revision_record`` runs in the saving transaction with the editor's name: the admin
    calls it after the form, inlines, tags and byline are saved (``ArticleAdmin``), and
    services call it after their change. ``Article.save()`` also queues
    ``revision_record_on_commit``: after the commit, if nobody recorded that version
    (a script, a command, the shell), it records it without a name. So every save that
    goes through ``Article.save()`` leaves a revision; ``QuerySet.update()`` does not
    (it also skips the version, on purpose, for bulk maintenance).

Restore
    Restoring never touches published work: on a published (or scheduled) article it
    creates a new draft copy holding the revision's content, which an editor reviews and
    publishes in its place; on a draft or an article in review it writes the revision's
    content back as a new version of that article, with status "draft".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import unescape

from django.db import transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from articles.models import (
    Article,
    Author,
    Byline,
    Country,
    CriminalGroup,
    Revision,
    Section,
    Topic,
)

TEXT_FIELDS = ("title", "slug", "dek", "body")
VALUE_FIELDS = ("section", "status", "publish_at", "licence", "language")
LIST_FIELDS = ("countries", "groups", "topics", "authors")
FIELDS = TEXT_FIELDS + VALUE_FIELDS + LIST_FIELDS
LABELS = {
    "title": _("Title"),
    "slug": _("Slug"),
    "dek": _("Summary"),
    "body": _("Body"),
    "section": _("Section"),
    "status": _("Status"),
    "publish_at": _("Publish time"),
    "licence": _("Licence"),
    "language": _("Language"),
    "countries": _("Countries"),
    "groups": _("Criminal groups"),
    "topics": _("Topics"),
    "authors": _("Byline"),
}
_TAG_MODELS = {"countries": Country, "groups": CriminalGroup, "topics": Topic}


def snapshot(article: Article) -> dict:
    """The editorial state of a saved article, as stored JSON (read from the database)."""
    section = Section.objects.filter(pk=article.section_id).values_list("name", flat=True)
    data: dict = {name: getattr(article, name) for name in TEXT_FIELDS}
    data.update(
        section=[article.section_id, section.first() or ""],
        status=article.status,
        publish_at=article.publish_at.isoformat() if article.publish_at else None,
        licence=article.licence,
        language=article.language,
    )
    for name in ("countries", "groups", "topics"):
        data[name] = [
            [pk, tag] for pk, tag in getattr(article, name).order_by("pk").values_list("pk", "name")
        ]
    data["authors"] = [
        [pk, author]
        for pk, author in Byline.objects.filter(article=article)
        .order_by("position", "pk")
        .values_list("author_id", "author__name")
    ]
    return data


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return [name for name in FIELDS if after.get(name) not in (None, "", [])]
    return [name for name in FIELDS if before.get(name) != after.get(name)]


def revision_record(*, article: Article, user=None, note: str = "") -> Revision:
    """Record the article's current state as the revision of its current version.

    Call it inside the saving transaction, after tags and byline are saved. Recording the
    same version again (a service after the admin form) updates that revision.
    """
    data = snapshot(article)
    previous = (
        Revision.objects.filter(article=article, version__lt=article.version)
        .order_by("-version")
        .first()
    )
    defaults = {"data": data, "changed": changed_fields(previous and previous.data, data)}
    if user is not None and user.is_authenticated:
        defaults["user"] = user
    if note:
        defaults["note"] = note
    revision, _ = Revision.objects.update_or_create(
        article=article, version=article.version, defaults=defaults
    )
    return revision


def _record_if_missing(pk: int, version: int) -> None:
    if Revision.objects.filter(article_id=pk, version=version).exists():
        return
    article = Article.objects.filter(pk=pk, version=version).first()
    if article is not None:  # a later save records its own version
        with transaction.atomic():
            revision_record(article=article)


def revision_record_on_commit(article: Article) -> None:
    """After the commit, record this version if no write path recorded it."""
    pk, version = article.pk, article.version
    transaction.on_commit(lambda: _record_if_missing(pk, version))


# --- diffs -----------------------------------------------------------------------------

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr)>|<br\s*/?>|<hr\s*/?>", re.I)


def _readable(name: str, value) -> str:
    if value is None:
        return ""
    if name == "body":
        # Compare what readers read, a paragraph per line, not the markup.
        return unescape(strip_tags(_BLOCK_END.sub("\n", value))).strip()
    if name == "section":
        return value[1]
    return str(value)


def text_diff(old: str, new: str) -> SafeString:
    """Word-level inline diff; everything from the texts is escaped."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
    return mark_safe("".join(parts))  # every piece above is escaped


@dataclass
class FieldDiff:
    name: str
    label: str
    html: str = ""
    added: list[str] | None = None
    removed: list[str] | None = None


def diff(old: dict | None, new: dict) -> list[FieldDiff]:
    """What changed from ``old`` to ``new`` (snapshots), field by field, in a fixed order."""
    old = old or {}
    result = []
    for name in FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name in LIST_FIELDS:
            was = [label for _, label in before or []]
            now = [label for _, label in after or []]
            if name == "authors" and sorted(was) == sorted(now):
                # Same people, new order: show the order.
                result.append(
                    FieldDiff(name, LABELS[name], html=text_diff(", ".join(was), ", ".join(now)))
                )
                continue
            result.append(
                FieldDiff(
                    name,
                    LABELS[name],
                    added=[x for x in now if x not in was],
                    removed=[x for x in was if x not in now],
                )
            )
        else:
            result.append(
                FieldDiff(
                    name,
                    LABELS[name],
                    html=text_diff(_readable(name, before), _readable(name, after)),
                )
            )
    return result


def changes_since(article: Article, version: int) -> list[FieldDiff]:
    """What others changed on ``article`` after ``version`` (the optimistic-lock message)."""
    revisions = {
        r.version: r.data
        for r in Revision.objects.filter(article=article, version__in=[version, article.version])
    }
    current = revisions.get(article.version) or snapshot(article)
    return diff(revisions.get(version), current)


# --- restore ---------------------------------------------------------------------------


def _unique_slug(base: str) -> str:
    slug = slugify(base)[:230] or "restored"
    candidate, n = slug, 1
    while Article.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def _apply(article: Article, data: dict) -> None:
    article.title, article.dek, article.body = data["title"], data["dek"], data["body"]
    if Section.objects.filter(pk=data["section"][0]).exists():
        article.section_id = data["section"][0]
    article.licence = data["licence"]
    article.language = data["language"]
    article.status = Article.Status.DRAFT


def _apply_relations(article: Article, data: dict) -> None:
    # Tags or authors deleted since the revision are skipped; the diff shows what is missing.
    for name, model in _TAG_MODELS.items():
        ids = [pk for pk, _ in data.get(name, [])]
        getattr(article, name).set(list(model.objects.filter(pk__in=ids)))
    Byline.objects.filter(article=article).delete()
    existing = set(
        Author.objects.filter(pk__in=[pk for pk, _ in data.get("authors", [])]).values_list(
            "pk", flat=True
        )
    )
    Byline.objects.bulk_create(
        Byline(article=article, author_id=pk, position=position)
        for position, (pk, _) in enumerate(data.get("authors", []))
        if pk in existing
    )


@transaction.atomic
def revision_restore(*, revision: Revision, user) -> Article:
    """Bring back ``revision`` as a draft; returns the article that holds it.

    A published or scheduled article is left as it is: the revision becomes a new draft
    copy (its own slug, no translation link). Any other article gets the revision's
    content as a new version, status "draft".
    """
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    data = revision.data
    if article.status == Article.Status.PUBLISHED:
        copy = Article(
            slug=_unique_slug(f"{data['slug']}-draft"),
            publish_at=None,
            section_id=article.section_id,
            created_by=user,
            primary_country=None,
            primary_group=None,
        )
        _apply(copy, data)
        copy.save()
        _apply_relations(copy, data)
        revision_record(
            article=copy,
            user=user,
            note=f"Draft copy of article {article.pk} from its version {revision.version}",
        )
        return copy
    _apply(article, data)
    primary_country, primary_group = article.primary_country_id, article.primary_group_id
    article.save()
    _apply_relations(article, data)
    # A primary tag must stay among the tags (the form's rule): drop one that left.
    if primary_country and not article.countries.filter(pk=primary_country).exists():
        Article.objects.filter(pk=article.pk).update(primary_country=None)
    if primary_group and not article.groups.filter(pk=primary_group).exists():
        Article.objects.filter(pk=article.pk).update(primary_group=None)
    revision_record(article=article, user=user, note=f"Restored version {revision.version}")
    return article
