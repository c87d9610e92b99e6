"""A synthetic newsroom corpus with known story threads, for the related-content benchmarks.

Deterministic (seeded). What makes it realistic enough to be hard:

- **Story threads**: 3-9 articles about one event (one criminal group, one country, a few
  topics, within a few months), sharing some distinctive words (a place, a person, an event).
- **Hard negatives**: every group has several threads years apart, so "shares the group" is
  not enough; groups and countries also appear in unrelated noise stories.
- **A very common country**: "Mexico" is on ~40% of all articles, whatever their story.
- **Generic words**: most of every text is drawn from a Zipf-distributed newsroom vocabulary
  ("police", "security", ...), so raw word overlap is everywhere.
- **Tagging noise**: some thread articles miss their group tag or get an unrelated topic.
- **Other languages and states**: ~15% Spanish articles (threads covered in both languages),
  ~5% drafts or in review and ~3% scheduled, often inside threads (tempting, must never show).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

SYLLABLES = [
    "ba", "be", "bi", "bo", "ca", "co", "da", "de", "do", "fa", "fe", "ga", "go", "la", "le",
    "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "no", "pa", "pe", "po", "ra", "re", "ri",
    "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "za", "zo", "ran", "tel",
    "mar", "sol", "der", "cun", "pal", "ver", "gan", "tor", "lin", "mes", "sur", "ban", "quel",
]  # fmt: skip


@dataclass
class ArticleSpec:
    key: int
    title: str
    dek: str
    body: str
    language: str
    status: str  # draft / review / published
    publish_at: dt.datetime
    groups: list[int]
    countries: list[int]
    topics: list[int]
    primary_group: int | None
    primary_country: int | None
    thread: int | None  # None for noise


@dataclass
class Corpus:
    countries: list[str]
    groups: list[str]
    topics: list[str]
    articles: list[ArticleSpec] = field(default_factory=list)


def _words(rng: random.Random, count: int, taken: set[str], lo: int = 2, hi: int = 4) -> list[str]:
    out = []
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi)))
        if len(word) >= 5 and word not in taken:
            taken.add(word)
            out.append(word)
    return out


class _Zipf:
    """Draw words with Zipf-like frequencies (a few very common, a long tail)."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng = rng
        self.words = words
        self.weights = [1.0 / (rank + 1) for rank in range(len(words))]
        total = 0.0
        self.cumulative = []
        for weight in self.weights:
            total += weight
            self.cumulative.append(total)

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)


def generate(
    n_articles: int,
    *,
    seed: int = 7,
    n_groups: int | None = None,
    n_countries: int = 24,
    n_topics: int | None = None,
    body_words: int = 260,
    start: dt.datetime = dt.datetime(2012, 1, 1, tzinfo=dt.UTC),
    years: float = 13.0,
) -> Corpus:
    rng = random.Random(seed)
    taken: set[str] = set()
    n_groups = n_groups or max(12, n_articles // 300)
    n_topics = n_topics or max(10, n_articles // 1500)
    countries = ["Mexico", *[w.capitalize() for w in _words(rng, n_countries - 1, taken)]]
    groups = [f"{w.capitalize()} Cartel" for w in _words(rng, n_groups, taken)]
    topics = _words(rng, n_topics, taken)
    generic_en = _Zipf(rng, _words(rng, 3000, taken))
    generic_es = _Zipf(rng, _words(rng, 3000, taken))
    group_words = [_words(rng, 6, taken) for _ in groups]
    # Group "home" countries make tags correlate as in reality.
    home = [rng.randrange(n_countries) for _ in groups]
    corpus = Corpus(countries=countries, groups=groups, topics=topics)
    now = dt.datetime.now(dt.UTC)
    span_days = years * 365

    def text(generic: _Zipf, special: list[str], n_special: int, n_words: int) -> str:
        words = generic.sample(n_words - n_special) + rng.choices(special, k=n_special)
        rng.shuffle(words)
        return " ".join(words)

    def state() -> tuple[str, dt.datetime | None]:
        roll = rng.random()
        if roll < 0.03:
            return "draft", None
        if roll < 0.05:
            return "review", None
        if roll < 0.08:
            return "published", now + dt.timedelta(days=rng.randint(1, 30))  # scheduled
        return "published", None

    def add(spec: dict) -> None:
        status, when = state()
        spec["status"] = status
        if when is not None:
            spec["publish_at"] = when
        corpus.articles.append(ArticleSpec(key=len(corpus.articles), **spec))

    # Threads take ~55% of the corpus; the rest is noise.
    thread_id = 0
    while len(corpus.articles) < n_articles * 0.55:
        group = rng.randrange(n_groups)
        country = home[group] if rng.random() < 0.7 else rng.randrange(n_countries)
        thread_topics = rng.sample(range(n_topics), 2)
        center = start + dt.timedelta(days=rng.uniform(0, span_days))
        distinct = _words(rng, 8, taken)
        size = rng.randint(3, 9)
        for _ in range(size):
            language = "es" if rng.random() < 0.15 else "en"
            generic = generic_es if language == "es" else generic_en
            special = distinct + group_words[group]
            groups_tags = [group] if rng.random() > 0.15 else []
            if rng.random() < 0.2:
                groups_tags.append(rng.randrange(n_groups))
            country_tags = [country]
            if rng.random() < 0.4 and country != 0:
                country_tags.append(0)  # Mexico, the very common tag
            topic_tags = rng.sample(thread_topics, rng.randint(1, 2))
            if rng.random() < 0.2:
                topic_tags.append(rng.randrange(n_topics))
            headline = [*rng.sample(distinct, 2), groups[group].split()[0]]
            add(
                {
                    "title": " ".join(headline + generic.sample(5)).capitalize(),
                    "dek": text(generic, special, 4, 18),
                    "body": f"<p>{text(generic, special, 18, body_words)}</p>",
                    "language": language,
                    "publish_at": center + dt.timedelta(days=rng.uniform(-60, 60)),
                    "groups": sorted(set(groups_tags)),
                    "countries": sorted(set(country_tags)),
                    "topics": sorted(set(topic_tags)),
                    "primary_group": group if groups_tags and rng.random() < 0.6 else None,
                    "primary_country": None,
                    "thread": thread_id,
                }
            )
        thread_id += 1

    while len(corpus.articles) < n_articles:
        language = "es" if rng.random() < 0.15 else "en"
        generic = generic_es if language == "es" else generic_en
        group = rng.randrange(n_groups)
        has_group = rng.random() < 0.6
        country = home[group] if rng.random() < 0.5 else rng.randrange(n_countries)
        country_tags = {country} | ({0} if rng.random() < 0.4 else set())
        special = group_words[group] if has_group else generic.sample(6)
        add(
            {
                "title": " ".join(generic.sample(7)).capitalize(),
                "dek": text(generic, special, 2, 18),
                "body": f"<p>{text(generic, special, 6, body_words)}</p>",
                "language": language,
                "publish_at": start + dt.timedelta(days=rng.uniform(0, span_days)),
                "groups": [group] if has_group else [],
                "countries": sorted(country_tags),
                "topics": [rng.randrange(n_topics)],
                "primary_group": None,
                "primary_country": country,
                "thread": None,
            }
        )
    for spec in corpus.articles:
        if spec.primary_group is not None and spec.primary_group not in spec.groups:
            spec.primary_group = None
        if spec.primary_country is not None and spec.primary_country not in spec.countries:
            spec.primary_country = None
        if spec.primary_group is None and spec.primary_country is None and spec.countries:
            spec.primary_country = spec.countries[0]
    return corpus
