"""Reader search on 100k articles (PostgreSQL): p50/p95/p99 per kind of query.

    .venv/bin/python benchmarks/search_scale.py                 # build (if needed), measure
    .venv/bin/python benchmarks/search_scale.py --rebuild       # drop and build again
    .venv/bin/python benchmarks/search_scale.py --articles 20000 --rounds 10

What one timing is: what the search page asks the database, run through the same code
(``articles.search``): the filter choices (one query), then the first page of 12 results
with their ranks, highlighted snippets and the count of matches (one query), the Hit
objects built. Not the template.

The corpus: 100k articles (80% English, 20% Spanish; 5% drafts, in review or scheduled,
which must never match), written from real newsroom vocabulary in both languages with
Zipf-like frequencies (a few words in most articles, a long tail of rare ones), accented
Spanish names (México, extorsión, cárteles), ~350 words of body in paragraphs, tags by
country and group, 14 years of dates. Loaded by COPY into a scratch database
(``newsroom_h6_search`` unless ``--database-url``); the search trigger fills the vector.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_h6_search"

# Frequent words first (Zipf: the n-th is drawn ~1/n as often as the first).
EN = """police security government officials cartel drug trafficking violence authorities
president country city state prison gang members report investigation according military
forces national border killed murder arrested network criminal groups organized crime money
cocaine prosecutors said told year years people local federal army operation public leader
leaders control territory homicides extortion corruption judge court case charges officers
minister congress elections political power business companies laundering port ports route
routes shipment tons seized seizure weapons guns arms smuggling migrants migration northern
southern region regional community communities journalists attacks attack family families
victims disappeared bodies graves mayor governor police chief inmates prisons guards riot
riots transfer extradition extradited united states mexico colombia guatemala honduras
salvador venezuela ecuador peru brazil bolivia paraguay argentina chile panama costa rica
nicaragua haiti dominican caribbean pacific atlantic coast highway airport airstrip
aircraft boat boats vessel navy coast guard narco semi submersible fentanyl
methamphetamine heroin marijuana precursors chemicals laboratory labs synthetic production
coca crops eradication farmers illegal mining gold timber logging fishing wildlife
trafficking human smuggling kidnapping ransom contract killers hitmen assassination
informant witness testimony trial sentence sentenced convicted acquitted released escape
escaped fugitive capture captured manhunt reward bounty intelligence surveillance
wiretaps phones encrypted messages cryptocurrency banks accounts shell front real estate
cattle ranch lime mining fuel theft pipeline oil tapping taxes tolls vendors
merchants transport buses taxis drivers schools teachers students church""".split()  # noqa: SIM905
ES = """policía seguridad gobierno funcionarios cártel cárteles narcotráfico violencia
autoridades presidente país ciudad estado prisión cárcel pandilla pandillas miembros
informe investigación según militares fuerzas nacional frontera asesinado asesinato
homicidio homicidios detenido detenidos red redes criminales grupos crimen organizado dinero
cocaína fiscales fiscalía dijo año años personas local federal ejército operativo público
líder líderes control territorio extorsión corrupción juez tribunal caso cargos agentes
ministro congreso elecciones político poder empresas lavado puerto puertos ruta rutas
cargamento toneladas incautado incautación armas contrabando migrantes migración norte sur
región comunidad comunidades periodistas ataques ataque familia familias víctimas
desaparecidos cuerpos fosas alcalde gobernador jefe reos penales guardias motín traslado
extradición extraditado estados unidos méxico colombia guatemala honduras el salvador
venezuela ecuador perú brasil bolivia paraguay argentina chile panamá costa rica nicaragua
haití caribe pacífico atlántico costa carretera aeropuerto pista avioneta lancha lanchas
embarcación armada guardacostas narcosubmarino semisumergible fentanilo metanfetamina
heroína marihuana precursores químicos laboratorio laboratorios sintéticas producción coca
cultivos erradicación campesinos minería ilegal oro madera tala pesca fauna trata de
personas tráfico secuestro rescate sicarios sicariato asesinos informante testigo
testimonio juicio condena condenado absuelto liberado fuga fugado prófugo captura capturado
recompensa inteligencia vigilancia escuchas teléfonos mensajes cifrados criptomonedas bancos
cuentas empresas fachada bienes raíces ganado rancho aguacate limón combustible huachicol
robo ducto impuestos cuotas comerciantes transporte autobuses taxistas escuelas maestros
estudiantes iglesia""".split()  # noqa: SIM905
# The long tail: words in about one article in a hundred (each article draws a few).
_RARE_EN = "submarine avocado priest ocelot helicopter casino lottery racehorse orchid shipyard"
_RARE_ES = "narcosubmarino aguacate sacerdote helicóptero casino lotería caballo orquídea cantera"
RARE = {"en": _RARE_EN.split(), "es": _RARE_ES.split()}
COUNTRIES = [
    ("mexico", "México"),
    ("colombia", "Colombia"),
    ("guatemala", "Guatemala"),
    ("honduras", "Honduras"),
    ("el-salvador", "El Salvador"),
    ("venezuela", "Venezuela"),
    ("ecuador", "Ecuador"),
    ("peru", "Perú"),
    ("brazil", "Brasil"),
    ("panama", "Panamá"),
    ("costa-rica", "Costa Rica"),
    ("paraguay", "Paraguay"),
]
GROUPS = [
    ("sinaloa-cartel", "Sinaloa Cartel"),
    ("cjng", "Jalisco Cartel New Generation"),
    ("zetas", "Zetas"),
    ("ms13", "MS13"),
    ("barrio-18", "Barrio 18"),
    ("clan-del-golfo", "Clan del Golfo"),
    ("tren-de-aragua", "Tren de Aragua"),
    ("pcc", "PCC"),
    ("los-choneros", "Los Choneros"),
    ("gulf-cartel", "Gulf Cartel"),
]
SECTIONS = [
    ("news", "News", None),
    ("brief", "Brief", "news"),
    ("investigations", "Investigations", None),
]

# (kind, query, filters): what readers type. Accented and unaccented forms of the same words.
QUERIES = [
    ("one common word", "police", {}),
    ("one common word", "cartel", {}),
    ("one common word", "violencia", {}),
    ("one rare word", "submarine", {}),
    ("one rare word", "avocado", {}),
    ("one rare word", "sacerdote", {}),
    ("two words", "prison riot", {}),
    ("two words", "cocaine seizure", {}),
    ("two words", "extorsión comerciantes", {}),
    ("accented", "méxico", {}),
    ("accented", "extorsión", {}),
    ("accented", "cárteles", {}),
    ("unaccented", "mexico", {}),
    ("unaccented", "extorsion", {}),
    ("unaccented", "carteles", {}),
    ("with filters", "cartel", {"country": "mexico"}),
    ("with filters", "extorsion", {"language": "es", "year": 2024}),
    ("with filters", "prison", {"section": "news", "group": "ms13"}),
    ("phrase", '"drug trafficking"', {}),
    ("phrase", '"crimen organizado"', {}),
]


def zipf_weights(n: int) -> list[float]:
    total, out = 0.0, []
    for rank in range(n):
        total += 1.0 / (rank + 1)
        out.append(total)
    return out


def generate_rows(n: int, seed: int, section_ids, country_ids, group_ids):
    """Article rows for COPY and their tags, deterministic for a seed."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=14 * 365)
    vocab = {"en": (EN, zipf_weights(len(EN))), "es": (ES, zipf_weights(len(ES)))}
    country_names = {"en": [c[1] for c in COUNTRIES], "es": [c[1] for c in COUNTRIES]}
    country_names["en"][0], country_names["en"][7] = "Mexico", "Peru"

    def words(language: str, count: int) -> list[str]:
        pool, cumulative = vocab[language]
        return rng.choices(pool, cum_weights=cumulative, k=count)

    for pk in range(1, n + 1):
        language = "es" if rng.random() < 0.2 else "en"
        country = rng.randrange(len(COUNTRIES)) if rng.random() < 0.9 else 0
        group = rng.randrange(len(GROUPS)) if rng.random() < 0.6 else None
        names = [country_names[language][country]] + (
            [GROUPS[group][1]] if group is not None else []
        )
        title = " ".join([*words(language, rng.randint(5, 9)), *names]).capitalize()
        dek = " ".join(words(language, rng.randint(18, 30)) + names[:1]).capitalize() + "."
        paragraphs = []
        for _ in range(rng.randint(5, 9)):
            sentence = words(language, rng.randint(35, 55))
            sentence.insert(rng.randrange(len(sentence)), rng.choice(names))
            paragraphs.append(f"<p>{' '.join(sentence).capitalize()}.</p>")
        for word in rng.sample(RARE[language], rng.choice((0, 0, 1))):
            paragraphs.insert(rng.randrange(len(paragraphs)), f"<p>{word.capitalize()}.</p>")
        roll = rng.random()
        status, publish_at = "published", start + dt.timedelta(days=rng.uniform(0, 14 * 365))
        if roll < 0.02:
            status, publish_at = "draft", None
        elif roll < 0.03:
            status, publish_at = "review", None
        elif roll < 0.05:
            publish_at = now + dt.timedelta(days=rng.uniform(1, 30))  # scheduled
        section = section_ids[rng.randrange(len(section_ids))]
        row = (
            pk,
            title[:250],
            f"s-{pk}",
            dek,
            "\n".join(paragraphs),
            language,
            status,
            publish_at,
            now,
            now,
            "cc-by-nc-4.0",
            section,
        )
        tags = {
            "country": [country_ids[country]] + ([country_ids[0]] if rng.random() < 0.3 else []),
            "group": [group_ids[group]] if group is not None else [],
        }
        yield row, tags


