"""The demo corpus written by ``manage.py seed_demo``: vocabulary, people and article generators.

Everything here is original text invented for the demo. Generation is deterministic: the
same code always yields the same articles, slugs and (past) publish times, so seeding twice
updates in place instead of duplicating. Only scheduled items are placed relative to ``now``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.text import slugify

SEED = 20111216
UTC = dt.UTC
# Publish times are spread between fixed anchors, never computed from the clock.
EARLIEST = dt.datetime(2011, 1, 10, tzinfo=UTC)
LATEST = dt.datetime(2026, 9, 30, tzinfo=UTC)
DEFAULT_LICENCE = "cc-by-nc-4.0"


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


SECTIONS: list[SectionData] = [
    SectionData("news", "News", None, 0, "Daily coverage of organized crime and security."),
    SectionData("brief", "Brief", "news", 0, "Short news items on the day's developments."),
    SectionData("analysis", "Analysis", "news", 1, "What the news means, and what may come next."),
    SectionData(
        "investigations",
        "Investigations",
        None,
        1,
        "Long-form reporting built on months of field work, documents and data.",
    ),
    SectionData(
        "the-organization",
        "The Organization",
        None,
        2,
        "News about our newsroom: events, awards and the people who make our work possible.",
    ),
]


@dataclass(frozen=True)
class CountryData:
    slug: str
    name: str
    name_es: str
    places: tuple[str, ...]
    description: str


COUNTRIES: list[CountryData] = [
    CountryData(
        "guatemala",
        "Guatemala",
        "Guatemala",
        ("Petén", "Huehuetenango", "Izabal", "Zacapa", "San Marcos", "Guatemala City"),
        "Guatemala sits on the main overland route for cocaine moving north toward Mexico, and "
        "its porous borders, remote jungle and weak local institutions have long attracted "
        "trafficking clans and foreign cartels. Corruption cases reaching the highest levels "
        "of the state have shaped its politics for more than a decade.",
    ),
    CountryData(
        "mexico",
        "Mexico",
        "México",
        (
            "Tamaulipas",
            "Reynosa",
            "Culiacán",
            "Guadalajara",
            "Michoacán",
            "Tijuana",
            "Tapachula",
            "Zacatecas",
        ),
        "Mexico is home to some of the most powerful criminal organizations in the hemisphere, "
        "which have grown from drug smuggling into extortion, fuel theft and migrant "
        "smuggling. Successive governments have relied on the armed forces, with homicide "
        "levels that remain among the highest in the world.",
    ),
    CountryData(
        "honduras",
        "Honduras",
        "Honduras",
        ("San Pedro Sula", "Tegucigalpa", "La Ceiba", "Copán", "Choloma"),
        "Honduras has served as a landing strip and transit corridor for cocaine, while street "
        "gangs dominate extortion in its largest cities. Several former officials have faced "
        "drug trafficking charges abroad, a reminder of how deeply the trade reached into the "
        "state.",
    ),
    CountryData(
        "el-salvador",
        "El Salvador",
        "El Salvador",
        ("San Salvador", "Soyapango", "San Miguel", "Santa Ana", "Usulután"),
        "El Salvador was for years defined by the rivalry between the MS13 and Barrio 18, "
        "whose extortion rackets reached almost every neighborhood. A prolonged state of "
        "emergency and mass detentions have since transformed the security landscape, at a "
        "heavy cost to civil liberties.",
    ),
    CountryData(
        "colombia",
        "Colombia",
        "Colombia",
        ("Urabá", "Bajo Cauca", "Catatumbo", "Cúcuta", "Buenaventura", "Tumaco", "Cauca"),
        "Colombia remains the world's largest producer of cocaine. The demobilization of the "
        "FARC left a patchwork of armed groups competing for coca fields, mining areas and "
        "smuggling routes, and successive peace policies have struggled to reach them.",
    ),
    CountryData(
        "venezuela",
        "Venezuela",
        "Venezuela",
        ("Zulia", "Apure", "Bolívar", "Táchira", "Caracas", "Aragua"),
        "Venezuela's economic collapse turned it into a hub for smuggling, illegal gold mining "
        "and cocaine flights, with parts of the state accused of protecting the trade. Its "
        "prison gangs have exported their model across South America along with the migration "
        "of millions of Venezuelans.",
    ),
    CountryData(
        "ecuador",
        "Ecuador",
        "Ecuador",
        ("Guayaquil", "Esmeraldas", "Manta", "Machala", "Quito", "Los Ríos"),
        "Ecuador went from being one of the region's calmer countries to one of its most "
        "violent in only a few years, as its Pacific ports became key exit points for "
        "cocaine. Local gangs allied with foreign buyers now fight for control of prisons, "
        "neighborhoods and docks.",
    ),
    CountryData(
        "peru",
        "Peru",
        "Perú",
        ("Madre de Dios", "La Libertad", "Trujillo", "Puno", "Lima", "the VRAEM"),
        "Peru is the second-largest producer of coca leaf, and illegal gold mining has become "
        "an equally lucrative and destructive economy in the Amazon and the highlands. Weak "
        "regional governments and political instability have made both harder to confront.",
    ),
    CountryData(
        "brazil",
        "Brazil",
        "Brasil",
        ("São Paulo", "Santos", "Paraná", "Mato Grosso do Sul", "Roraima", "Rio de Janeiro"),
        "Brazil is both a major cocaine consumer market and a launch pad for shipments to "
        "Europe and Africa. Its prison-born factions have grown into national and even "
        "international criminal enterprises with sophisticated financial structures.",
    ),
    CountryData(
        "costa-rica",
        "Costa Rica",
        "Costa Rica",
        ("Limón", "Puntarenas", "San José", "Guanacaste"),
        "Costa Rica, long regarded as a haven of stability, has seen record homicide rates as "
        "local groups compete for the logistics of cocaine moving through its Caribbean and "
        "Pacific ports. Authorities have struggled to adapt institutions built for a calmer "
        "era.",
    ),
    CountryData(
        "chile",
        "Chile",
        "Chile",
        ("Santiago", "Arica", "Iquique", "Antofagasta"),
        "Chile's northern border has become a crossing point for migrants and contraband, and "
        "transnational groups have brought kidnapping and extortion practices that were "
        "previously rare in the country. Organized crime now ranks among voters' top "
        "concerns.",
    ),
]


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


GROUPS: list[GroupData] = [
    GroupData(
        "zetas",
        "Zetas",
        "Zetas",
        "the Zetas",
        "Zetas",
        "los Zetas",
        "Founded by deserters from an elite army unit who first worked as enforcers for the "
        "Gulf Cartel, the Zetas became notorious for extreme violence and a franchise model "
        "built on extortion and territorial control. Arrests and splits have since broken the "
        "group into rival factions.",
        plural=True,
    ),
    GroupData(
        "gulf-cartel",
        "Gulf Cartel",
        "Gulf Cartel",
        "the Gulf Cartel",
        "Cartel del Golfo",
        "el Cartel del Golfo",
        "One of Mexico's oldest trafficking organizations, the Gulf Cartel is rooted in "
        "Tamaulipas on the US border. Years of internal fighting have left it as a cluster of "
        "factions that profit from drugs, migrant smuggling and fuel theft.",
    ),
    GroupData(
        "sinaloa-cartel",
        "Sinaloa Cartel",
        "Sinaloa Cartel",
        "the Sinaloa Cartel",
        "Cartel de Sinaloa",
        "el Cartel de Sinaloa",
        "The Sinaloa Cartel grew into a global supplier of cocaine, methamphetamine and "
        "fentanyl through a loose federation of powerful families. The capture and "
        "extradition of its historic leaders triggered open conflict between its factions.",
    ),
    GroupData(
        "jalisco-cartel",
        "Jalisco Cartel (CJNG)",
        "CJNG",
        "the CJNG",
        "CJNG",
        "el Cartel Jalisco Nueva Generación (CJNG)",
        "The Jalisco Cartel New Generation (CJNG) expanded rapidly in the 2010s through "
        "aggressive confrontations with rivals and the state. It combines drug production and "
        "trafficking with extortion and is present in most Mexican states.",
    ),
    GroupData(
        "ms13",
        "MS13",
        "MS13",
        "the MS13",
        "MS13",
        "la MS13",
        "The Mara Salvatrucha (MS13) began as a street gang in Los Angeles and spread through "
        "Central America after deportations in the 1990s. Its cliques live mainly from "
        "extortion and have been the main target of hardline security policies.",
    ),
    GroupData(
        "barrio-18",
        "Barrio 18",
        "Barrio 18",
        "Barrio 18",
        "Barrio 18",
        "el Barrio 18",
        "Barrio 18, the MS13's main rival, is split into two factions and has a strong "
        "presence in Guatemala, El Salvador and Honduras. Much of its extortion business has "
        "long been directed from inside prisons.",
    ),
    GroupData(
        "clan-del-golfo",
        "Clan del Golfo",
        "Clan del Golfo",
        "the Clan del Golfo",
        "Clan del Golfo",
        "el Clan del Golfo",
        "Colombia's largest armed trafficking group, the Clan del Golfo grew out of "
        "demobilized paramilitary structures. It controls key cocaine departure points on the "
        "Caribbean coast and taxes migrant crossings and illegal mining.",
    ),
    GroupData(
        "tren-de-aragua",
        "Tren de Aragua",
        "Tren de Aragua",
        "the Tren de Aragua",
        "Tren de Aragua",
        "el Tren de Aragua",
        "Born in a prison in Venezuela's Aragua state, the Tren de Aragua expanded along "
        "migration routes into several South American countries. Its cells are involved in "
        "human trafficking, extortion and loan-sharking targeting migrants.",
    ),
    GroupData(
        "eln",
        "ELN",
        "ELN",
        "the ELN",
        "ELN",
        "el ELN",
        "The National Liberation Army (ELN) is Colombia's last major guerrilla group. It "
        "finances itself through extortion, kidnapping, illegal mining and the drug trade, "
        "with a growing presence on the Venezuelan side of the border.",
    ),
    GroupData(
        "los-choneros",
        "Los Choneros",
        "Los Choneros",
        "Los Choneros",
        "Los Choneros",
        "Los Choneros",
        "Los Choneros grew from a local gang in Manabí into a national force in Ecuador's "
        "prisons and cocaine trade. The fragmentation of its alliances unleashed a wave of "
        "prison massacres and street violence.",
        plural=True,
    ),
    GroupData(
        "los-lobos",
        "Los Lobos",
        "Los Lobos",
        "Los Lobos",
        "Los Lobos",
        "Los Lobos",
        "Los Lobos emerged as the main challenger to Los Choneros in Ecuador, with a large "
        "prison base and growing involvement in illegal gold mining and cocaine logistics.",
        plural=True,
    ),
    GroupData(
        "pcc",
        "Primeiro Comando da Capital (PCC)",
        "PCC",
        "the PCC",
        "PCC",
        "el PCC",
        "Founded inside São Paulo's prison system, the First Capital Command (PCC) became "
        "Brazil's most powerful criminal organization. It runs a disciplined structure with a "
        "presence in neighboring countries and in cocaine exports to Europe.",
    ),
]


@dataclass(frozen=True)
class TopicData:
    slug: str
    name: str
    activity_en: str
    activity_es: str


TOPICS: list[TopicData] = [
    TopicData("migration", "migration", "migrant smuggling", "el tráfico de migrantes"),
    TopicData(
        "human-trafficking", "human trafficking", "human trafficking", "la trata de personas"
    ),
    TopicData("cocaine", "cocaine", "cocaine trafficking", "el tráfico de cocaína"),
    TopicData("extortion", "extortion", "extortion", "la extorsión"),
    TopicData("money-laundering", "money laundering", "money laundering", "el lavado de dinero"),
    TopicData("prisons", "prisons", "prison extortion", "el control de las cárceles"),
    TopicData("corruption", "corruption", "official corruption", "la corrupción oficial"),
    TopicData("arms-trafficking", "arms trafficking", "arms trafficking", "el tráfico de armas"),
    TopicData(
        "illegal-mining", "illegal mining", "illegal gold mining", "la minería ilegal de oro"
    ),
    TopicData(
        "security-policy",
        "security policy",
        "the fight for territory",
        "la disputa por el territorio",
    ),
    TopicData("elections", "elections", "campaign financing", "el financiamiento de campañas"),
    TopicData("homicides", "homicides", "contract killing", "el sicariato"),
]


@dataclass(frozen=True)
class AuthorData:
    slug: str
    name: str
    bio: str


AUTHORS: list[AuthorData] = [
    AuthorData(
        "lucia-marroquin",
        "Lucía Marroquín",
        "Lucía Marroquín covers Guatemala and the northern triangle of Central America. "
        "Before joining the newsroom she reported on courts and transparency for a regional "
        "radio network.",
    ),
    AuthorData(
        "daniel-okafor-reyes",
        "Daniel Okafor Reyes",
        "Daniel Okafor Reyes is our senior editor for Mexico. He has followed the evolution of "
        "cartel violence along the border for more than a decade.",
    ),
    AuthorData(
        "ines-valderrama",
        "Inés Valderrama",
        "Inés Valderrama reports from Bogotá on armed groups, coca economies and peace "
        "policy. She studied political science and data journalism.",
    ),
    AuthorData(
        "tomas-achterberg",
        "Tomás Achterberg",
        "Tomás Achterberg leads our investigations unit. His work focuses on money "
        "laundering, prisons and the financial networks behind organized crime.",
    ),
    AuthorData(
        "camila-prado-nunes",
        "Camila Prado Nunes",
        "Camila Prado Nunes covers Brazil and the Andean region, with a focus on prison "
        "factions and environmental crime in the Amazon.",
    ),
    AuthorData(
        "rafael-quintanilla",
        "Rafael Quintanilla",
        "Rafael Quintanilla is a researcher and writer based in San Salvador who tracks "
        "gangs, extortion and security policy in Central America.",
    ),
    AuthorData(
        "maren-solberg",
        "Maren Solberg",
        "Maren Solberg edits our English-language coverage and writes about migration, "
        "human trafficking and the politics of security in the Andes.",
    ),
]

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


THREADS: list[Thread] = [
    Thread(
        "zetas-guatemala",
        "zetas",
        ("guatemala", "mexico"),
        ("cocaine", "arms-trafficking", "corruption", "homicides"),
        (2011, 2015),
        16,
        ("arrest", "seizure", "expansion", "violence", "corruption", "extradition", "policy"),
        "lucia-marroquin",
        ("gulf-cartel",),
    ),
    Thread(
        "zetas-mexico",
        "zetas",
        ("mexico", "guatemala"),
        ("homicides", "migration", "extortion", "cocaine"),
        (2011, 2017),
        14,
        ("arrest", "violence", "migration", "extortion", "extradition", "prison"),
        "daniel-okafor-reyes",
        ("gulf-cartel",),
    ),
    Thread(
        "gulf-tamaulipas",
        "gulf-cartel",
        ("mexico",),
        ("extortion", "migration", "homicides", "cocaine"),
        (2012, 2021),
        13,
        ("violence", "arrest", "migration", "extortion", "seizure", "corruption"),
        "daniel-okafor-reyes",
        ("zetas",),
    ),
    Thread(
        "sinaloa",
        "sinaloa-cartel",
        ("mexico", "colombia", "honduras"),
        ("cocaine", "money-laundering", "homicides", "arms-trafficking"),
        (2014, 2026),
        16,
        ("arrest", "seizure", "violence", "laundering", "extradition", "corruption"),
        "daniel-okafor-reyes",
        ("jalisco-cartel",),
    ),
    Thread(
        "cjng",
        "jalisco-cartel",
        ("mexico", "guatemala", "ecuador"),
        ("cocaine", "extortion", "homicides", "arms-trafficking", "elections"),
        (2016, 2026),
        16,
        ("expansion", "violence", "extortion", "election", "arrest", "seizure"),
        "maren-solberg",
        ("sinaloa-cartel",),
    ),
    Thread(
        "ms13-el-salvador",
        "ms13",
        ("el-salvador", "honduras", "guatemala"),
        ("extortion", "prisons", "homicides", "security-policy"),
        (2012, 2026),
        17,
        ("extortion", "prison", "violence", "policy", "arrest", "corruption"),
        "rafael-quintanilla",
        ("barrio-18",),
    ),
    Thread(
        "barrio18-guatemala",
        "barrio-18",
        ("guatemala", "el-salvador"),
        ("extortion", "prisons", "homicides"),
        (2014, 2024),
        13,
        ("extortion", "prison", "arrest", "violence", "policy"),
        "lucia-marroquin",
        ("ms13",),
    ),
    Thread(
        "ms13-honduras",
        "ms13",
        ("honduras", "el-salvador", "guatemala"),
        ("extortion", "migration", "homicides", "security-policy"),
        (2015, 2025),
        12,
        ("extortion", "violence", "migration", "policy", "arrest", "prison"),
        "rafael-quintanilla",
        ("barrio-18",),
    ),
    Thread(
        "clan-del-golfo",
        "clan-del-golfo",
        ("colombia", "venezuela"),
        ("cocaine", "illegal-mining", "migration", "homicides"),
        (2015, 2026),
        15,
        ("arrest", "seizure", "expansion", "violence", "mining", "migration", "extradition"),
        "ines-valderrama",
        ("eln",),
    ),
    Thread(
        "eln",
        "eln",
        ("colombia", "venezuela"),
        ("cocaine", "illegal-mining", "security-policy", "arms-trafficking"),
        (2016, 2026),
        13,
        ("violence", "expansion", "mining", "policy", "arrest"),
        "ines-valderrama",
        ("clan-del-golfo",),
    ),
    Thread(
        "tren-de-aragua",
        "tren-de-aragua",
        ("venezuela", "peru", "chile", "colombia"),
        ("human-trafficking", "migration", "extortion", "prisons"),
        (2018, 2026),
        15,
        ("expansion", "migration", "extortion", "arrest", "prison", "laundering"),
        "maren-solberg",
    ),
    Thread(
        "los-choneros",
        "los-choneros",
        ("ecuador", "colombia"),
        ("prisons", "cocaine", "homicides", "security-policy"),
        (2019, 2026),
        15,
        ("prison", "violence", "seizure", "policy", "arrest", "corruption"),
        "camila-prado-nunes",
        ("los-lobos",),
    ),
    Thread(
        "los-lobos",
        "los-lobos",
        ("ecuador", "peru", "colombia"),
        ("illegal-mining", "prisons", "cocaine", "extortion"),
        (2021, 2026),
        10,
        ("mining", "prison", "expansion", "extortion", "arrest"),
        "camila-prado-nunes",
        ("los-choneros",),
    ),
    Thread(
        "pcc",
        "pcc",
        ("brazil", "peru", "colombia"),
        ("prisons", "cocaine", "money-laundering", "corruption"),
        (2013, 2026),
        14,
        ("prison", "seizure", "laundering", "expansion", "corruption", "arrest"),
        "camila-prado-nunes",
    ),
    Thread(
        "costa-rica-ports",
        None,
        ("costa-rica", "colombia"),
        ("cocaine", "homicides", "security-policy", "money-laundering"),
        (2018, 2026),
        10,
        ("seizure", "violence", "policy", "laundering", "corruption"),
        "maren-solberg",
        actor=(
            "Port Trafficking Rings",
            "the trafficking rings working the ports",
            "Redes portuarias",
            "las redes de tráfico que operan en los puertos",
        ),
    ),
    Thread(
        "peru-gold",
        None,
        ("peru", "ecuador", "brazil"),
        ("illegal-mining", "human-trafficking", "money-laundering"),
        (2014, 2025),
        10,
        ("mining", "laundering", "corruption", "policy"),
        "camila-prado-nunes",
        actor=(
            "Illegal Gold Miners",
            "illegal mining networks",
            "Mineros ilegales",
            "las redes de minería ilegal",
        ),
    ),
    Thread(
        "guatemala-graft",
        None,
        ("guatemala", "honduras"),
        ("corruption", "elections", "money-laundering"),
        (2015, 2024),
        9,
        ("corruption", "election", "laundering", "policy"),
        "lucia-marroquin",
        actor=(
            "Political-Criminal Networks",
            "political-criminal networks",
            "Redes político-criminales",
            "las redes político-criminales",
        ),
    ),
    Thread(
        "mexico-migrant-routes",
        None,
        ("mexico", "guatemala", "honduras"),
        ("migration", "human-trafficking", "corruption"),
        (2018, 2026),
        10,
        ("migration", "corruption", "policy", "arrest"),
        "maren-solberg",
        actor=(
            "Smuggling Networks",
            "migrant smuggling networks",
            "Redes de tráfico de migrantes",
            "las redes de tráfico de migrantes",
        ),
    ),
]


# Where a thread's stories happen when they are set in its home country (default: anywhere in
# the country).
THREAD_PLACES: dict[str, tuple[str, ...]] = {
    "zetas-guatemala": ("Petén", "Huehuetenango", "Izabal", "Alta Verapaz", "Zacapa"),
    "zetas-mexico": ("Nuevo Laredo", "Coahuila", "Veracruz", "Tamaulipas", "Tabasco"),
    "gulf-tamaulipas": ("Reynosa", "Matamoros", "Nuevo Laredo", "Tamaulipas"),
    "sinaloa": ("Culiacán", "Tijuana", "Sonora", "Mexico City", "Chihuahua"),
    "cjng": ("Guadalajara", "Michoacán", "Zacatecas", "Colima", "Guanajuato"),
    "clan-del-golfo": ("Urabá", "Bajo Cauca", "Córdoba", "Chocó"),
    "eln": ("Catatumbo", "Arauca", "Cauca", "Cúcuta"),
    "peru-gold": ("Madre de Dios", "Puno", "La Libertad", "Pataz"),
    "mexico-migrant-routes": ("Tapachula", "Reynosa", "Tijuana", "Ciudad Juárez", "Chiapas"),
}


# ---------------------------------------------------------------------------------------------
# Sentence templates. "G|" marks a template that needs a named criminal group.
# Placeholders: Actor/actor (headline/in-sentence), de_actor (Spanish "de"+actor), country,
# place, place2, activity, Activity, n, tons, pct, year, since.
# ---------------------------------------------------------------------------------------------

Templates = dict[str, list[str]]

EVENTS: dict[str, dict[str, Templates]] = {
    "arrest": {
        "en": {
            "titles": [
                "G|Police in {country} Arrest Alleged {Actor} Boss in {place}",
                "G|Capture of Suspected {Actor} Commander Shakes Up {place}",
                "{country} Detains {n} Suspects in {place} Raids Targeting {Activity}",
            ],
            "deks": [
                "The arrest removes a figure prosecutors say coordinated {activity} around "
                "{place}, but past captures have done little to slow the business.",
                "Authorities called the operation a major blow. Analysts expect a quick "
                "succession fight instead.",
            ],
            "leads": [
                "Security forces in {country} detained a man they identified as a regional "
                "commander of {actor} during an early-morning operation in {place}, according "
                "to a statement from the attorney general's office. Officials said he oversaw "
                "{activity} along the corridor linking {place} and {place2}.",
                "A joint police and military operation in {place} ended with {n} arrests and "
                "the seizure of weapons, cash and mobile phones that investigators believe "
                "belong to a cell of {actor}. The suspects are due to appear before a judge "
                "in the coming days.",
            ],
        },
        "es": {
            "titles": [
                "G|Capturan en {place} a presunto jefe {de_actor}",
                "G|Cae en {place} un comandante regional {de_actor}",
                "{country}: detienen a {n} sospechosos en operativos contra {activity} en {place}",
            ],
            "deks": [
                "La captura aparta a una figura que, según la fiscalía, coordinaba {activity} "
                "en torno a {place}, aunque golpes anteriores apenas frenaron el negocio.",
                "Las autoridades hablaron de un golpe contundente. Los analistas anticipan "
                "una rápida disputa por la sucesión.",
            ],
            "leads": [
                "Las fuerzas de seguridad de {country} detuvieron a un hombre al que "
                "identificaron como comandante regional {de_actor} durante un operativo de "
                "madrugada en {place}, según un comunicado de la fiscalía. De acuerdo con las "
                "autoridades, supervisaba {activity} en el corredor que une {place} con "
                "{place2}.",
                "Un operativo conjunto de policías y militares en {place} terminó con {n} "
                "detenidos y el decomiso de armas, dinero en efectivo y teléfonos que los "
                "investigadores atribuyen a una célula {de_actor}. Los sospechosos serán "
                "presentados ante un juez en los próximos días.",
            ],
        },
    },
    "seizure": {
        "en": {
            "titles": [
                "Authorities Seize {tons} Tons of Cocaine Near {place}",
                "G|Cocaine Haul in {place} Points to New {Actor} Route",
                "Record Seizure in {place} Exposes Gaps in {country}'s Drug Controls",
            ],
            "deks": [
                "The shipment, hidden among legal cargo, was one of the largest recorded in "
                "{country} this year.",
                "Investigators believe the load was bound for markets abroad and say it "
                "reveals how traffickers adapt their routes under pressure.",
            ],
            "leads": [
                "Anti-narcotics agents in {country} found {tons} tons of cocaine hidden in a "
                "shipment inspected near {place}, in what officials described as one of the "
                "largest seizures of the year. Prosecutors linked the load to {actor}.",
                "Inspectors acting on an intelligence tip opened containers in {place} and "
                "found packages of cocaine concealed inside crates of fruit and construction "
                "material. Authorities in {country} estimated the total at {tons} tons.",
            ],
        },
        "es": {
            "titles": [
                "Decomisan {tons} toneladas de cocaína cerca de {place}",
                "G|Cargamento de cocaína en {place} revela nueva ruta {de_actor}",
                "Decomiso récord en {place} expone fallas en los controles antidrogas de {country}",
            ],
            "deks": [
                "El cargamento, oculto entre mercancía legal, fue uno de los mayores "
                "registrados este año en {country}.",
                "Los investigadores creen que la droga tenía como destino mercados en el "
                "exterior y que el caso muestra cómo los traficantes adaptan sus rutas.",
            ],
            "leads": [
                "Agentes antinarcóticos de {country} hallaron {tons} toneladas de cocaína "
                "ocultas en un cargamento inspeccionado cerca de {place}, en lo que las "
                "autoridades calificaron como uno de los mayores decomisos del año. La "
                "fiscalía vinculó la carga con {actor}.",
                "Inspectores que actuaban con base en información de inteligencia abrieron "
                "contenedores en {place} y encontraron paquetes de cocaína escondidos entre "
                "cajas de fruta y material de construcción. Las autoridades de {country} "
                "calcularon el total en {tons} toneladas.",
            ],
        },
    },
    "expansion": {
        "en": {
            "titles": [
                "G|{Actor} Expansion Into {place} Tests Weakened Rivals",
                "G|Signs of {Actor} Expansion Alarm Officials in {country}",
                "New Players in {place}: How {Activity} Is Changing Hands",
            ],
            "deks": [
                "Local officials report new cells, new graffiti and new demands for payments, "
                "all pointing to a change in who controls the area.",
                "The move opens routes and revenue that {actor} {has} sought for years.",
            ],
            "leads": [
                "Residents and local officials in {place} say {actor} {has} moved into "
                "neighborhoods and rural roads that were until recently controlled by other "
                "groups. Police reports from {country} describe new recruits, safe houses and "
                "a sharp rise in {activity}.",
                "For several months, investigators in {country} have tracked the arrival of "
                "{actor} in {place}, a strategic area for {activity}. Intelligence reports "
                "seen by our reporters describe envoys sent to negotiate with local bosses "
                "and to eliminate those who refused.",
            ],
        },
        "es": {
            "titles": [
                "G|Avance {de_actor} en {place} ante el debilitamiento de sus rivales",
                "G|Señales de expansión {de_actor} inquietan a las autoridades de {country}",
                "Nuevos actores en {place}: así cambia de manos {activity}",
            ],
            "deks": [
                "Funcionarios locales reportan nuevas células, nuevos grafitis y nuevos "
                "cobros, señales de un cambio en el control de la zona.",
                "El movimiento abre rutas e ingresos que {actor} {ha} buscado durante años.",
            ],
            "leads": [
                "Vecinos y funcionarios de {place} aseguran que {actor} {ha} ocupado barrios y "
                "caminos rurales que hasta hace poco controlaban otros grupos. Informes "
                "policiales de {country} describen nuevos reclutas, casas de seguridad y un "
                "fuerte aumento de {activity}.",
                "Desde hace varios meses, investigadores de {country} siguen la llegada de "
                "{actor} a {place}, una zona estratégica para {activity}. Informes de "
                "inteligencia consultados por nuestro equipo describen emisarios enviados a "
                "negociar con jefes locales y a eliminar a quienes se negaron.",
            ],
        },
    },
    "violence": {
        "en": {
            "titles": [
                "Killings Rise in {place} as Criminal Dispute Escalates",
                "G|Clashes Involving {Actor} Leave {n} Dead in {place}",
                "{country} Sends Troops to {place} After Weekend of Violence",
            ],
            "deks": [
                "Officials blamed a dispute over {activity} for a spike in murders that has "
                "emptied streets and closed schools.",
                "The violence is the latest sign that a fragile balance between criminal "
                "groups in {place} has broken down.",
            ],
            "leads": [
                "At least {n} people were killed in {place} over a span of days, according to "
                "local authorities in {country}, who attributed the violence to a dispute "
                "involving {actor}. Several of the victims were found near roads used for "
                "{activity}.",
                "Homicides in {place} rose by {pct} percent compared with the same period of "
                "the previous year, according to official figures, as fighting linked to "
                "{actor} spread from the outskirts into the center of town.",
            ],
        },
        "es": {
            "titles": [
                "Aumentan los asesinatos en {place} por una disputa criminal",
                "G|Enfrentamientos atribuidos {a_actor} dejan {n} muertos en {place}",
                "{country} envía tropas a {place} tras un fin de semana violento",
            ],
            "deks": [
                "Las autoridades atribuyen a una disputa por {activity} un aumento de "
                "homicidios que ha vaciado calles y cerrado escuelas.",
                "La violencia es la señal más reciente de que el frágil equilibrio entre "
                "grupos criminales en {place} se ha roto.",
            ],
            "leads": [
                "Al menos {n} personas fueron asesinadas en {place} en pocos días, según "
                "autoridades locales de {country}, que atribuyeron la violencia a una disputa "
                "en la que participa {actor}. Varias de las víctimas fueron halladas cerca de "
                "caminos usados para {activity}.",
                "Los homicidios en {place} aumentaron un {pct} por ciento respecto al mismo "
                "periodo del año anterior, según cifras oficiales, mientras los combates "
                "vinculados con {actor} pasaban de la periferia al centro de la ciudad.",
            ],
        },
    },
    "prison": {
        "en": {
            "titles": [
                "Prison Riot in {place} Reveals Who Really Runs {country}'s Cellblocks",
                "G|{country} Transfers {Actor} Leaders to Maximum-Security Prison",
                "Inmates Ran {Activity} From {place} Prison, Prosecutors Say",
            ],
            "deks": [
                "Authorities regained control after hours of chaos, but the episode exposed "
                "how criminal groups govern daily life behind bars.",
                "Officials hope the move will cut communication between jailed leaders and "
                "their networks outside.",
            ],
            "leads": [
                "Guards lost control of a prison in {place} for several hours before police "
                "and soldiers retook the facility, officials in {country} said. Inmates "
                "aligned with {actor} had seized entire wings, and at least {n} people were "
                "injured.",
                "Prosecutors in {country} say inmates in {place} coordinated {activity} using "
                "smuggled phones, issuing orders to members of {actor} outside and collecting "
                "payments through relatives and bank transfers.",
            ],
        },
        "es": {
            "titles": [
                "Motín en cárcel de {place} revela quién manda en las prisiones de {country}",
                "G|{country} traslada a líderes {de_actor} a un penal de máxima seguridad",
                "Reos dirigían {activity} desde la cárcel de {place}, según la fiscalía",
            ],
            "deks": [
                "Las autoridades recuperaron el control tras horas de caos, pero el episodio "
                "expuso cómo los grupos criminales gobiernan la vida tras las rejas.",
                "El gobierno espera cortar la comunicación entre los jefes presos y sus "
                "redes en el exterior.",
            ],
            "leads": [
                "Los custodios perdieron el control de una cárcel en {place} durante varias "
                "horas, hasta que policías y soldados retomaron el penal, informaron "
                "autoridades de {country}. Reos afines {a_actor} habían tomado pabellones "
                "enteros y al menos {n} personas resultaron heridas.",
                "La fiscalía de {country} sostiene que reos en {place} coordinaban {activity} "
                "con teléfonos introducidos de contrabando, daban órdenes a integrantes {de_actor} "
                "en el exterior y cobraban a través de familiares y transferencias bancarias.",
            ],
        },
    },
    "policy": {
        "en": {
            "titles": [
                "{country} Launches New Security Plan Focused on {place}",
                "{country} Extends State of Emergency as Officials Tout Results",
                "New Law in {country} Targets {Activity}, Critics Warn of Side Effects",
            ],
            "deks": [
                "The government promises more troops, more prosecutors and faster trials. "
                "Similar plans have come and gone.",
                "Officials point to falling crime figures; human rights groups point to "
                "arbitrary detentions and overcrowded prisons.",
            ],
            "leads": [
                "The government of {country} announced a security plan that will send "
                "additional police and soldiers to {place} and {place2} and create a special "
                "prosecution unit for {activity}. Officials said the first phase would last "
                "{n} months.",
                "Lawmakers in {country} approved measures that expand the powers of security "
                "forces and increase penalties for {activity}. Supporters argued the country "
                "needed tougher tools; opponents said the rules were written in haste.",
            ],
        },
        "es": {
            "titles": [
                "{country} lanza un nuevo plan de seguridad centrado en {place}",
                "{country} prorroga el estado de excepción y el gobierno celebra resultados",
                "Nueva ley en {country} apunta contra {activity}; críticos advierten riesgos",
            ],
            "deks": [
                "El gobierno promete más tropas, más fiscales y juicios más rápidos. Planes "
                "parecidos han ido y venido.",
                "Las autoridades destacan la caída de los delitos; las organizaciones de "
                "derechos humanos, las detenciones arbitrarias y el hacinamiento carcelario.",
            ],
            "leads": [
                "El gobierno de {country} anunció un plan de seguridad que enviará más "
                "policías y soldados a {place} y {place2} y creará una unidad fiscal "
                "especializada en {activity}. Según las autoridades, la primera fase durará "
                "{n} meses.",
                "Legisladores de {country} aprobaron medidas que amplían las facultades de "
                "las fuerzas de seguridad y endurecen las penas por {activity}. Sus "
                "defensores dijeron que el país necesitaba herramientas más duras; sus "
                "opositores, que las normas se redactaron con prisa.",
            ],
        },
    },
    "corruption": {
        "en": {
            "titles": [
                "Officials in {place} Charged With Protecting {Activity}",
                "G|Police Commanders Accused of Working for {Actor} in {country}",
                "Corruption Probe in {country} Reaches Customs Officers in {place}",
            ],
            "deks": [
                "The case adds to a long list of investigations into state officials who sold "
                "protection to criminal groups.",
                "Prosecutors say payments were made monthly and recorded in ledgers seized "
                "during raids.",
            ],
            "leads": [
                "Prosecutors in {country} charged {n} public officials, including police "
                "officers and municipal employees in {place}, with accepting bribes in "
                "exchange for tipping off {actor} about operations and ignoring {activity}.",
                "An investigation by the attorney general's office in {country} found that "
                "officials in {place} received regular payments linked to {actor}, according "
                "to court documents. The officials deny wrongdoing.",
            ],
        },
        "es": {
            "titles": [
                "Acusan a funcionarios de {place} de proteger {activity}",
                "G|Señalan a mandos policiales de trabajar para {actor} en {country}",
                "Investigación por corrupción en {country} alcanza a aduaneros de {place}",
            ],
            "deks": [
                "El caso se suma a una larga lista de investigaciones contra funcionarios que "
                "vendieron protección a grupos criminales.",
                "La fiscalía afirma que los pagos eran mensuales y quedaron registrados en "
                "libretas incautadas en allanamientos.",
            ],
            "leads": [
                "La fiscalía de {country} acusó a {n} funcionarios públicos, entre ellos "
                "policías y empleados municipales de {place}, de recibir sobornos a cambio de "
                "alertar {a_actor} sobre operativos y de ignorar {activity}.",
                "Una investigación de la fiscalía de {country} concluyó que funcionarios de "
                "{place} recibían pagos periódicos vinculados con {actor}, según documentos "
                "judiciales. Los funcionarios niegan las acusaciones.",
            ],
        },
    },
    "laundering": {
        "en": {
            "titles": [
                "G|Front Companies Laundered Millions for {Actor}, Prosecutors Say",
                "{country} Freezes Assets in {place} Money Laundering Case",
                "Follow the Cash: {country} Targets the Finances Behind {Activity}",
            ],
            "deks": [
                "Properties, farms and transport companies were among the assets seized in "
                "the operation.",
                "Investigators traced transfers through shell firms and currency exchange houses.",
            ],
            "leads": [
                "Financial investigators in {country} seized {n} properties and froze bank "
                "accounts in {place} that they say were used to launder profits from "
                "{activity} on behalf of {actor}.",
                "A network of hardware stores, cattle ranches and car dealerships in {place} "
                "served as a front for {actor}, according to prosecutors in {country}, who "
                "traced millions of dollars in transfers over several years.",
            ],
        },
        "es": {
            "titles": [
                "G|Empresas fachada lavaron millones para {actor}, según la fiscalía",
                "{country} congela bienes en caso de lavado de dinero en {place}",
                "Tras el dinero: {country} apunta a las finanzas detrás de {activity}",
            ],
            "deks": [
                "Propiedades, fincas y empresas de transporte figuran entre los bienes "
                "incautados en el operativo.",
                "Los investigadores rastrearon transferencias a través de empresas fantasma "
                "y casas de cambio.",
            ],
            "leads": [
                "Investigadores financieros de {country} incautaron {n} propiedades y "
                "congelaron cuentas bancarias en {place} que, según afirman, servían para "
                "lavar ganancias de {activity} por cuenta {de_actor}.",
                "Una red de ferreterías, fincas ganaderas y concesionarios de autos en "
                "{place} funcionaba como fachada {de_actor}, según la fiscalía de {country}, "
                "que rastreó millones de dólares en transferencias durante varios años.",
            ],
        },
    },
    "migration": {
        "en": {
            "titles": [
                "Migrants Kidnapped Near {place} as Smugglers Tighten Control",
                "G|Migrants Crossing {place} Pay a Tax to {Actor}",
                "Migrant Routes Through {country} Grow More Dangerous, and More Profitable",
            ],
            "deks": [
                "Migrants describe paying at checkpoint after checkpoint, with kidnapping as "
                "the price of refusing.",
                "Smuggling fees have risen sharply as criminal groups take a cut of every journey.",
            ],
            "leads": [
                "Authorities in {country} rescued {n} migrants held in a house near {place}, "
                "where captors demanded ransoms from relatives abroad. Survivors told "
                "officials the kidnappers worked with {actor}.",
                "Migrants passing through {place} now pay fees at several points of their "
                "route, according to shelter workers in {country}, who say the crossings "
                "are controlled by {actor} and that smugglers who do not share their earnings are "
                "punished.",
            ],
        },
        "es": {
            "titles": [
                "Secuestran a migrantes cerca de {place} y los traficantes endurecen su control",
                "G|Cobro de cuotas {de_actor} a los migrantes que cruzan por {place}",
                "Las rutas migratorias en {country} son cada vez más peligrosas y rentables",
            ],
            "deks": [
                "Los migrantes describen pagos en un retén tras otro; negarse puede costar un "
                "secuestro.",
                "Las tarifas de los coyotes se han disparado porque los grupos criminales se "
                "quedan con una parte de cada viaje.",
            ],
            "leads": [
                "Autoridades de {country} rescataron a {n} migrantes retenidos en una casa "
                "cerca de {place}, donde los captores exigían rescates a familiares en el "
                "extranjero. Los sobrevivientes dijeron que los secuestradores trabajaban "
                "con {actor}.",
                "Los migrantes que pasan por {place} pagan ahora cuotas en varios puntos de "
                "la ruta, según trabajadores de albergues en {country}, que aseguran que "
                "los cruces están bajo control {de_actor} y que los coyotes que no comparten "
                "sus ganancias son castigados.",
            ],
        },
    },
    "extortion": {
        "en": {
            "titles": [
                "Bus Drivers in {place} Strike Over Extortion Killings",
                "G|{Actor} Extortion Racket Squeezes Small Businesses in {place}",
                "Extortion Complaints Hit New High in {country}",
            ],
            "deks": [
                "Transport workers say weekly payments have become impossible to meet, and "
                "refusing is deadly.",
                "Most victims never report the crime, so official figures capture only part "
                "of the problem.",
            ],
            "leads": [
                "Transport companies in {place} suspended service after {n} drivers were "
                "killed in recent weeks, attacks that police in {country} attributed to "
                "{actor} collecting extortion payments along bus routes.",
                "Shop owners, street vendors and taxi drivers in {place} told our reporters "
                "they pay weekly fees to {actor}. Complaints filed with police in {country} "
                "rose by {pct} percent this year, though most victims stay silent.",
            ],
        },
        "es": {
            "titles": [
                "Choferes de buses en {place} paran labores tras asesinatos por extorsión",
                "G|La extorsión {de_actor} asfixia a pequeños comercios en {place}",
                "Las denuncias por extorsión alcanzan un nuevo récord en {country}",
            ],
            "deks": [
                "Los transportistas dicen que los pagos semanales se han vuelto imposibles de "
                "cumplir, y que negarse es mortal.",
                "La mayoría de las víctimas nunca denuncia, así que las cifras oficiales solo "
                "captan una parte del problema.",
            ],
            "leads": [
                "Empresas de transporte de {place} suspendieron el servicio después de que "
                "{n} choferes fueran asesinados en las últimas semanas, ataques que la "
                "policía de {country} atribuyó {a_actor} por el cobro de extorsiones en las "
                "rutas.",
                "Comerciantes, vendedores ambulantes y taxistas de {place} contaron a nuestro "
                "equipo que pagan cuotas semanales {a_actor}. Las denuncias ante la policía "
                "de {country} aumentaron un {pct} por ciento este año, aunque la mayoría de "
                "las víctimas calla.",
            ],
        },
    },
    "mining": {
        "en": {
            "titles": [
                "Illegal Gold Rush Spreads Through {place}",
                "G|Gold Mining Around {place} Draws In {Actor}",
                "Mercury, Money and Guns: {country}'s Illegal Mining Boom",
            ],
            "deks": [
                "High gold prices have drawn criminal groups into an economy that destroys "
                "rivers and forests.",
                "Authorities destroyed dredges and camps, but miners tend to return within weeks.",
            ],
            "leads": [
                "Satellite images and reports from local authorities show illegal mining "
                "camps multiplying along rivers near {place}, where miners pay {actor} "
                "for access and security. Officials in {country} estimate that {n} new camps "
                "appeared in a year.",
                "Soldiers and environmental inspectors in {country} destroyed dredges and "
                "machinery in {place}, the latest in a series of operations against illegal "
                "gold mining. Prosecutors said the sites were protected by {actor}.",
            ],
        },
        "es": {
            "titles": [
                "La fiebre del oro ilegal se extiende por {place}",
                "G|Incursión {de_actor} en la minería de oro en torno a {place}",
                "Mercurio, dinero y armas: el auge de la minería ilegal en {country}",
            ],
            "deks": [
                "Los altos precios del oro atrajeron a grupos criminales a una economía que "
                "destruye ríos y bosques.",
                "Las autoridades destruyeron dragas y campamentos, pero los mineros suelen "
                "volver en pocas semanas.",
            ],
            "leads": [
                "Imágenes satelitales e informes de autoridades locales muestran que los "
                "campamentos de minería ilegal se multiplican a lo largo de los ríos cerca "
                "de {place}, donde los mineros pagan {a_actor} por acceso y seguridad. "
                "Funcionarios de {country} calculan que en un año surgieron {n} nuevos "
                "campamentos.",
                "Soldados e inspectores ambientales de {country} destruyeron dragas y "
                "maquinaria en {place}, en el último de una serie de operativos contra la "
                "minería ilegal de oro. La fiscalía dijo que los sitios estaban protegidos "
                "por {actor}.",
            ],
        },
    },
    "election": {
        "en": {
            "titles": [
                "Candidates in {place} Face Threats Ahead of Local Elections",
                "G|Prosecutors Probe {Actor} Money in {country} Campaigns",
                "Criminal Money and the Vote: Warning Signs in {country}",
            ],
            "deks": [
                "Electoral observers report intimidation, vote-buying and candidates who "
                "withdrew without explanation.",
                "The concern is less about who wins than about who finances them.",
            ],
            "leads": [
                "Electoral authorities in {country} said {n} candidates in and around {place} "
                "had requested protection after receiving threats, and observers warned "
                "of attempts by {actor} to influence who takes control of local budgets.",
                "Campaign finance records reviewed by prosecutors in {country} show "
                "donations from companies that investigators link to {actor}, raising "
                "questions about {activity} in {place}.",
            ],
        },
        "es": {
            "titles": [
                "Candidatos en {place} denuncian amenazas antes de las elecciones locales",
                "G|La fiscalía investiga dinero {de_actor} en campañas de {country}",
                "Dinero criminal y voto: señales de alarma en {country}",
            ],
            "deks": [
                "Los observadores electorales reportan intimidación, compra de votos y "
                "candidatos que se retiraron sin explicación.",
                "La preocupación no es tanto quién gana sino quién financia a los ganadores.",
            ],
            "leads": [
                "Las autoridades electorales de {country} informaron que {n} candidatos de "
                "{place} y sus alrededores pidieron protección tras recibir amenazas, y los "
                "observadores advirtieron sobre intentos {de_actor} por influir en quién "
                "controlará los presupuestos locales.",
                "Registros de financiamiento revisados por la fiscalía de {country} muestran "
                "donaciones de empresas que los investigadores vinculan con {actor}, lo que "
                "abre interrogantes sobre {activity} en {place}.",
            ],
        },
    },
    "extradition": {
        "en": {
            "titles": [
                "G|{country} Extradites Alleged {Actor} Operative to the United States",
                "Extradition Case Tests {country}'s Cooperation on {Activity}",
            ],
            "deks": [
                "The suspect faces federal charges that could shed light on how the "
                "network moved drugs north.",
                "Defense lawyers fought the transfer for months, arguing their client would "
                "not get a fair trial abroad.",
            ],
            "leads": [
                "Authorities in {country} handed over a suspected member of {actor} to US "
                "agents, ending a legal fight that lasted more than a year. Prosecutors say "
                "he organized {activity} from {place}.",
                "A court in {country} approved the extradition of a man accused of "
                "coordinating {activity} for {actor} from {place}, rejecting arguments that "
                "the evidence against him had been obtained illegally.",
            ],
        },
        "es": {
            "titles": [
                "G|{country} extradita a Estados Unidos a presunto operador {de_actor}",
                "Caso de extradición pone a prueba la cooperación de {country} contra {activity}",
            ],
            "deks": [
                "El sospechoso enfrenta cargos federales que podrían revelar cómo la red "
                "movía droga hacia el norte.",
                "Los abogados defensores pelearon el traslado durante meses, alegando que su "
                "cliente no tendría un juicio justo en el extranjero.",
            ],
            "leads": [
                "Las autoridades de {country} entregaron a agentes estadounidenses a un "
                "presunto integrante {de_actor}, poniendo fin a una batalla legal de más de "
                "un año. La fiscalía sostiene que organizaba {activity} desde {place}.",
                "Un tribunal de {country} aprobó la extradición de un hombre acusado de "
                "coordinar {activity} para {actor} desde {place}, y rechazó los argumentos "
                "de que las pruebas en su contra se obtuvieron de forma ilegal.",
            ],
        },
    },
    "analysis": {
        "en": {
            "titles": [
                "G|Why {Actor} Keep{v_s} Gaining Ground in {place}",
                "G|What the Fragmentation of {Actor} Means for {country}",
                "The Limits of {country}'s Strategy Against {Activity}",
                "Is {country} Losing Control of {place}?",
                "How {Actor} Adapted to Pressure in {country}",
                "Five Questions About {Activity} in {place}",
                "{place} After the Crackdown: What Changed and What Did Not",
            ],
            "deks": [
                "Arrests and troop deployments have not altered the basic incentives that "
                "sustain the business.",
                "The story of {place} shows how criminal groups outlast the policies designed "
                "to defeat them.",
                "A look at the forces reshaping {activity} in {country}, and why official "
                "figures tell only part of the story.",
            ],
            "leads": [
                "Few places illustrate the dilemmas of security policy in {country} as "
                "clearly as {place}. Over the past several years, the area has seen "
                "operations, arrests and promises, yet the grip of {actor} on the "
                "area remains intact.",
                "When officials in {country} announced their latest offensive against "
                "{actor}, they described it as decisive. The record since then suggests a "
                "more complicated picture, one in which {activity} has adapted rather than "
                "disappeared.",
            ],
        },
        "es": {
            "titles": [
                "G|Las claves del avance {de_actor} en {place}",
                "G|Qué significa la fragmentación {de_actor} para {country}",
                "Los límites de la estrategia de {country} contra {activity}",
                "¿Está {country} perdiendo el control de {place}?",
                "La adaptación {de_actor} a la presión en {country}",
                "Cinco preguntas sobre {activity} en {place}",
                "{place} después de la ofensiva: qué cambió y qué no",
            ],
            "deks": [
                "Las capturas y los despliegues militares no han alterado los incentivos "
                "básicos que sostienen el negocio.",
                "La historia de {place} muestra cómo los grupos criminales sobreviven a las "
                "políticas diseñadas para derrotarlos.",
                "Una mirada a las fuerzas que transforman {activity} en {country}, y a por "
                "qué las cifras oficiales cuentan solo una parte.",
            ],
            "leads": [
                "Pocos lugares ilustran los dilemas de la política de seguridad de {country} "
                "con tanta claridad como {place}. En los últimos años, la zona ha visto "
                "operativos, capturas y promesas, pero el dominio {de_actor} sobre "
                "la zona sigue intacto.",
                "Cuando las autoridades de {country} anunciaron su más reciente ofensiva "
                "contra {actor}, la describieron como decisiva. Lo ocurrido desde entonces "
                "sugiere un panorama más complejo, en el que {activity} se ha adaptado en "
                "lugar de desaparecer.",
            ],
        },
    },
    "investigation": {
        "en": {
            "titles": [
                "G|Inside the {Activity} Machine of {actor} in {place}",
                "The {place} Corridor: How {Activity} Reshaped a Region of {country}",
                "G|Following the Money: {Actor} and the Businesses of {place}",
                "G|Captive Territory: Life Under {Actor} in {place}",
                "Anatomy of an Impunity: {Activity} and the State in {country}",
                "Paper Trail: What Court Records Reveal About {Activity} in {place}",
            ],
            "deks": [
                "Over several months, our reporters examined court files, interviewed "
                "residents and former members, and mapped how the business works in "
                "{place}.",
                "Documents and dozens of interviews show how {actor} built a system that "
                "depends on local complicity as much as on violence.",
                "An investigation into the people, companies and officials that keep "
                "{activity} running in {country}.",
            ],
            "leads": [
                "The road into {place} passes a police checkpoint, a row of shuttered "
                "businesses and a painted wall that residents say marks the beginning of "
                "territory controlled by {actor}. Over several months, our team documented "
                "how {activity} shapes almost every aspect of life here.",
                "This investigation draws on hundreds of pages of court documents, "
                "financial records and interviews with more than {people} people in {country}, "
                "including former members of {actor}, prosecutors, police officers and "
                "residents of {place}.",
            ],
        },
        "es": {
            "titles": [
                "G|Dentro de la maquinaria {de_actor} en {place}",
                "El corredor de {place}: cómo {activity} transformó una región de {country}",
                "G|Tras el dinero: {actor} y los negocios de {place}",
                "G|Territorio cautivo: la vida bajo {actor} en {place}",
                "Anatomía de una impunidad: {activity} y el Estado en {country}",
                "Rastro de papel: lo que revelan los expedientes sobre {activity} en {place}",
            ],
            "deks": [
                "Durante varios meses, nuestro equipo revisó expedientes judiciales, "
                "entrevistó a vecinos y a antiguos integrantes, y reconstruyó cómo funciona "
                "el negocio en {place}.",
                "Documentos y decenas de entrevistas muestran el sistema construido por "
                "{actor}, que depende tanto de la complicidad local como de la violencia.",
                "Una investigación sobre las personas, empresas y funcionarios que mantienen "
                "en marcha {activity} en {country}.",
            ],
            "leads": [
                "La carretera que entra a {place} pasa por un retén policial, una hilera de "
                "negocios cerrados y un muro pintado que, según los vecinos, marca el inicio "
                "del territorio controlado por {actor}. Durante meses, nuestro equipo "
                "documentó cómo {activity} moldea casi todos los aspectos de la vida aquí.",
                "Esta investigación se basa en cientos de páginas de expedientes judiciales, "
                "registros financieros y entrevistas con más de {people} personas en {country}, "
                "entre ellas antiguos integrantes {de_actor}, fiscales, policías y vecinos "
                "de {place}.",
            ],
        },
    },
}

CONTEXT: dict[str, list[str]] = {
    "en": [
        "{actor} {has} operated in {country} for years, and {its} presence around {place} is "
        "among the most entrenched. Local officials say the money comes from {activity} as "
        "well as smaller rackets that rarely make headlines.",
        "The episode fits a pattern that has become familiar in {place}, where {actor} {has} "
        "spent much of the past decade consolidating control over {activity}. Rivals have "
        "tried and largely failed to dislodge {it}.",
        "For residents of {place}, none of this is new. Shopkeepers, transport workers and "
        "local officials have long adjusted their routines to criminal structures that "
        "profit from {activity} and settle disputes with violence.",
        "Since at least {since}, investigators in {country} have linked {actor} to "
        "{activity} in the area between {place} and {place2}, a stretch of territory prized "
        "for its roads, border crossings and thin state presence.",
        "Authorities in {country} have promised for years to dismantle the structures behind "
        "{activity} in {place}. The results have been uneven: arrests come in waves, but the "
        "underlying business tends to survive each one.",
    ],
    "es": [
        "{actor} opera{v_n} en {country} desde hace años, y su presencia en torno a {place} es de "
        "las más arraigadas. Funcionarios locales afirman que el dinero proviene de "
        "{activity} y de otros negocios menores que rara vez llegan a los titulares.",
        "El episodio encaja en un patrón ya conocido en {place}, donde {actor} {ha} dedicado "
        "buena parte de la última década a consolidar su control sobre {activity}. Los "
        "intentos de sus rivales por arrebatarle ese dominio casi siempre han fracasado.",
        "Para los vecinos de {place}, nada de esto es nuevo. Comerciantes, transportistas y "
        "funcionarios locales llevan tiempo adaptando sus rutinas a estructuras criminales "
        "que se lucran con {activity} y resuelven sus disputas con violencia.",
        "Desde al menos {since}, investigadores de {country} vinculan {a_actor} con "
        "{activity} en la zona entre {place} y {place2}, un territorio codiciado por sus "
        "carreteras, sus pasos fronterizos y la escasa presencia del Estado.",
        "Las autoridades de {country} llevan años prometiendo desmantelar las estructuras "
        "detrás de {activity} en {place}. Los resultados han sido desiguales: las capturas "
        "llegan por oleadas, pero el negocio de fondo sobrevive a cada una.",
    ],
}

ANALYSIS: dict[str, list[str]] = {
    "en": [
        "Past operations offer a note of caution. Each time a leader has fallen in {place}, "
        "lieutenants have competed to fill the gap, and homicides have often risen in the "
        "months that followed. Security officials privately acknowledge that removing a "
        "figurehead is easier than dismantling the web of suppliers, lookouts and corrupt "
        "contacts that sustains the business.",
        "The economics matter as much as the arrests. {Activity_s} in {country} generates "
        "steady income that can be used to buy protection, recruit young people and "
        "diversify into legal businesses. As long as that flow continues, enforcement alone "
        "is unlikely to change the balance of power.",
        "There is also a regional dimension. Routes that pass through {place} connect to "
        "markets and suppliers well beyond {country}, which means that pressure in one place "
        "frequently pushes activity across a border rather than ending it.",
        "Prosecutors face practical limits. Witnesses are scarce, case files move slowly and "
        "specialized units are often understaffed. Several cases opened in {since} remain "
        "stuck at the pre-trial stage, according to court records reviewed by our reporters.",
        "Local communities carry much of the cost. Teachers, health workers and small "
        "business owners in {place} describe a daily calculation about which streets to "
        "avoid and which payments to make. Few file complaints, citing a lack of trust in "
        "the police.",
        "The government has framed its measures as a turning point. Critics, including "
        "human rights groups and some former officials, argue that similar announcements "
        "have been made before and that without reforms to the police and courts, the gains "
        "are likely to be temporary.",
        "Corruption remains the thread that ties many of these cases together. Officials at "
        "checkpoints, ports and prisons have repeatedly been accused of looking the other "
        "way, and in some cases of working directly for the networks they are supposed to "
        "stop.",
        "Data on the phenomenon is incomplete. Official figures capture only a portion of "
        "the crimes committed, and changes in how authorities record cases make year-on-year "
        "comparisons difficult. Still, the trend reported by local observers in {place} "
        "points in a worrying direction.",
        "What happens next will depend partly on politics. With budgets under pressure and "
        "elections on the horizon, security policy in {country} has become a contest of "
        "slogans, while the institutions expected to carry it out remain fragile.",
        "Criminal groups have shown a capacity to adapt. Instead of large shipments, "
        "investigators now detect smaller and more frequent movements, the use of front "
        "companies and a growing reliance on encrypted messaging to coordinate between "
        "{place} and {place2}.",
    ],
    "es": [
        "Los operativos anteriores invitan a la cautela. Cada vez que ha caído un jefe en "
        "{place}, sus lugartenientes han competido por ocupar el vacío y los homicidios "
        "suelen aumentar en los meses siguientes. Funcionarios de seguridad reconocen en "
        "privado que es más fácil sacar de circulación a una cabeza visible que desmantelar "
        "la red de proveedores, vigías y contactos corruptos que sostiene el negocio.",
        "La economía importa tanto como las capturas. {Activity_s} en {country} genera "
        "ingresos constantes que sirven para comprar protección, reclutar jóvenes y "
        "diversificarse hacia negocios legales. Mientras ese flujo continúe, la acción "
        "policial por sí sola difícilmente cambiará el equilibrio de poder.",
        "También hay una dimensión regional. Las rutas que pasan por {place} se conectan "
        "con mercados y proveedores mucho más allá de {country}, de modo que la presión en "
        "un lugar suele empujar la actividad al otro lado de una frontera en vez de "
        "terminarla.",
        "Los fiscales enfrentan límites prácticos. Los testigos escasean, los expedientes "
        "avanzan con lentitud y las unidades especializadas suelen tener poco personal. "
        "Varios casos abiertos en {since} siguen estancados en la etapa preliminar, según "
        "expedientes revisados por nuestro equipo.",
        "Las comunidades cargan con buena parte del costo. Maestros, trabajadores de la "
        "salud y pequeños comerciantes de {place} describen un cálculo diario sobre qué "
        "calles evitar y qué pagos hacer. Pocos denuncian, por desconfianza hacia la "
        "policía.",
        "El gobierno ha presentado sus medidas como un punto de inflexión. Los críticos, "
        "entre ellos organizaciones de derechos humanos y algunos exfuncionarios, sostienen "
        "que anuncios similares ya se hicieron antes y que, sin reformas a la policía y a "
        "los tribunales, los avances serán probablemente pasajeros.",
        "La corrupción sigue siendo el hilo que une muchos de estos casos. Funcionarios de "
        "retenes, puertos y cárceles han sido acusados una y otra vez de mirar hacia otro "
        "lado, y en algunos casos de trabajar directamente para las redes que deberían "
        "combatir.",
        "Los datos sobre el fenómeno son incompletos. Las cifras oficiales solo reflejan una "
        "parte de los delitos, y los cambios en la forma de registrar los casos dificultan "
        "las comparaciones entre años. Aun así, la tendencia que describen los observadores "
        "locales en {place} es preocupante.",
        "Lo que ocurra ahora dependerá en parte de la política. Con presupuestos ajustados y "
        "elecciones en el horizonte, la política de seguridad en {country} se ha convertido "
        "en una competencia de consignas, mientras las instituciones que deben aplicarla "
        "siguen siendo frágiles.",
        "Los grupos criminales han demostrado capacidad de adaptación. En lugar de grandes "
        "cargamentos, los investigadores detectan ahora envíos más pequeños y frecuentes, el "
        "uso de empresas fachada y una dependencia creciente de la mensajería cifrada para "
        "coordinarse entre {place} y {place2}.",
    ],
}

QUOTES: dict[str, list[str]] = {
    "en": [
        "“They do not need to control everything. They only need to control the points "
        "where money changes hands,” said a former investigator who worked on cases in "
        "{place}.",
        "“Every arrest is followed by a new name. The structure stays,” a local journalist "
        "in {place} said, asking not to be identified for safety reasons.",
        "“People here have learned to live with two authorities: the official one, and the "
        "one that actually collects,” said a community leader in {place}.",
        "“We have the laws. What we lack is the capacity to apply them consistently,” a "
        "senior prosecutor in {country} said.",
        "“Pressure in one place simply moves the business to the next town,” said a "
        "researcher who studies security policy in the region.",
        "“The violence is the visible part. The business behind it is far quieter,” said a "
        "retired police commander from {place}.",
    ],
    "es": [
        "“No necesitan controlarlo todo. Solo necesitan controlar los puntos donde cambia "
        "de manos el dinero”, dijo un exinvestigador que trabajó en casos en {place}.",
        "“Después de cada captura aparece un nombre nuevo. La estructura se queda”, dijo "
        "un periodista local de {place} que pidió no ser identificado por seguridad.",
        "“Aquí la gente aprendió a vivir con dos autoridades: la oficial y la que de verdad "
        "cobra”, afirmó una lideresa comunitaria de {place}.",
        "“Las leyes las tenemos. Lo que falta es capacidad para aplicarlas de forma "
        "constante”, dijo un fiscal de alto rango de {country}.",
        "“La presión en un lugar solo traslada el negocio al pueblo de al lado”, señaló una "
        "investigadora que estudia la política de seguridad en la región.",
        "“La violencia es la parte visible. El negocio que hay detrás es mucho más "
        "silencioso”, dijo un comandante de policía retirado de {place}.",
    ],
}

HEADINGS: dict[str, list[str]] = {
    "en": [
        "A Familiar Pattern",
        "What Comes Next",
        "The Money Behind the Violence",
        "A Regional Problem",
        "The Limits of the Crackdown",
        "Life on the Ground",
    ],
    "es": [
        "Un patrón conocido",
        "Lo que viene",
        "El dinero detrás de la violencia",
        "Un problema regional",
        "Los límites de la ofensiva",
        "La vida en el terreno",
    ],
}

CLOSINGS: dict[str, list[str]] = {
    "en": [
        "The attorney general's office said the investigation remains open and did not rule "
        "out further arrests. Lawyers for those detained have not commented publicly.",
        "Whether recent events amount to lasting change in {place} will become clearer in "
        "the coming months, as residents watch for signs that the state intends to stay.",
        "For now, officials in {country} insist this is the start of a sustained effort. "
        "Residents of {place} have heard similar promises before.",
        "The case is likely to shape the debate over security policy in {country} for some "
        "time, as authorities weigh the cost of their strategy against results that have so "
        "far been modest.",
    ],
    "es": [
        "La fiscalía dijo que la investigación sigue abierta y no descartó nuevas capturas. "
        "Los abogados de los detenidos no se han pronunciado públicamente.",
        "Si lo ocurrido supone un cambio duradero en {place} se verá en los próximos meses, "
        "mientras los vecinos esperan señales de que el Estado piensa quedarse.",
        "Por ahora, las autoridades de {country} insisten en que se trata del inicio de un "
        "esfuerzo sostenido. Los vecinos de {place} ya han escuchado promesas parecidas.",
        "El caso probablemente marcará durante un tiempo el debate sobre la política de "
        "seguridad en {country}, mientras las autoridades sopesan el costo de su estrategia "
        "frente a resultados que hasta ahora han sido modestos.",
    ],
}


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


ORGANIZATION: list[OrgItem] = [
    OrgItem(
        "Our Series on Prison Economies Wins a Regional Journalism Award",
        "The jury highlighted the series' use of court records and interviews with former inmates.",
        (
            "Our three-part investigation into how criminal groups run businesses from inside "
            "prisons received a regional award for investigative reporting this week.",
            "The jury said the series combined document work with rare access to people who "
            "had lived under prison gang rule, and praised its attention to the families who "
            "pay for protection.",
            "We thank the sources who trusted us, often at personal risk, and the readers "
            "whose donations paid for months of reporting.",
        ),
        "en",
        ("ecuador", "brazil"),
        ("prisons",),
        ("tomas-achterberg", "camila-prado-nunes"),
        dt.datetime(2023, 9, 22, 14, 0, tzinfo=UTC),
    ),
    OrgItem(
        "We Hosted a Workshop in Bogotá on Covering Organized Crime Safely",
        "Thirty local reporters spent two days on digital security, source protection and "
        "risk planning.",
        (
            "Reporters from community radio stations and regional newspapers joined our team "
            "in Bogotá for two days of training on how to cover armed groups without putting "
            "themselves or their sources in danger.",
            "Sessions covered threat assessment, secure communications and how to verify "
            "claims made by armed actors on social media.",
            "We plan to repeat the workshop in Central America next year.",
        ),
        "en",
        ("colombia",),
        ("security-policy",),
        ("ines-valderrama",),
        dt.datetime(2019, 5, 14, 16, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Researchers Cite Our Group Profiles in a Report on Regional Security",
        "A university study on cross-border crime drew on our profiles of more than a dozen "
        "criminal groups.",
        (
            "A new academic report on cross-border criminal networks in Latin America cites "
            "our profiles of criminal groups as a primary reference.",
            "Our profiles are updated as our reporters learn more, and they are free for "
            "anyone to read and republish under our Creative Commons licence.",
            "We are glad to see independent journalism inform policy research.",
        ),
        "en",
        ("mexico", "colombia"),
        ("security-policy",),
        ("maren-solberg",),
        dt.datetime(2021, 3, 9, 13, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Annual Report: What Our Readers Made Possible in 2022",
        "More investigations, more Spanish-language coverage and a growing community of "
        "supporters.",
        (
            "Last year we published more investigations than ever, expanded our "
            "Spanish-language coverage and opened a new reporting desk in Central America.",
            "Reader donations now cover a growing share of our budget, which protects our "
            "independence and lets us pursue stories that take months to verify.",
            "Our full annual report, including how we spend every dollar, is available on request.",
        ),
        "en",
        ("guatemala", "honduras"),
        ("corruption",),
        ("maren-solberg",),
        dt.datetime(2023, 2, 1, 15, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Our Extortion Data Presented at a Policy Forum in Mexico City",
        "Officials and civil society groups discussed our findings on extortion reporting gaps.",
        (
            "Our research team presented its analysis of extortion complaints at a forum that "
            "brought together officials, business associations and civil society groups.",
            "The data shows how far official figures fall short of the real scale of the "
            "problem, and where reporting systems could improve.",
            "The full dataset and methodology will be published alongside a longer report.",
        ),
        "en",
        ("mexico", "el-salvador"),
        ("extortion",),
        ("daniel-okafor-reyes",),
        dt.datetime(2024, 6, 18, 17, 0, tzinfo=UTC),
    ),
    OrgItem(
        "We Are Joining a Cross-Border Reporting Alliance on Environmental Crime",
        "Newsrooms from five countries will share data and methods on illegal mining and logging.",
        (
            "We are joining an alliance of independent newsrooms that will investigate "
            "environmental crime across the Amazon basin.",
            "Partners will share satellite analysis, court records and field reporting, and "
            "publish in both Spanish and English.",
            "The first stories from the collaboration are expected next year.",
        ),
        "en",
        ("peru", "brazil"),
        ("illegal-mining",),
        ("camila-prado-nunes",),
        dt.datetime(2024, 10, 3, 12, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Fifteen Years of Reporting on Organized Crime",
        "A look back at how our coverage, and the region, have changed.",
        (
            "When we started, our newsroom was a handful of reporters sharing one office. "
            "Today we have correspondents across the region and readers in every country "
            "we cover.",
            "The criminal landscape has changed as much as we have: groups have split, new "
            "ones have emerged, and once-calm countries now face record violence.",
            "We remain committed to the same idea: careful, independent reporting that helps "
            "people understand the forces shaping their lives.",
        ),
        "en",
        ("mexico", "colombia", "guatemala"),
        ("security-policy",),
        ("daniel-okafor-reyes", "maren-solberg"),
        dt.datetime(2025, 11, 12, 15, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Our Newsletter Now Arrives Every Week in Spanish",
        "Subscribers can choose a weekly digest in English, Spanish or both.",
        (
            "Starting this month, our weekly newsletter is available in Spanish as well as "
            "English, with a selection of briefs, analysis and investigations.",
            "Readers can subscribe to either edition, or both, from any article page.",
            "We would love to hear what you think of the new format.",
        ),
        "en",
        ("colombia", "peru"),
        ("elections",),
        ("maren-solberg",),
        dt.datetime(2020, 8, 25, 14, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Organizamos un taller para periodistas en Tegucigalpa",
        "Veinticinco periodistas de radios comunitarias y medios regionales participaron en "
        "dos jornadas de formación.",
        (
            "Nuestro equipo organizó en Tegucigalpa un taller sobre cobertura segura del "
            "crimen organizado para periodistas de Honduras, Guatemala y El Salvador.",
            "Las sesiones abordaron la protección de fuentes, la seguridad digital y la "
            "verificación de información difundida por grupos armados.",
            "Agradecemos a las organizaciones locales que hicieron posible el encuentro.",
        ),
        "es",
        ("honduras", "guatemala"),
        ("extortion",),
        ("rafael-quintanilla",),
        dt.datetime(2022, 4, 7, 15, 0, tzinfo=UTC),
    ),
    OrgItem(
        "Nuestra investigación sobre minería ilegal recibe una mención especial",
        "El jurado destacó el uso de imágenes satelitales y el trabajo de campo en la Amazonía.",
        (
            "Nuestra investigación sobre la expansión de la minería ilegal de oro recibió "
            "una mención especial en un concurso regional de periodismo.",
            "El jurado valoró la combinación de análisis satelital, documentos oficiales y "
            "entrevistas con comunidades afectadas.",
            "El reconocimiento es también de nuestros lectores, cuyo apoyo financia este "
            "tipo de trabajo.",
        ),
        "es",
        ("peru", "ecuador"),
        ("illegal-mining",),
        ("camila-prado-nunes",),
        dt.datetime(2025, 3, 19, 16, 0, tzinfo=UTC),
    ),
]


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
PLACES_ES = {
    "Guatemala City": "Ciudad de Guatemala",
    "Mexico City": "Ciudad de México",
    "the VRAEM": "el VRAEM",
}


# Topics that name an activity a group can run; the others (policy, elections, corruption)
# only tag the article.
_NOT_ACTIVITIES = {"security-policy", "elections", "corruption", "homicides", "money-laundering"}


# The topic an event is about, when its thread covers it.
EVENT_TOPICS: dict[str, str] = {
    "seizure": "cocaine",
    "prison": "prisons",
    "laundering": "money-laundering",
    "migration": "migration",
    "extortion": "extortion",
    "mining": "illegal-mining",
    "election": "elections",
    "corruption": "corruption",
    "policy": "security-policy",
    "violence": "homicides",
}


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


# The vocabulary's Spanish names (Section/Country/CriminalGroup/Topic.name_es), by slug.
# A name missing here is the same in both languages (Guatemala, MS13, Tren de Aragua).
SPANISH_NAMES: dict[str, str] = {
    # sections
    "news": "Noticias",
    "brief": "Breves",
    "analysis": "Análisis",
    "investigations": "Investigaciones",
    "the-organization": "La organización",
    # countries
    "mexico": "México",
    "peru": "Perú",
    "brazil": "Brasil",
    # groups
    "gulf-cartel": "Cártel del Golfo",
    "sinaloa-cartel": "Cártel de Sinaloa",
    "jalisco-cartel": "Cártel Jalisco Nueva Generación (CJNG)",
    # topics
    "migration": "migración",
    "human-trafficking": "trata de personas",
    "cocaine": "cocaína",
    "extortion": "extorsión",
    "money-laundering": "lavado de dinero",
    "prisons": "cárceles",
    "corruption": "corrupción",
    "arms-trafficking": "tráfico de armas",
    "illegal-mining": "minería ilegal",
    "security-policy": "política de seguridad",
    "elections": "elecciones",
    "homicides": "homicidios",
}
