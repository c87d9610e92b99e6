"""The demo corpus written by ``manage.py seed_demo``: article generators; the text
(vocabulary, people, story templates) is in demo/data/*.json.

Everything here is original text invented for the demo. Generation is deterministic: the
same code always yields the same articles, slugs and (past) publish times, so seeding twice
updates in place instead of duplicating. Only scheduled items are placed relative to ``now``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

from django.utils.text import slugify

SEED = 20111216
UTC = dt.UTC
# Publish times are spread between fixed anchors, never computed from the clock.
EARLIEST = dt.datetime(2011, 1, 10, tzinfo=UTC)
LATEST = dt.datetime(2026, 9, 30, tzinfo=UTC)
DEFAULT_LICENCE = "cc-by-nc-4.0"

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def _data(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _items(cls: type, rows: list[dict]) -> list:
    """Dataclass instances from JSON rows: lists become the tuples the fields declare,
    ISO strings the datetimes."""
    types = {f.name: str(f.type) for f in fields(cls)}
    made = []
    for row in rows:
        values = {}
        for key, value in row.items():
            if isinstance(value, list) and types[key].startswith("tuple"):
                value = tuple(value)
            elif types[key].startswith("dt.datetime") and isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            values[key] = value
        made.append(cls(**values))
    return made


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionData:
    slug: str
    name: str
    parent: str | None
    position: int
    description: str


SECTIONS: list[SectionData] = _items(SectionData, _data("vocabulary")["SECTIONS"])


@dataclass(frozen=True)
class CountryData:
    slug: str
    name: str
    name_es: str
    places: tuple[str, ...]
    description: str


COUNTRIES: list[CountryData] = _items(CountryData, _data("vocabulary")["COUNTRIES"])


@dataclass(frozen=True)
class GroupData:
    slug: str
    name: str
    headline_en: str
    ref_en: str
    headline_es: str
    ref_es: str
    description: str
    plural: bool = False


GROUPS: list[GroupData] = _items(GroupData, _data("vocabulary")["GROUPS"])


@dataclass(frozen=True)
class TopicData:
    slug: str
    name: str
    activity_en: str
    activity_es: str


TOPICS: list[TopicData] = _items(TopicData, _data("vocabulary")["TOPICS"])


@dataclass(frozen=True)
class AuthorData:
    slug: str
    name: str
    bio: str


AUTHORS: list[AuthorData] = _items(AuthorData, _data("vocabulary")["AUTHORS"])

WRITER_AUTHOR_SLUG = "lucia-marroquin"


# ---------------------------------------------------------------------------------------------
# Story threads: several articles on the same actors and places across a few years
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    key: str
    group: str | None
    countries: tuple[str, ...]  # the first one is the home country
    topics: tuple[str, ...]
    years: tuple[int, int]
    count: int
    events: tuple[str, ...]
    beat: str  # slug of the author who usually covers the story
    rivals: tuple[str, ...] = ()
    # For threads without a group: how to name the actors (en headline, en ref, es headline,
    # es ref).
    actor: tuple[str, str, str, str] | None = None


# The vocabulary's Spanish names (Section/Country/CriminalGroup/Topic.name_es), by slug.
# A name missing here is the same in both languages (Guatemala, MS13, Tren de Aragua).
SPANISH_NAMES: dict[str, str] = _data("vocabulary")["SPANISH_NAMES"]

THREADS: list[Thread] = _items(Thread, _data("threads")["THREADS"])


# Where a thread's stories happen when they are set in its home country (default: anywhere in
# the country).
THREAD_PLACES: dict[str, tuple[str, ...]] = _data("threads")["THREAD_PLACES"]


# ---------------------------------------------------------------------------------------------
# Sentence templates. "G|" marks a template that needs a named criminal group.
# Placeholders: Actor/actor (headline/in-sentence), de_actor (Spanish "de"+actor), country,
# place, place2, activity, Activity, n, tons, pct, year, since.
# ---------------------------------------------------------------------------------------------

Templates = dict[str, list[str]]

EVENTS: dict[str, dict[str, Templates]] = _data("events")["EVENTS"]

CONTEXT: dict[str, list[str]] = _data("paragraphs")["CONTEXT"]

ANALYSIS: dict[str, list[str]] = _data("paragraphs")["ANALYSIS"]

QUOTES: dict[str, list[str]] = _data("paragraphs")["QUOTES"]

HEADINGS: dict[str, list[str]] = _data("paragraphs")["HEADINGS"]

CLOSINGS: dict[str, list[str]] = _data("paragraphs")["CLOSINGS"]


# ---------------------------------------------------------------------------------------------
# The Organization: news about the newsroom itself (invented)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgItem:
    title: str
    dek: str
    paragraphs: tuple[str, ...]
    language: str
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    authors: tuple[str, ...]
    when: dt.datetime


ORGANIZATION: list[OrgItem] = _items(OrgItem, _data("organization")["ORGANIZATION"])


# ---------------------------------------------------------------------------------------------
# Article specifications
# ---------------------------------------------------------------------------------------------


@dataclass
class ArticleSpec:
    key: str
    slug: str
    title: str
    dek: str
    body: str
    section: str
    language: str
    status: str  # "draft", "review" or "published"
    publish_at: dt.datetime | None
    authors: list[str]
    countries: list[str]
    groups: list[str]
    topics: list[str]
    primary_country: str | None = None
    primary_group: str | None = None
    licence: str = DEFAULT_LICENCE
    translation_of: str | None = None  # key of the article this one translates
    scheduled: bool = False
    extra: dict[str, str] = field(default_factory=dict)


_COUNTRY = {c.slug: c for c in COUNTRIES}
_GROUP = {g.slug: g for g in GROUPS}
_TOPIC = {t.slug: t for t in TOPICS}


def _de(ref: str) -> str:
    """Spanish "de" + article, with the de+el contraction."""
    if ref.startswith("el "):
        return "del " + ref[3:]
    return "de " + ref


def _a(ref: str) -> str:
    """Spanish "a" + article, with the a+el contraction."""
    if ref.startswith("el "):
        return "al " + ref[3:]
    return "a " + ref


_SENTENCE_START = re.compile(r"(^|[.!?]\s+|[“¿]|<p>|<blockquote><p>)([a-záéíóúñ])")


def _capitalize_sentences(text: str) -> str:
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def _title_case(text: str) -> str:
    small = {"of", "and", "the", "in", "on", "for", "to", "a"}
    words = text.split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _fmt(template: str, facts: dict[str, str]) -> str:
    text = template.format_map(facts)
    # Spanish contractions once the pieces are joined ("de el" -> "del", "a el" -> "al").
    text = text.replace(" de el ", " del ").replace(" a el ", " al ")
    return _capitalize_sentences(text)


# Place names that differ in Spanish.
PLACES_ES = _data("paragraphs")["PLACES_ES"]


# Topics that name an activity a group can run; the others (policy, elections, corruption)
# only tag the article.
_NOT_ACTIVITIES = {"security-policy", "elections", "corruption", "homicides", "money-laundering"}


# The topic an event is about, when its thread covers it.
EVENT_TOPICS: dict[str, str] = _data("paragraphs")["EVENT_TOPICS"]


def _activity_topic(topics: list[str], thread: Thread) -> str:
    for slug in [*topics, *thread.topics]:
        if slug not in _NOT_ACTIVITIES:
            return slug
    return "cocaine"


def _facts(
    lang: str,
    thread: Thread,
    country: str,
    topic: str,
    nums: dict[str, str],
    places: tuple[str, str],
) -> dict[str, str]:
    c = _COUNTRY[country]
    t = _TOPIC[topic]
    if thread.group:
        g = _GROUP[thread.group]
        headline, ref = (g.headline_en, g.ref_en) if lang == "en" else (g.headline_es, g.ref_es)
        plural = g.plural
    else:
        assert thread.actor is not None
        headline, ref = thread.actor[:2] if lang == "en" else thread.actor[2:]
        plural = True
    activity = t.activity_en if lang == "en" else t.activity_es
    place, place2 = (PLACES_ES.get(p, p) if lang == "es" else p for p in places)
    return {
        "Actor": headline,
        "actor": ref,
        "de_actor": _de(ref),
        "a_actor": _a(ref),
        # Verb agreement with the actor: "the Zetas have" / "the CJNG has".
        "has": "have" if plural else "has",
        "is": "are" if plural else "is",
        "its": "their" if plural else "its",
        "it": "them" if plural else "it",
        "v_s": "" if plural else "s",
        "ha": "han" if plural else "ha",
        "v_n": "n" if plural else "",
        "country": c.name if lang == "en" else c.name_es,
        "place": place,
        "place2": place2,
        "activity": activity,
        "Activity": _title_case(activity.removeprefix("the ")),
        "Activity_s": activity[:1].upper() + activity[1:],
        **nums,
    }


def _pick(rng: random.Random, options: list[str], has_group: bool) -> tuple[int, str]:
    usable = [
        (i, o.removeprefix("G|"))
        for i, o in enumerate(options)
        if has_group or not o.startswith("G|")
    ]
    return rng.choice(usable)


def _render_body(
    rng: random.Random, lang: str, facts: dict[str, str], lead: str, long_form: bool
) -> str:
    paragraphs = [_fmt(lead, facts), _fmt(rng.choice(CONTEXT[lang]), facts)]
    analysis = rng.sample(ANALYSIS[lang], 3 if long_form else rng.randint(1, 2))
    closing = _fmt(rng.choice(CLOSINGS[lang]), facts)
    parts = [f"<p>{p}</p>" for p in paragraphs]
    if long_form or rng.random() < 0.45:
        parts.append(f"<h2>{rng.choice(HEADINGS[lang])}</h2>")
    parts.extend(f"<p>{_fmt(p, facts)}</p>" for p in analysis)
    if long_form or rng.random() < 0.5:
        parts.append(f"<blockquote><p>{_fmt(rng.choice(QUOTES[lang]), facts)}</p></blockquote>")
    parts.append(f"<p>{closing}</p>")
    return "\n".join(parts)


class _SlugBook:
    """Hands out unique slugs and titles, deterministically."""

    def __init__(self) -> None:
        self.slugs: set[str] = set()
        self.titles: set[str] = set()

    def free(self, title: str) -> bool:
        return title.lower() not in self.titles and slugify(title)[:200] not in self.slugs

    def take(self, title: str) -> str:
        base = slugify(title)[:200].strip("-")
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        self.titles.add(title.lower())
        return slug


def _random_time(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = (end - start).total_seconds()
    moment = start + dt.timedelta(seconds=rng.random() * span)
    return moment.replace(
        hour=rng.randint(8, 20), minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
    )


def _licence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.80:
        return DEFAULT_LICENCE
    if roll < 0.88:
        return "cc-by-4.0"
    if roll < 0.95:
        return "cc-by-nc-nd-4.0"
    return "all-rights-reserved"


def _authors(rng: random.Random, beat: str) -> list[str]:
    count = rng.choices((1, 2, 3, 4), weights=(60, 25, 10, 5))[0]
    others = [a.slug for a in AUTHORS if a.slug != beat]
    if rng.random() < 0.65:
        return [beat, *rng.sample(others, count - 1)]
    return rng.sample(others, count)


def _two_places(rng: random.Random, thread: Thread, country: str) -> tuple[str, str]:
    pool = THREAD_PLACES.get(thread.key) if country == thread.countries[0] else None
    first, second = rng.sample(pool or _COUNTRY[country].places, 2)
    return first, second


def _section(rng: random.Random) -> str:
    return rng.choices(("brief", "analysis", "investigations", "news"), weights=(55, 25, 14, 6))[0]


def _thread_story(
    rng: random.Random,
    book: _SlugBook,
    thread: Thread,
    index: int,
    when: dt.datetime | None,
    status: str = "published",
    scheduled: bool = False,
) -> list[ArticleSpec]:
    """One story of a thread: an English and/or Spanish article (linked when both)."""
    section = _section(rng)
    event = {"analysis": "analysis", "investigations": "investigation"}.get(
        section, rng.choice(thread.events)
    )
    # Tags: the home country plus maybe a neighbour; the group plus maybe a rival.
    countries = [thread.countries[0]]
    extra = list(thread.countries[1:])
    if extra and rng.random() < 0.45:
        countries.append(rng.choice(extra))
        if len(extra) > 1 and rng.random() < 0.25:
            countries.append(rng.choice([c for c in extra if c not in countries] or extra))
    countries = list(dict.fromkeys(countries))
    groups: list[str] = []
    if thread.group:
        groups.append(thread.group)
        if thread.rivals and rng.random() < 0.35:
            groups.append(rng.choice(thread.rivals))
    topics = rng.sample(list(thread.topics), rng.randint(1, min(3, len(thread.topics))))
    lead_topic = EVENT_TOPICS.get(event)
    if lead_topic in thread.topics:
        # The story is about this: tag it first so the text and the tags agree.
        topics = [lead_topic, *(t for t in topics if t != lead_topic)][:3]
    primary_group = thread.group if thread.group and rng.random() < 0.55 else None
    primary_country = None if primary_group else countries[0]

    # The place named in the story belongs to one of the tagged countries.
    story_country = countries[0] if rng.random() < 0.75 else rng.choice(countries)
    places = _two_places(rng, thread, story_country)
    activity = _activity_topic(topics, thread)
    year = (when or LATEST).year
    nums = {
        "n": str(rng.randint(3, 38)),
        "people": str(rng.randint(4, 12) * 10),
        "tons": f"{rng.randint(1, 9)}.{rng.randint(1, 9)}",
        "pct": str(rng.randint(12, 61)),
        "year": str(year),
        "since": str(max(2005, min(year, thread.years[0]) - rng.randint(2, 6))),
    }
    roll = rng.random()
    languages = ["en"] if roll < 0.62 else (["es"] if roll < 0.84 else ["en", "es"])
    long_form = section == "investigations"
    templates = EVENTS[event]
    has_group = thread.group is not None

    # Choose a title variant (and place order) that no other article uses yet.
    chosen: tuple[int, tuple[str, str]] | None = None
    for attempt in range(12):
        idx, _ = _pick(rng, templates[languages[0]]["titles"], has_group)
        candidate_places = places if attempt < 4 else _two_places(rng, thread, story_country)
        ok = True
        for lang in languages:
            title = _fmt(
                templates[lang]["titles"][idx % len(templates[lang]["titles"])].removeprefix("G|"),
                _facts(lang, thread, story_country, activity, nums, candidate_places),
            )
            ok = ok and book.free(title)
        if ok:
            chosen = (idx, candidate_places)
            break
    if chosen is None:
        idx, _ = _pick(rng, templates[languages[0]]["titles"], has_group)
        chosen = (idx, places)
    idx, places = chosen

    authors = _authors(rng, thread.beat)
    licence = _licence(rng)
    lead_idx = rng.randrange(2)
    dek_idx = rng.randrange(8)
    body_seed = rng.randrange(1 << 30)
    key = f"{thread.key}-{index:02d}"
    specs: list[ArticleSpec] = []
    for lang in languages:
        facts = _facts(lang, thread, story_country, activity, nums, places)
        lang_t = templates[lang]
        title_t = lang_t["titles"][idx % len(lang_t["titles"])].removeprefix("G|")
        title = _fmt(title_t, facts)
        if not book.free(title):
            title = f"{title} ({year})"
        slug = book.take(title)
        body = _render_body(
            random.Random(body_seed),
            lang,
            facts,
            lang_t["leads"][lead_idx % len(lang_t["leads"])],
            long_form,
        )
        specs.append(
            ArticleSpec(
                key=f"{key}-{lang}",
                slug=slug,
                title=title,
                dek=_fmt(lang_t["deks"][dek_idx % len(lang_t["deks"])], facts),
                body=body,
                section=section,
                language=lang,
                status=status,
                publish_at=None
                if when is None
                else (when if lang == languages[0] else when + dt.timedelta(hours=3)),
                authors=authors,
                countries=countries,
                groups=groups,
                topics=topics,
                primary_country=primary_country,
                primary_group=primary_group,
                licence=licence,
                translation_of=f"{key}-en" if lang == "es" and len(languages) == 2 else None,
                scheduled=scheduled,
            )
        )
    return specs


def _organization(book: _SlugBook) -> Iterator[ArticleSpec]:
    for i, item in enumerate(ORGANIZATION):
        yield ArticleSpec(
            key=f"org-{i:02d}",
            slug=book.take(item.title),
            title=item.title,
            dek=item.dek,
            body="\n".join(f"<p>{p}</p>" for p in item.paragraphs),
            section="the-organization",
            language=item.language,
            status="published",
            publish_at=item.when,
            authors=list(item.authors),
            countries=list(item.countries),
            groups=[],
            topics=list(item.topics),
            primary_country=item.countries[0],
        )


def build_corpus(now: dt.datetime) -> list[ArticleSpec]:
    """Every demo article, in a stable order (translated originals come first).

    ``now`` is only used for the few scheduled items, placed a few days ahead of it.
    """
    rng = random.Random(SEED)
    book = _SlugBook()
    specs: list[ArticleSpec] = []
    for thread in THREADS:
        start = max(EARLIEST, dt.datetime(thread.years[0], 1, 10, tzinfo=UTC))
        end = min(LATEST, dt.datetime(thread.years[1], 12, 1, tzinfo=UTC))
        step = (end - start) / thread.count
        for i in range(thread.count):
            when = _random_time(rng, start + step * i, start + step * (i + 1))
            specs.extend(_thread_story(rng, book, thread, i, when))
    specs.extend(_organization(book))

    # Work in progress: drafts and pieces in review have no publish time yet; scheduled
    # pieces are published with a time a few days ahead.
    pending = [("draft", 4), ("review", 3), ("scheduled", 3)]
    anchor = now.replace(minute=0, second=0, microsecond=0)
    n = 0
    for kind, count in pending:
        for _ in range(count):
            thread = THREADS[(n * 5) % len(THREADS)]
            n += 1
            if kind == "scheduled":
                when = anchor + dt.timedelta(days=2 + 3 * n, hours=9)
                stories = _thread_story(rng, book, thread, 90 + n, when, "published", True)
            else:
                stories = _thread_story(rng, book, thread, 90 + n, None, kind)
            specs.extend(stories)
    return specs