def build(n: int, seed: int) -> None:
    from django.db import connection, transaction

    from articles.models import Country, CriminalGroup, Section

    sections = {}
    for slug, name, parent in SECTIONS:
        sections[slug] = Section.objects.create(
            slug=slug, name=name, parent=sections.get(parent) if parent else None
        )
    countries = [Country.objects.create(slug=s, name=n) for s, n in COUNTRIES]
    groups = [CriminalGroup.objects.create(slug=s, name=n) for s, n in GROUPS]
    section_ids = [s.pk for s in sections.values()]
    columns = (
        "id, title, slug, dek, body, language, status, publish_at, created_at, updated_at, "
        "licence, section_id"
    )
    started = time.perf_counter()
    # Each batch's tags go in before its articles, inside one transaction (the foreign keys
    # are checked at commit): the insert trigger then writes each vector once, with its
    # country and group lexemes (migration 0011), as an article saved by the admin has it,
    # rather than every row being rewritten by the tag tables' triggers afterwards.
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        rows = generate_rows(
            n, seed, section_ids, [c.pk for c in countries], [g.pk for g in groups]
        )
        batch = 5000
        done = 0
        while done < n:
            chunk = [next(rows) for _ in range(min(batch, n - done))]
            for kind, table in (
                ("country", "articles_taggedcountry"),
                ("group", "articles_taggedgroup"),
            ):
                with raw.copy(f"COPY {table} (content_object_id, tag_id) FROM STDIN") as copy:
                    for row, tags in chunk:
                        for tag in set(tags[kind]):
                            copy.write_row((row[0], tag))
            with raw.copy(
                # body_html: the body as pages show it (no inline pictures here: the same).
                f"COPY articles_article ({columns}, body_html, version) FROM STDIN"
            ) as copy:
                for row, _tags in chunk:
                    copy.write_row((*row, row[4], 1))
            done += len(chunk)
            print(f"  {done} articles ({time.perf_counter() - started:.0f}s)", flush=True)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('articles_article', 'id'), max(id)) "
            "FROM articles_article"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f}s", flush=True)


