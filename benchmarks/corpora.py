"""Corpus generators for the related-content quality benchmark: story threads, decoys, noise.

``benchmarks/corpus.py`` is one generator (the scale benchmark's); a ranking tuned on one
generator fits its quirks, so the quality benchmark judges the engine on several that differ in
how stories are written and tagged (``PROFILES``), and on a held-out profile whose parameters
are drawn from a seed (``heldout``) and are never printed or looked at while tuning.

Every corpus has:

- **Story threads**: articles about one event (a group, a country, one or two topics, a date
  window), naming the same people, place and often an operation, with event words
  ("ambush", "extradition") that other stories also use. Ground truth: same thread = relevant.
- **Decoys**: articles that share a thread's group, topics and period (and the group's leaders
  and home towns) but report another event: never relevant.
- **Noise**: unrelated coverage, tagged like everything else (a very common country included).
- **Tag noise**: missing group tags, wrong extra groups and topics, missing primary tags.
- **Languages and states**: English and Spanish (names are the same in both languages), drafts,
  articles in review and scheduled ones, often inside threads: they must never be shown.

Text is made of invented words (``syllable``) or of short newsroom word lists written for this
module (``lexicon``); no sentence comes from a real article.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, fields

from benchmarks.corpus import SYLLABLES, ArticleSpec, Corpus, _Zipf


@dataclass(frozen=True)
class Profile:
    """How a corpus is written and tagged."""

    name: str
    articles: int = 3000
    vocabulary: str = "syllable"  # "syllable" (invented words) or "lexicon" (word lists)
    thread_share: float = 0.5  # share of articles in threads
    thread_size: tuple[int, int] = (3, 9)
    thread_days: int = 60  # half-width of a thread's date window
    decoy_share: float = 0.15  # share of articles that are decoys
    years: float = 13.0
    spanish: float = 0.15  # share of Spanish articles
    thread_language: bool = False  # True: a thread is written mostly in one language
    groups: int = 12
    topics: int = 10
    missing_group: float = 0.15  # thread article without its group tag
    extra_group: float = 0.2  # an unrelated extra group tag
    extra_topic: float = 0.2
    entity_mentions: tuple[int, int] = (4, 12)  # story names in a body
    title_entity: float = 0.8  # headline names a person, place or operation of the story
    home_place: float = 0.4  # the story happens in one of the group's home towns
    body_words: int = 220
    event_words: int = 60  # size of the shared pool of event words ("ambush", ...)


PROFILES: dict[str, Profile] = {
    # The corpus the engine is tuned on: invented words, mid-sized threads, many decoys, few
    # names per article, stories often in a group's home town.
    "tune": Profile(
        name="tune",
        thread_size=(4, 12),
        thread_days=120,
        decoy_share=0.3,
        entity_mentions=(1, 4),
        title_entity=0.6,
        home_place=0.6,
    ),
    # Word lists, long sagas over a dense 4-year period, many decoys, noisy tags, 40% Spanish
    # with threads mostly in one language, few names per story, headlines often without them.
    "sagas": Profile(
        name="sagas",
        articles=3400,
        vocabulary="lexicon",
        thread_share=0.55,
        thread_size=(5, 16),
        thread_days=150,
        decoy_share=0.3,
        years=4.0,
        spanish=0.4,
        thread_language=True,
        groups=8,
        topics=8,
        missing_group=0.3,
        extra_group=0.3,
        extra_topic=0.35,
        entity_mentions=(2, 6),
        title_entity=0.55,
        home_place=0.7,
        body_words=300,
        event_words=40,
    ),
    # Short briefs over 20 years: small threads, a third Spanish mixed inside threads, many
    # groups and topics, tags fairly clean, few words, decoys moderate.
    "briefs": Profile(
        name="briefs",
        articles=3200,
        vocabulary="lexicon",
        thread_share=0.6,
        thread_size=(3, 7),
        thread_days=30,
        decoy_share=0.2,
        years=20.0,
        spanish=0.35,
        groups=30,
        topics=16,
        missing_group=0.1,
        extra_group=0.1,
        extra_topic=0.1,
        entity_mentions=(2, 5),
        title_entity=0.9,
        home_place=0.3,
        body_words=90,
        event_words=80,
    ),
}

HELDOUT_SEED = 9041


def heldout(seed: int = HELDOUT_SEED) -> Profile:
    """A profile drawn at random within the range the named profiles span (not printed)."""
    rng = random.Random(seed)
    low = rng.randint(3, 5)
    return Profile(
        name="held-out",
        articles=rng.randint(3000, 3500),
        vocabulary=rng.choice(["syllable", "lexicon"]),
        thread_share=rng.uniform(0.45, 0.6),
        thread_size=(low, low + rng.randint(3, 10)),
        thread_days=rng.randint(30, 150),
        decoy_share=rng.uniform(0.15, 0.3),
        years=rng.uniform(4, 20),
        spanish=rng.uniform(0.15, 0.4),
        thread_language=rng.random() < 0.5,
        groups=rng.randint(8, 30),
        topics=rng.randint(8, 16),
        missing_group=rng.uniform(0.1, 0.3),
        extra_group=rng.uniform(0.1, 0.3),
        extra_topic=rng.uniform(0.1, 0.35),
        entity_mentions=(rng.randint(2, 4), rng.randint(5, 12)),
        title_entity=rng.uniform(0.55, 0.9),
        home_place=rng.uniform(0.3, 0.7),
        body_words=rng.randint(90, 300),
        event_words=rng.randint(40, 80),
    )


def describe(profile: Profile) -> str:
    if profile.name == "held-out":
        return "held-out (parameters drawn from its seed, not shown)"
    default = Profile(name=profile.name)
    changed = [
        f"{f.name}={getattr(profile, f.name)}"
        for f in fields(Profile)
        if f.name != "name" and getattr(profile, f.name) != getattr(default, f.name)
    ]
    return f"{profile.name}: " + (", ".join(changed) or "defaults")


# --- Word lists (written for this module) ------------------------------------------------


def _split(text: str) -> list[str]:
    return text.split()


GENERIC = {
    "en": """police security government state authorities investigation prosecutors court case
    city region area border road town village market street local national federal public
    people families residents community members workers farmers business companies money
    million dollars payments accounts bank prices cost trade exports imports goods shipment
    violence attack killed dead bodies wounded weapons guns arrested detained charged trial
    sentence prison jail judge lawyer evidence witness testimony statement interview source
    control territory routes network structure leaders members cell faction rivals war truce
    army soldiers navy marines patrol operation raid checkpoint vehicles trucks boats plane
    drugs cocaine heroin marijuana methamphetamine fentanyl chemicals laboratory production
    corruption bribes mayor governor minister congress senator election campaign candidate
    threats extortion kidnapping homicide murder disappearance victims relatives search
    week month morning night days later earlier since during recent previous following
    announced confirmed denied claimed revealed documents records files data figures analysis
    experts researchers journalists media press radio newspaper website social accounts
    president policy strategy plan program reform law decree agency office department unit
    international foreign united states europe asia africa america southern northern coast
    mountains river valley highway port airport capital province department municipality""",
    "es": """policía seguridad gobierno estado autoridades investigación fiscales tribunal caso
    ciudad región zona frontera camino pueblo aldea mercado calle local nacional federal público
    gente familias vecinos comunidad miembros trabajadores campesinos negocio empresas dinero
    millones dólares pagos cuentas banco precios costo comercio exportaciones importaciones
    carga violencia ataque muertos cuerpos heridos armas fusiles arrestados detenidos acusados
    juicio condena prisión cárcel juez abogado pruebas testigo testimonio declaración entrevista
    fuente control territorio rutas red estructura líderes integrantes célula facción rivales
    guerra tregua ejército soldados marina infantes patrulla operativo allanamiento retén
    vehículos camiones lanchas avioneta drogas cocaína heroína marihuana metanfetamina fentanilo
    químicos laboratorio producción corrupción sobornos alcalde gobernador ministro congreso
    senador elecciones campaña candidato amenazas extorsión secuestro homicidio asesinato
    desaparición víctimas familiares búsqueda semana mes mañana noche días después antes
    reciente anterior siguiente anunció confirmó negó afirmó reveló documentos registros
    archivos datos cifras análisis expertos investigadores periodistas medios prensa radio
    periódico sitio redes presidente política estrategia plan programa reforma ley decreto
    agencia oficina departamento unidad internacional extranjero unidos europa asia áfrica
    américa sur norte costa montañas río valle carretera puerto aeropuerto capital provincia
    municipio""",
}
# Event words, as English/Spanish pairs: stories draw a few, and many stories share each one.
EVENTS = _split(
    """ambush:emboscada extradition:extradición tunnel:túnel escape:fuga massacre:masacre
    seizure:decomiso submarine:semisumergible landing:aterrizaje airstrip:pista ransom:rescate
    raid:redada shootout:balacera ambulance:ambulancia bridge:puente dam:represa mine:mina
    gold:oro timber:madera cattle:ganado avocado:aguacate lime:limón fuel:combustible
    pipeline:oleoducto refinery:refinería container:contenedor warehouse:bodega hotel:hotel
    casino:casino nightclub:discoteca hospital:hospital school:escuela church:iglesia
    cemetery:cementerio grave:fosa ranch:rancho farm:finca island:isla beach:playa lake:lago
    forest:selva desert:desierto canal:canal bus:autobús train:tren helicopter:helicóptero
    drone:dron grenade:granada rifle:rifle ammunition:munición uniform:uniforme badge:placa
    cellphone:celular recording:grabación video:video letter:carta banner:narcomanta
    funeral:funeral wedding:boda concert:concierto stadium:estadio market:mercado toll:peaje
    customs:aduana shipyard:astillero fishing:pesca shrimp:camarón coffee:café cocoa:cacao
    sugar:azúcar cement:cemento scrap:chatarra lottery:lotería pawnshop:empeño taxi:taxi
    motorcycle:motocicleta pharmacy:farmacia clinic:clínica prison:penal riot:motín
    hunger:huelga protest:protesta blockade:bloqueo curfew:toque"""
)
FIRST_NAMES = _split(
    """Juan José Luis Carlos Jorge Miguel Pedro Rafael Ramón Raúl Ricardo Roberto Sergio
    Víctor Óscar Mario Julio César Héctor Hugo Iván Jaime Javier Manuel Marco Nelson Omar Pablo
    Rubén Saúl Tomás Vicente Adriana Alejandra Ana Beatriz Carmen Claudia Diana Elena Gabriela
    Isabel Laura Lucía María Marta Mónica Natalia Patricia Rosa Sandra Silvia Teresa Verónica
    Yolanda Fabián Gustavo Ernesto Eduardo Arturo Alfredo Andrés Armando Benito Cristian
    Darío Efraín Emilio Felipe Gilberto Horacio Ismael Leonel Lorenzo Marcelo Nicolás Rodrigo
    Samuel Teodoro Ulises Wilmer Xavier Yesid Zacarías"""
)
SURNAMES = _split(
    """García Martínez López González Rodríguez Hernández Pérez Sánchez Ramírez Torres
    Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Castillo Jiménez Vargas
    Romero Herrera Medina Aguilar Castro Mendoza Ruiz Álvarez Chávez Vásquez Moreno Guzmán
    Salazar Navarro Delgado Cortés Rojas Campos Vega Contreras Guerrero Molina Estrada Fuentes
    Ibarra Luna Maldonado Miranda Ochoa Padilla Quintero Salinas Sandoval Serrano Solís Tapia
    Valencia Valdez Zamora Arellano Beltrán Caro Carrillo Cárdenas Escobar Félix Gallardo
    Leyva Loaiza Meza Palma Quiroz Rentería Urrutia Zambada Acosta Bermúdez Cifuentes Durán
    Espinoza Galeano Henao Londoño Mejía Montoya Osorio Posada Restrepo Saldarriaga Uribe"""
)
PLACE_PARTS = _split(
    """San Santa Puerto Villa Nueva Valle Cerro Río Playa Boca Punta Loma Llano Ciudad
    Real Alto Bajo Viejo Grande Chico Verde Blanco Negro Dorado Hondo Seco"""
)
PLACE_STEMS = _split(
    """Tamar Cuyal Oriz Belén Anzal Chiqui Moral Palmar Cocal Jagua Tepal Mazat Coyo
    Ixtla Guaca Zarza Cañav Pinar Olmed Arenal Tule Salit Nogal Pital Tecom Carac Quebrad
    Chala Curay Manzan Ocot Tapan Ceiba Yagual Mecat Huasc Tolim Cauca Sucre Zapot Juchi
    Cotij Tierra Aguac Limonc Ayot Batey Chirip Guano Piña Sabin Toron Yuca"""
)
OPERATION = {"en": "Operation", "es": "Operación"}
GROUP_SUFFIX = ["Cartel", "Clan", "Family", "Network", "Front"]


class _Vocab:
    """Words and names of one corpus, in either style."""

    def __init__(self, rng: random.Random, profile: Profile):
        self.rng = rng
        self.lexicon = profile.vocabulary == "lexicon"
        self.taken: set[str] = set()
        if self.lexicon:
            self.generic = {
                lang: _Zipf(rng, rng.sample(words.split(), len(words.split())))
                for lang, words in GENERIC.items()
            }
            pairs = [pair.split(":") for pair in EVENTS]
        else:
            self.generic = {lang: _Zipf(rng, self.invented(1500)) for lang in ("en", "es")}
            pairs = list(zip(self.invented(120), self.invented(120), strict=True))
        rng.shuffle(pairs)
        self.events = pairs[: profile.event_words]

    def invented(self, count: int, lo: int = 2, hi: int = 4) -> list[str]:
        out = []
        while len(out) < count:
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(lo, hi)))
            if len(word) >= 5 and word not in self.taken:
                self.taken.add(word)
                out.append(word)
        return out

    def person(self) -> str:
        if self.lexicon:
            return " ".join(
                [self.rng.choice(FIRST_NAMES), *self.rng.sample(SURNAMES, self.rng.randint(1, 2))]
            )
        return " ".join(w.capitalize() for w in self.invented(2))

    def place(self) -> str:
        if self.lexicon:
            stem = self.rng.choice(PLACE_STEMS) + self.rng.choice(["a", "o", "illo", "ales", "ún"])
            if self.rng.random() < 0.5:
                return f"{self.rng.choice(PLACE_PARTS)} {stem}"
            return stem
        return self.invented(1)[0].capitalize()

    def operation(self, language: str) -> str:
        name = self.rng.choice(SURNAMES) if self.lexicon else self.invented(1)[0].capitalize()
        return f"{OPERATION[language]} {name}"


@dataclass
class _Story:
    group: int
    country: int
    topics: list[int]
    center: dt.datetime
    people: list[str]
    places: list[str]
    operation: str | None
    events: list[tuple[str, str]]
    language: str


def generate(profile: Profile, *, seed: int) -> Corpus:
    rng = random.Random(seed)
    vocab = _Vocab(rng, profile)
    countries = ["Mexico"]
    while len(countries) < 24:
        place = vocab.place()
        countries += [place] if place not in countries else []
    groups: list[str] = []
    while len(groups) < profile.groups:
        group = f"{vocab.place().split()[-1]} {rng.choice(GROUP_SUFFIX)}"
        groups += [group] if group not in groups else []
    topics = [w for w, _ in rng.sample(vocab.events, min(profile.topics, len(vocab.events)))]
    topics += [f"topic {n}" for n in range(len(topics), profile.topics)]
    # What every story of a group shares: its leaders, home towns and home country.
    leaders = [[vocab.person() for _ in range(3)] for _ in groups]
    homes = [[vocab.place() for _ in range(3)] for _ in groups]
    home_country = [rng.randrange(len(countries)) for _ in groups]
    corpus = Corpus(countries=countries, groups=groups, topics=topics)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=profile.years * 365)
    now = dt.datetime.now(dt.UTC)

    def language_of(story: _Story | None) -> str:
        if story is not None and profile.thread_language:
            other = "es" if story.language == "en" else "en"
            return story.language if rng.random() < 0.85 else other
        return "es" if rng.random() < profile.spanish else "en"

    def sentence(words: list[str]) -> str:
        text = " ".join(words)
        return text[:1].upper() + text[1:] + "."

    def write(language: str, names: list[str], events: list[str], n_names: int, words: int):
        """A body: generic words, ``n_names`` mentions of ``names``, some event words."""
        generic = vocab.generic[language]
        pieces = [[w] for w in generic.sample(words)]
        pieces += [rng.choice(names).split() for _ in range(n_names)]
        pieces += [[rng.choice(events)] for _ in range(max(1, words // 40))] if events else []
        rng.shuffle(pieces)
        flat = [w for piece in pieces for w in piece]
        sentences, at = [], 0
        while at < len(flat):
            size = rng.randint(9, 18)
            sentences.append(sentence(flat[at : at + size]))
            at += size
        return "<p>" + " ".join(sentences) + "</p>"

    def add(spec: dict) -> None:
        roll = rng.random()
        status = "published"
        if roll < 0.03:
            status = "draft"
        elif roll < 0.05:
            status = "review"
        elif roll < 0.08:
            spec["publish_at"] = now + dt.timedelta(days=rng.randint(1, 30))
        spec["status"] = status
        corpus.articles.append(ArticleSpec(key=len(corpus.articles), **spec))

    def tags(group: int, country: int, topic_pool: list[int], story: bool) -> dict:
        group_tags = {group} if not (story and rng.random() < profile.missing_group) else set()
        if rng.random() < profile.extra_group:
            group_tags.add(rng.randrange(len(groups)))
        country_tags = {country} | ({0} if rng.random() < 0.4 else set())
        topic_tags = set(rng.sample(topic_pool, rng.randint(1, len(topic_pool))))
        if rng.random() < profile.extra_topic:
            topic_tags.add(rng.randrange(len(topics)))
        primary_group = group if group in group_tags and rng.random() < 0.6 else None
        return {
            "groups": sorted(group_tags),
            "countries": sorted(country_tags),
            "topics": sorted(topic_tags),
            "primary_group": primary_group,
            "primary_country": None if primary_group is not None else country,
        }

    def new_story(group: int, center: dt.datetime) -> _Story:
        home = rng.random() < profile.home_place
        language = "es" if rng.random() < profile.spanish else "en"
        return _Story(
            group=group,
            country=home_country[group] if rng.random() < 0.7 else rng.randrange(len(countries)),
            topics=rng.sample(range(len(topics)), 2),
            center=center,
            people=[vocab.person() for _ in range(rng.randint(1, 3))],
            places=[rng.choice(homes[group]) if home else vocab.place()],
            operation=vocab.operation(language) if rng.random() < 0.5 else None,
            events=rng.sample(vocab.events, 3),
            language=language,
        )

    def article(story: _Story, thread: int | None, when: dt.datetime) -> dict:
        language = language_of(story if thread is not None else None)
        lang = 0 if language == "en" else 1
        names = story.people + story.places + ([story.operation] if story.operation else [])
        events = [pair[lang] for pair in story.events]
        group_names = leaders[story.group] + homes[story.group] + [groups[story.group]]
        generic = vocab.generic[language]
        headline = generic.sample(rng.randint(3, 6))
        if rng.random() < profile.title_entity:
            headline.insert(rng.randrange(len(headline) + 1), rng.choice(names))
        if rng.random() < 0.5:
            headline.insert(rng.randrange(len(headline) + 1), rng.choice(events))
        if rng.random() < 0.3:
            headline.insert(0, groups[story.group])
        mentions = rng.randint(*profile.entity_mentions)
        body = write(language, names, events, mentions, profile.body_words)
        body += write(language, group_names, [], rng.randint(1, 4), profile.body_words // 4)
        return {
            "title": sentence(headline)[:-1],
            "dek": write(language, names + group_names, events, 2, 16)[3:-4],
            "body": body,
            "language": language,
            "publish_at": when,
            "thread": thread,
            **tags(story.group, story.country, story.topics, thread is not None),
        }

    stories: list[_Story] = []
    thread = 0
    span = profile.years * 365
    while len(corpus.articles) < profile.articles * profile.thread_share:
        center = start + dt.timedelta(days=rng.uniform(0, span))
        story = new_story(rng.randrange(len(groups)), center)
        stories.append(story)
        days = profile.thread_days
        for _ in range(rng.randint(*profile.thread_size)):
            add(article(story, thread, center + dt.timedelta(days=rng.uniform(-days, days))))
        thread += 1
    decoys = int(profile.articles * profile.decoy_share)
    for _ in range(decoys):
        # Same group, topics and period as a story; its own people, place and event.
        base = rng.choice(stories)
        decoy = new_story(base.group, base.center)
        decoy.topics = base.topics
        decoy.country = base.country if rng.random() < 0.7 else decoy.country
        when = base.center + dt.timedelta(days=rng.uniform(-90, 90))
        add(article(decoy, None, when))
        corpus.articles[-1].kind = "decoy"
    while len(corpus.articles) < profile.articles:
        story = new_story(rng.randrange(len(groups)), start)
        add(article(story, None, start + dt.timedelta(days=rng.uniform(0, span))))
    for spec in corpus.articles:
        # For the benchmark's error analysis: "story", "decoy" or "noise".
        spec.kind = getattr(spec, "kind", "story" if spec.thread is not None else "noise")
    return corpus