def measure(rounds: int) -> dict[str, list[float]]:
    from articles import search as search_module

    timings: dict[str, list[float]] = {}
    counts: dict[tuple, int] = {}
    # One warm-up pass (plans, catalog caches, the first read of index pages).
    for _, query, filters in QUERIES:
        search_module.search(query, search_module.Filters(**filters)).page(1, 12)
    for _ in range(rounds):
        for kind, query, filters in QUERIES:
            started = time.perf_counter()
            search_module.facet_choices()
            results = search_module.search(query, search_module.Filters(**filters))
            page = results.page(1, 12)  # what the view does: hits, snippets and the count
            elapsed = time.perf_counter() - started
            timings.setdefault(kind, []).append(elapsed * 1000)
            counts[(kind, query, tuple(sorted(filters.items())))] = page.paginator.count
            assert page.object_list or page.paginator.count == 0
    for (kind, query, filters), count in counts.items():
        shown = ", ".join(f"{k}={v}" for k, v in filters)
        print(f"  {kind:16} {query!r:28} {shown:32} {count:>6} matches")
    return timings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    name = urlparse(args.database_url).path.lstrip("/")
    if not name.endswith("_search"):
        raise SystemExit(f"Refusing to use {name!r}: the scratch database's name ends in _search")

    import psycopg

    with psycopg.connect(
        args.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and args.rebuild:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-insecure-key-never-use-in-production-0123456789abc"
    )
    os.environ.setdefault("SITE_URL", "http://testserver")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    have = Article.objects.count()
    if have == 0:
        print(f"Building {args.articles} articles in {name}:", flush=True)
        build(args.articles, args.seed)
    elif have != args.articles:
        raise SystemExit(f"{name} holds {have} articles, not {args.articles}: use --rebuild")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('articles_article_search_idx'))")
        index_size = cursor.fetchone()[0]
    load = os.getloadavg()
    print(
        f"\n{version}; {Article.objects.count()} articles "
        f"({Article.objects.published().count()} public); GIN index {index_size}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    print(f"Matches per query ({args.rounds} rounds of {len(QUERIES)} queries):")
    timings = measure(args.rounds)
    print("\nms per search (filter choices + count + first page with snippets):")
    print(f"  {'kind':16} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    everything: list[float] = []
    for kind, values in timings.items():
        everything.extend(values)
        print(
            f"  {kind:16} {len(values):>4} {statistics.median(values):7.1f} "
            f"{pct(values, 95):7.1f} {pct(values, 99):7.1f} {max(values):7.1f}"
        )
    print(
        f"  {'all':16} {len(everything):>4} {statistics.median(everything):7.1f} "
        f"{pct(everything, 95):7.1f} {pct(everything, 99):7.1f} {max(everything):7.1f}"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
