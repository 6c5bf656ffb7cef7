"""
A synthetic newsroom corpus, for benchmarks at newsroom scale.

An authority world (people, organisations, places, a topic tree, sources,
reporters) is built from the seed; then each article is a pure function of
(seed, article id, end date): its own random.Random, so that a corpus of N
articles is the same whether it is loaded in one run or grown in several, and
whatever the batch size. Bodies are assembled from sentence templates that
really mention the article's people, organisations, places, topic keywords
and dates, and each accepted tag carries the spans (offsets into the
headline, standfirst or body) where its name appears.

Popularity is Zipf-like: person number 1 of the authority list appears in
about a quarter of all articles, most of the 5,000 in a handful each.

Loading bypasses the ORM's save() and signals: rows are written with one
executemany (SQLite) or COPY (PostgreSQL) per table and batch, each batch in
a transaction. That skips what save() derives, so this module derives it
itself: slugs (unique by the article id they end in), topic paths, name keys,
and content_hash, computed exactly as articles.tagging.cleaning.content_hash
would (see Text) without its cost. It also skips history rows (synthetic
articles have no revisions) and the signals that invalidate the public page
cache, which generate() therefore bumps once at the end.
"""

import bisect
import collections
import contextlib
import datetime
import functools
import hashlib
import itertools
import json
import multiprocessing
import os
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connections, transaction
from django.utils.text import slugify

from . import cache
from .models import (
    Article,
    ArticleOrganisation,
    ArticlePerson,
    ArticlePlace,
    ArticleTopic,
    Byline,
    DateMention,
    Organisation,
    Person,
    Place,
    Role,
    Source,
    TagOrigin,
    TagState,
    Topic,
    name_key,
)
from .search import FTS_TABLE, SQLITE_TRIGGERS

TAGGER_VERSION = "synthetic-1"
YEARS = 20
FILLERS = 5000
# Share of articles that are not live, by status: about 3% in all.
NOT_LIVE = (("draft", 0.010), ("review", 0.007), ("scheduled", 0.007), ("archived", 0.006))


# --- The words of the world --------------------------------------------------

FIRST_NAMES = """
Aarav Abebe Adaeze Adriana Ahmed Aiko Aisha Akira Alejandro Alexei Alice Amara Amir Ana Anan
Andrea Andrei Anh Anna Arjun Astrid Ayesha Bao Beatriz Bilal Bopha Boris Camille Carlos
Catalina Chanthy Chen Chinedu Chloe Dalia Daniel Dara David Deepa Diego Dmitri Elena Elif
Emeka Emil Emma Erik Esra Fatima Felipe Fernando Fiona Gabriel Grace Hana Hannah Hassan Hiroshi
Hoang Ibrahim Ines Ingrid Isabel Ivan Jakob James Jana Javier Jin Joao Jomo Jorge Jose Julia
Kamal Kanya Karim Kateryna Kenji Kerubo Khalid Kim Kofi Kwame Lars Laura Layla Leila Li Liam
Lina Linh Lucas Lucia Luis Maria Mariam Marta Mateo Maya Mei Mehmet Miguel Mina Minh Mohamed
Nadia Naledi Nam Nasser Nia Nikolai Nils Noura Obinna Olga Omar Oscar Pablo Paolo Pedro Phan
Priya Rahul Rania Ravi Rina Roberto Rosa Sakura Samir Sara Sebastian Seo Sina Sokha Sophea
Sofia Sunil Tamar Tarek Thabo Thanh Tomas Tuan Valentina Vanessa Vera Victor Vikram Wei Yara
Yasmin Yoko Yusuf Zainab Zanele Zhang Zoran
""".split()

LAST_NAMES = """
Abara Abe Acheampong Adeyemi Aguilar Ahmadi Akhtar Alvarez Amadou Andersen Antonov Araya Arslan
Asante Bakr Banda Barros Bauer Becker Bianchi Bondarenko Bui Castillo Chan Chandra Chea Chowdhury
Costa Cruz Dang Das Demir Diallo Dimitrov Duarte Dube Eriksen Espinoza Farouk Fernandes Ferrari
Fischer Fofana Fujita Gallo Garcia Ghosh Gomez Greco Gupta Haddad Hamid Hansen Hashemi Hoang Horvat
Huang Hussein Ibrahim Iqbal Ishikawa Ivanova Jansen Jensen Kamara Kang Kapoor Kaya Keita Khan
Khumalo Kimura Koch Kovacs Kowalski Kumar Kuznetsov Laine Larsen Le Lee Lim Lindqvist Lopez Lungu
Mahmoud Makarov Mansour Marino Martins Mbeki Medina Mehta Mendes Meyer Mishra Molina Moreau Morozov
Mukherjee Murata Mwangi Nair Nakamura Nascimento Ndlovu Nguyen Nielsen Nkosi Noor Novak Nowak Obi
Odhiambo Ogunleye Okafor Okonkwo Oliveira Omondi Ortiz Osei Ozturk Pak Park Patel Pereira Petrov
Pham Phiri Pillai Popescu Quispe Rahman Ramos Rao Reyes Ribeiro Rossi Ruiz Saito Salazar Sandoval
Santos Sato Schmidt Schneider Sen Shah Sharma Silva Singh Sok Sorensen Suarez Suzuki Tan Tanaka
Teo Tesfaye Thapa Tran Traore Tshabalala Usman Vargas Vasquez Vega Volkov Vu Wagner Wang Weber
Wong Wu Yadav Yamamoto Yang Yilmaz Yoon Zhao Zhou Zulu
""".split()

# Countries with some of their cities: the places of the world.
PLACES = {
    "Cambodia": "Phnom Penh,Siem Reap,Battambang,Sihanoukville,Kampot,Kratie",
    "Thailand": "Bangkok,Chiang Mai,Phuket,Khon Kaen,Hat Yai",
    "Vietnam": "Hanoi,Ho Chi Minh City,Da Nang,Hai Phong,Can Tho,Hue",
    "Laos": "Vientiane,Luang Prabang,Pakse,Savannakhet",
    "Myanmar": "Yangon,Mandalay,Naypyidaw,Mawlamyine",
    "Malaysia": "Kuala Lumpur,Penang,Johor Bahru,Kota Kinabalu,Kuching",
    "Singapore": "Jurong,Woodlands",
    "Indonesia": "Jakarta,Surabaya,Bandung,Medan,Makassar,Denpasar",
    "Philippines": "Manila,Cebu,Davao,Quezon City,Iloilo",
    "Japan": "Tokyo,Osaka,Kyoto,Yokohama,Sapporo,Fukuoka,Hiroshima",
    "South Korea": "Seoul,Busan,Incheon,Daegu,Gwangju",
    "China": "Beijing,Shanghai,Guangzhou,Shenzhen,Chengdu,Wuhan,Kunming",
    "India": "New Delhi,Mumbai,Bengaluru,Chennai,Kolkata,Hyderabad,Pune",
    "Bangladesh": "Dhaka,Chittagong,Khulna,Sylhet",
    "Pakistan": "Islamabad,Karachi,Lahore,Peshawar",
    "Sri Lanka": "Colombo,Kandy,Galle,Jaffna",
    "Nepal": "Kathmandu,Pokhara,Lalitpur",
    "Australia": "Canberra,Sydney,Melbourne,Brisbane,Perth,Darwin",
    "New Zealand": "Wellington,Auckland,Christchurch",
    "Kenya": "Nairobi,Mombasa,Kisumu,Nakuru",
    "Nigeria": "Abuja,Lagos,Kano,Ibadan,Port Harcourt",
    "Ghana": "Accra,Kumasi,Tamale",
    "Ethiopia": "Addis Ababa,Dire Dawa,Mekelle,Bahir Dar",
    "South Africa": "Pretoria,Johannesburg,Cape Town,Durban",
    "Egypt": "Cairo,Alexandria,Giza,Aswan",
    "Morocco": "Rabat,Casablanca,Marrakesh,Fez,Tangier",
    "Senegal": "Dakar,Saint-Louis,Thies",
    "Tanzania": "Dodoma,Dar es Salaam,Arusha,Zanzibar City",
    "Turkey": "Ankara,Istanbul,Izmir,Antalya",
    "Jordan": "Amman,Aqaba,Irbid",
    "Lebanon": "Beirut,Tripoli,Sidon",
    "France": "Paris,Marseille,Lyon,Toulouse,Lille,Bordeaux",
    "Germany": "Berlin,Hamburg,Munich,Cologne,Frankfurt,Leipzig",
    "United Kingdom": "London,Manchester,Birmingham,Glasgow,Cardiff,Belfast",
    "Spain": "Madrid,Barcelona,Valencia,Seville,Bilbao",
    "Italy": "Rome,Milan,Naples,Turin,Palermo",
    "Poland": "Warsaw,Krakow,Gdansk,Wroclaw",
    "Sweden": "Stockholm,Gothenburg,Malmo,Uppsala",
    "Norway": "Oslo,Bergen,Trondheim",
    "Ukraine": "Kyiv,Kharkiv,Odesa,Lviv,Dnipro",
    "United States": "Washington,New York,Los Angeles,Chicago,Houston,Seattle,Miami",
    "Canada": "Ottawa,Toronto,Montreal,Vancouver,Calgary",
    "Mexico": "Mexico City,Guadalajara,Monterrey,Tijuana",
    "Brazil": "Brasilia,Sao Paulo,Rio de Janeiro,Salvador,Recife,Manaus",
    "Argentina": "Buenos Aires,Cordoba,Rosario,Mendoza",
    "Chile": "Santiago,Valparaiso,Concepcion,Antofagasta",
    "Peru": "Lima,Cusco,Arequipa,Trujillo",
    "Colombia": "Bogota,Medellin,Cali,Cartagena",
}

ORG_SECTORS = """Revenue Electricity Water Ports Railways Tourism Investment Energy Aviation
Telecommunications Fisheries Forestry Mining Housing Statistics Standards Roads Health Education
Trade Customs Meteorological Broadcasting Competition Insurance""".split()
ORG_KINDS = "Authority Board Agency Commission Council Corporation Institute Office".split()
ORG_FORMS = (
    "{country} {sector} {kind}",
    "National {sector} {kind} of {country}",
    "{city} Chamber of Commerce",
    "{city} University",
    "Bank of {city}",
    "{last} {industry} Holdings",
    "{last} and {last2} {industry} Group",
    "{country} Red Cross",
    "{city} Port Authority",
    "{sector} Workers Union of {country}",
)
INDUSTRIES = "Shipping Textile Energy Cement Rice Rubber Steel Media Logistics Construction".split()

# The topic tree: roots, their children, and regional variants of some children.
TOPICS = {
    "Politics": "Elections,Parliament,Political parties,Local government,Corruption,Human rights,"
                "Protests,Constitutional reform",
    "Diplomacy": "Bilateral relations,Trade agreements,Foreign aid,Summits,Border disputes,"
                 "Sanctions,Refugees",
    "Economy": "Trade,Investment,Inflation,Banking,Labour,Tourism,Agriculture,Manufacturing,"
               "Property,Public debt",
    "Business": "Startups,Mergers,Stock markets,Retail,Telecommunications,Aviation,Shipping,"
                "Garment industry",
    "Environment": "Climate change,Deforestation,Air pollution,Water resources,Wildlife,Fisheries,"
                   "Renewable energy,Plastic waste",
    "Health": "Public health,Hospitals,Vaccination,Mental health,Nutrition,Medicines,Epidemics",
    "Education": "Schools,Universities,Vocational training,Literacy,Scholarships",
    "Justice": "Courts,Policing,Prisons,Drug trafficking,Land disputes,Legal reform",
    "Infrastructure": "Roads,Railways,Ports,Airports,Bridges,Urban planning,Electricity grid",
    "Technology": "Internet access,Cybersecurity,Artificial intelligence,Mobile payments,"
                  "Social media",
    "Society": "Migration,Religion,Gender equality,Housing,Poverty,Youth,Ageing",
    "Culture": "Film,Music,Literature,Heritage,Festivals,Food",
    "Sport": "Football,Athletics,Boxing,Olympic Games,Cycling",
    "Defence": "Armed forces,Peacekeeping,Maritime security,Arms control,Landmines",
    "Disasters": "Floods,Droughts,Earthquakes,Storms,Wildfires",
    "Science": "Space,Archaeology,Medical research,Genetics",
}
REGIONS = ("Asia", "Africa", "Europe", "the Americas", "the Pacific", "the Middle East")

SOURCES = ("Mekong Wire", "The Harbour Times", "Daily Ledger", "Continental Press Service",
           "The Evening Standard-Bearer", "Riverside Chronicle", "Pacific Dispatch",
           "The Northern Echo Line", "Capital Report", "Global Newsdesk", "The Morning Signal",
           "Southern Courier")

ROLE_TITLES = ("Minister", "Deputy Minister", "Director", "Chair", "Spokesperson",
               "Chief Executive", "Secretary General", "Governor", "Ambassador", "Senator")

SUBJECTS = (
    "Officials", "Analysts", "The committee", "Residents", "Local traders", "Observers",
    "Critics", "Supporters of the plan", "Economists", "Community leaders", "Diplomats",
    "Union representatives", "Aid workers", "Teachers", "Farmers in the region", "Investors",
    "Lawmakers", "Business owners", "Researchers", "Environmental groups", "Health workers",
    "The opposition", "Several ministries", "Donors", "Provincial authorities", "Students",
    "Journalists", "Engineers", "Industry groups", "Civil society organisations",
)
VERBS = (
    "expect", "warned of", "welcomed", "questioned", "called for", "raised concerns about",
    "pointed to", "played down", "are preparing for", "have long pushed for",
    "remain divided over", "cautiously backed", "struggled to explain", "asked for details about",
    "say they were not consulted on", "are closely watching", "have criticised", "praised",
    "predicted", "have begun to study",
)
OBJECTS = (
    "a sharp rise in prices", "new rules on land use", "the cost of the programme",
    "delays to the project", "a review of the budget", "stronger oversight",
    "the proposed reforms", "the pace of construction", "the shortage of skilled workers",
    "higher wages", "the impact on small businesses", "access to credit",
    "the quality of public services", "the risks of rapid growth", "a clearer timetable",
    "the latest figures", "the decline in exports", "new investment",
    "the closure of several factories", "rising household debt", "the safety of workers",
    "the plan to expand the network", "the reliance on imports", "fresh funding for rural areas",
    "the transparency of the process", "the terms of the contract", "a long-term strategy",
    "the backlog of cases", "better data", "cuts to the programme",
    "the effect on the environment", "competition from abroad",
    "the condition of local roads", "tighter controls", "a public consultation",
    "stronger regional cooperation",
)
ADVERBIALS = (
    "", ", according to people familiar with the discussions", ", despite earlier assurances",
    " in recent months", ", citing the experience of neighbouring countries",
    " at a meeting on the issue", ", a sign of growing pressure on the government",
    " in interviews", " in a series of statements", ", though details remain scarce",
    " as negotiations continued", " ahead of the next session",
    ", in a report seen by reporters",
)

# Sentence templates. Slots: {P} person, {O} organisation, {L} place, {K} topic
# keyword, {D} a date as written, after "on" for days and "in" for periods.
PERSON_SENTENCES = (
    "{P} said the proposal needed more work.",
    "According to {P}, the figures were encouraging.",
    "{P} declined to comment on the report.",
    "Speaking to reporters, {P} called for patience.",
    "{P} has long argued for a different approach.",
    "Asked about the timing, {P} said no decision had been taken.",
    "{P} described the talks as constructive.",
    "The remarks by {P} drew a swift response.",
)
PERSON_ORG_SENTENCES = (
    "{P}, who advises the {O}, welcomed the decision.",
    "{P} met officials from the {O} to discuss the plan.",
    "In a letter to the {O}, {P} asked for an independent review.",
)
PERSON_PLACE_SENTENCES = (
    "{P} is expected to travel to {L} for further talks.",
    "In {L}, {P} told a crowd of supporters that the work would continue.",
)
ORG_SENTENCES = (
    "The {O} said in a statement that it would respond in due course.",
    "A spokesperson for the {O} did not reply to questions.",
    "The {O} has faced criticism over its handling of the matter.",
    "Figures from the {O} point to a gradual recovery.",
)
PLACE_SENTENCES = (
    "In {L}, the reaction was mixed.",
    "Similar projects are under way in {L}.",
    "Officials in {L} expect the effects to last for years.",
    "The news was followed closely in {L}.",
)
KEYWORD_SENTENCES = (
    "The question of {K} has divided opinion.",
    "Experts say {K} will remain a priority.",
    "Spending on {K} has risen steadily.",
    "Few issues have drawn as much attention as {K}.",
)
DAY_SENTENCES = (
    "The agreement was signed on {D}.",
    "A first meeting took place on {D}.",
    "The figures were published on {D}.",
)
PERIOD_SENTENCES = (
    "Work on the plan began in {D}.",
    "A similar dispute flared in {D}.",
    "The programme was last reviewed in {D}.",
)
LEADS = (
    "{P} on {D} announced new measures on {K} in {L}.",
    "{P} said on {D} that the government would act on {K} in {L}.",
)
HEADLINES = (
    "{P} pledges action on {K} in {L}",
    "{L} braces for debate on {K} as {P} sets out plan",
    "{P} defends record on {K} during visit to {L}",
    "What {P}'s plan for {K} means for {L}",
    "{K} back on the agenda in {L} after {P} intervenes",
)
STANDFIRSTS = (
    "{P} said the measures were overdue, as officials in {L} weighed the cost.",
    "The announcement by {P} follows months of pressure from groups in {L}.",
)
MONTHS = ("January February March April May June July August September October "
          "November December").split()
QUARTERS = ("first", "second", "third", "fourth")


# --- Text with spans and a cheap exact content hash ---------------------------


def word_run(piece: str) -> str:
    """The words of `piece` as articles.tagging.cleaning.normalize_for_hash
    leaves them: NFKC, case-folded, every run of characters other than
    letters and digits a single space, no space at either end."""
    folded = unicodedata.normalize("NFKC", piece).casefold()
    return " ".join(re.findall(r"[^\W_]+", folded))


@functools.lru_cache(maxsize=200_000)
def cached_word_run(piece: str) -> str:
    return word_run(piece)


class Text:
    """A text assembled piece by piece, remembering where each piece went.

    It also keeps the normalized words of every piece: since pieces always
    meet at a space or punctuation, the normalized text is the normalized
    pieces joined by spaces, and content_hash costs a few dictionary lookups
    instead of running the cleaning pipeline over 4,000 characters. The
    corpus tests check that it equals content_hash for every article."""

    __slots__ = ("parts", "length", "words")

    def __init__(self):
        self.parts, self.length, self.words = [], 0, []

    def add(self, piece: str, words: str | None = None) -> tuple[int, int]:
        """Append `piece` (whose word_run is `words`, if known); returns its span."""
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        if words is None:
            words = cached_word_run(piece)
        if words:
            self.words.append(words)
        return start, self.length

    def __str__(self):
        return "".join(self.parts)

    def normalized(self) -> str:
        return " ".join(self.words)


def text_hash(headline: Text, body: Text) -> str:
    """content_hash(headline, body) for texts built by Text, whose
    cleaning is a no-op by construction (plain spaces, single blank lines
    between paragraphs, no scraping debris)."""
    normalized = " ".join(part for part in (headline.normalized(), body.normalized()) if part)
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


TEMPLATE_SLOT = re.compile(r"\{([PLOKD])\}")


@functools.lru_cache(maxsize=None)
def template_parts(template: str) -> tuple:
    """'{P} said {K}.' -> ('', 'P', ' said ', 'K', '.'): text and slots alternating."""
    return tuple(TEMPLATE_SLOT.split(template))


def render(text: Text, template: str, values: dict, spans: dict) -> None:
    """Append `template` with its slots filled from values[slot] = (name,
    key); record where each name went in spans[key]."""
    parts = template_parts(template)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            text.add(part)
        else:
            name, key = values[part]
            start, end = text.add(name)
            spans.setdefault(key, []).append((start, end, name))


# --- The world: authority lists, topics, sources ------------------------------


@dataclass(frozen=True)
class Spec:
    """Sizes of the world. Articles draw their tags from these lists."""

    people: int = 5000
    reporters: int = 150
    organisations: int = 600


@dataclass
class Record:
    name: str
    slug: str
    key: str = ""
    id: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    """Lists in order of popularity (people, organisations, places), or in
    tree order (topics, whose popularity order is topic_rank)."""

    people: list
    reporters: list
    organisations: list
    places: list  # countries and cities; a city's extra["parent"] is its country's index
    topics: list  # extra: parent index, keyword
    topic_rank: list  # topic indexes, most popular first
    sources: list
    # (person index, title, organisation index or None, country index or None, start, end)
    roles: list
    fillers: list  # (sentence, its word_run): what is said between the mentions

    def __post_init__(self):
        def cumulative(n, s):
            return list(itertools.accumulate(1 / (rank ** s) for rank in range(1, n + 1)))

        self.person_weights = cumulative(len(self.people), 1.0)
        self.organisation_weights = cumulative(len(self.organisations), 0.9)
        self.place_weights = cumulative(len(self.places), 0.9)
        self.topic_weights = cumulative(len(self.topics), 0.8)


def unique_slugs(records) -> None:
    seen = set()
    for record in records:
        base = record.slug = slugify(record.name)[:180] or "record"
        n = 2
        while record.slug in seen:
            record.slug = f"{base}-{n}"
            n += 1
        seen.add(record.slug)


def distinct_names(rng, n, make, taken=()):
    """n records with distinct name keys, names from make(rng)."""
    keys, records = set(taken), []
    attempts = 0
    while len(records) < n:
        attempts += 1
        if attempts > n * 50:
            raise ValueError(f"Cannot make {n} distinct names from these lists.")
        name = make(rng)
        key = name_key(name)
        if key in keys:
            continue
        keys.add(key)
        records.append(Record(name=name, slug="", key=key))
    return records


def build_world(seed: int, spec: Spec = Spec()) -> World:
    """The authority lists, topic tree and sources of the corpus of `seed`."""
    rng = random.Random(f"newsroom-corpus-world:{seed}")

    places = [Record(country, "", name_key(country), extra={"kind": "country"})
              for country in PLACES]
    places += [Record(city, "", name_key(city), extra={"kind": "city", "country": country})
               for country, cities in PLACES.items() for city in cities.split(",")]
    rng.shuffle(places)  # the order of popularity
    index_of = {p.name: i for i, p in enumerate(places)}
    for place in places:
        if place.extra["kind"] == "city":
            place.extra["parent"] = index_of[place.extra.pop("country")]
    unique_slugs(places)

    place_keys = {p.key for p in places}
    people_and_reporters = distinct_names(
        rng, spec.people + spec.reporters,
        lambda r: f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}", taken=place_keys)
    for person in people_and_reporters:
        first, last = person.name.split(" ", 1)
        person.extra["sort_name"] = f"{last}, {first}"
    unique_slugs(people_and_reporters)
    people, reporters = people_and_reporters[:spec.people], people_and_reporters[spec.people:]

    countries = list(PLACES)
    cities = [c for cs in PLACES.values() for c in cs.split(",")]

    def organisation_name(r):
        return r.choice(ORG_FORMS).format(
            country=r.choice(countries), city=r.choice(cities), sector=r.choice(ORG_SECTORS),
            kind=r.choice(ORG_KINDS), last=r.choice(LAST_NAMES), last2=r.choice(LAST_NAMES),
            industry=r.choice(INDUSTRIES))

    taken = place_keys | {p.key for p in people_and_reporters}
    organisations = distinct_names(rng, spec.organisations, organisation_name, taken=taken)
    unique_slugs(organisations)

    topics = []
    for root, children in TOPICS.items():
        root_index = len(topics)
        topics.append(Record(root, "", extra={"parent": None, "keyword": root.lower()}))
        for child in children.split(","):
            child_index = len(topics)
            topics.append(Record(child, "", extra={"parent": root_index, "keyword": child.lower()}))
            for region in rng.sample(REGIONS, rng.choice((0, 2, 3))):
                name = f"{child} in {region}"
                topics.append(Record(name, "", extra={"parent": child_index,
                                                      "keyword": f"{child.lower()} in {region}"}))
    unique_slugs(topics)

    sources = [Record(name, "") for name in SOURCES]
    unique_slugs(sources)

    roles = []
    organisation_countries = [i for i, p in enumerate(places) if p.extra["kind"] == "country"]
    for i in range(len(people)):
        if rng.random() < 0.3:
            start = datetime.date(rng.randint(2000, 2024), rng.randint(1, 12), 1)
            end = (None if rng.random() < 0.6
                   else start + datetime.timedelta(days=rng.randint(200, 2500)))
            if rng.random() < 0.5:
                roles.append((i, rng.choice(ROLE_TITLES), rng.randrange(len(organisations)), None,
                              start, end))
            else:
                roles.append((i, rng.choice(ROLE_TITLES), None, rng.choice(organisation_countries),
                              start, end))

    fillers = set()
    while len(fillers) < FILLERS:
        fillers.add(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
                    f"{rng.choice(ADVERBIALS)}.")
    fillers = [(text, word_run(text)) for text in sorted(fillers)]
    rng.shuffle(fillers)

    topic_rank = list(range(len(topics)))
    rng.shuffle(topic_rank)
    return World(people, reporters, organisations, places, topics, topic_rank, sources, roles,
                 fillers)


# --- One article ---------------------------------------------------------------


@dataclass
class SyntheticArticle:
    id: int
    kind: str  # live, or one of NOT_LIVE
    headline: str
    slug: str
    standfirst: str
    body: str
    status: str
    published_at: datetime.datetime | None  # naive UTC
    created_at: datetime.datetime
    source: int  # indexes into the world's lists
    dateline: int
    content_hash: str
    bylines: list  # reporter indexes
    # (kind, index, state, relation, origin, confidence, evidence spans [(field, start, end, text)])
    tags: list
    # (text, value, date_from, date_to, precision, evidence spans)
    dates: list


def date_expression(rng, around: datetime.date):
    """A date as an article would write it, with its TIMEX3 value, range and
    precision; mostly near `around`, sometimes long before."""
    if rng.random() < 0.1:
        decade = rng.randrange(1950, around.year - 10, 10)
        if rng.random() < 0.5:
            return (f"the {decade}s", str(decade // 10), datetime.date(decade, 1, 1),
                    datetime.date(decade + 9, 12, 31), "decade")
        year = rng.randint(decade, decade + 9)
        return str(year), str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year"
    day = around + datetime.timedelta(days=rng.randint(-400, 200))
    kind = rng.random()
    if kind < 0.55:
        text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        return text, day.isoformat(), day, day, "day"
    if kind < 0.8:
        next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last = next_month - datetime.timedelta(days=1)
        return (f"{MONTHS[day.month - 1]} {day.year}", f"{day.year}-{day.month:02d}",
                day.replace(day=1), last, "month")
    if kind < 0.9:
        q = (day.month - 1) // 3
        first = datetime.date(day.year, 3 * q + 1, 1)
        last = (datetime.date(day.year + 1, 1, 1) if q == 3
                else datetime.date(day.year, 3 * q + 4, 1)) - datetime.timedelta(days=1)
        return (f"the {QUARTERS[q]} quarter of {day.year}", f"{day.year}-Q{q + 1}", first, last,
                "quarter")
    return (str(day.year), str(day.year), datetime.date(day.year, 1, 1),
            datetime.date(day.year, 12, 31), "year")


def pick(rng, cum_weights, k, exclude=()):
    """k distinct indexes drawn by weight."""
    chosen, total = [], cum_weights[-1]
    while len(chosen) < k:
        i = bisect.bisect(cum_weights, rng.random() * total)
        if i not in chosen and i not in exclude:
            chosen.append(i)
    return chosen


def make_article(world: World, seed: int, article_id: int,
                 end: datetime.datetime) -> SyntheticArticle:
    """Article number `article_id` of the corpus of `seed`, published in the
    twenty years before `end` (naive UTC) unless it is one of the few
    drafts, articles in review, scheduled or archived ones."""
    rng = random.Random(seed * 1_000_003 + article_id)
    random_ = rng.random
    span = YEARS * 365 * 86400
    published = end - datetime.timedelta(seconds=rng.randrange(span))
    kind, roll = "live", rng.random()
    for name, share in NOT_LIVE:
        if roll < share:
            kind = name
            break
        roll -= share
    status, published_at = kind, published
    if kind in ("draft", "review"):
        published_at = None
    elif kind in ("live", "scheduled"):
        status = "published"
    if kind == "scheduled":
        published = published_at = end + datetime.timedelta(seconds=rng.randrange(3600, 60 * 86400))
    created = published - datetime.timedelta(seconds=rng.randrange(600, 3 * 86400))

    # 3 to 10 accepted tags of records, plus 2 to 5 dates.
    n_people = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
    n_places = rng.choice((1, 1, 1, 2))
    n_topics = rng.choice((1, 1, 2))
    n_orgs = rng.choice((0, 1, 1, 2))
    n_dates = rng.randint(2, 5)
    people = pick(rng, world.person_weights, n_people)
    places = pick(rng, world.place_weights, n_places)
    topics = [world.topic_rank[i] for i in pick(rng, world.topic_weights, n_topics)]
    organisations = pick(rng, world.organisation_weights, n_orgs)
    suggested = pick(rng, world.person_weights, 1, exclude=people) if rng.random() < 0.1 else []

    def person(i):
        return world.people[i].name, ("person", i)

    def place(i):
        return world.places[i].name, ("place", i)

    def organisation(i):
        return world.organisations[i].name, ("organisation", i)

    def keyword(i):
        return world.topics[i].extra["keyword"], ("topic", i)

    around = published.date()
    dates = [date_expression(rng, around) for _ in range(n_dates)]

    def date(i):
        return dates[i][0], ("date", i)

    main = {"P": person(people[0]), "L": place(places[0]), "K": keyword(topics[0])}
    headline, standfirst, body = Text(), Text(), Text()
    head_spans, stand_spans, body_spans = {}, {}, {}
    render(headline, rng.choice(HEADLINES), main, head_spans)
    render(standfirst, rng.choice(STANDFIRSTS), main, stand_spans)
    headline_text = str(headline)
    headline_text = headline_text[0].upper() + headline_text[1:]  # a keyword may lead
    standfirst_text = str(standfirst)

    # Every tagged record mentioned once or more, every date once.
    jobs = [(rng.choice(LEADS), {**main, "D": date(0)})]
    if dates[0][4] != "day":
        jobs = [(rng.choice(PERIOD_SENTENCES), {"D": date(0)}),
                (rng.choice(PERSON_SENTENCES), main)]
    for n, i in enumerate(people):
        for _ in range(rng.randint(2, 4) if n == 0 else rng.randint(1, 2)):
            roll = rng.random()
            if roll < 0.2 and organisations:
                jobs.append((rng.choice(PERSON_ORG_SENTENCES),
                             {"P": person(i), "O": organisation(rng.choice(organisations))}))
            elif roll < 0.35:
                jobs.append((rng.choice(PERSON_PLACE_SENTENCES),
                             {"P": person(i), "L": place(rng.choice(places))}))
            else:
                jobs.append((rng.choice(PERSON_SENTENCES), {"P": person(i)}))
    for i in suggested:
        jobs.append((rng.choice(PERSON_SENTENCES), {"P": person(i)}))
    for i in organisations:
        jobs.append((rng.choice(ORG_SENTENCES), {"O": organisation(i)}))
    for i in places:
        jobs.append((rng.choice(PLACE_SENTENCES), {"L": place(i)}))
    for i in topics:
        for _ in range(rng.randint(1, 2)):
            jobs.append((rng.choice(KEYWORD_SENTENCES), {"K": keyword(i)}))
    for n in range(1, n_dates):
        templates = DAY_SENTENCES if dates[n][4] == "day" else PERIOD_SENTENCES
        jobs.append((rng.choice(templates), {"D": date(n)}))
    lead, rest = jobs[0], jobs[1:]
    rng.shuffle(rest)

    # Filler between the mentions, up to a length of 2,000 to 5,000 characters.
    target = rng.randint(2050, 4700)
    length = sum(len(t) - 3 * t.count("{") + sum(len(values[slot][0]) for slot in
                                                  TEMPLATE_SLOT.findall(t)) + 1
                 for t, values in jobs)
    sentences = [lead, *rest]
    fillers, n_fillers = world.fillers, len(world.fillers)
    while length < target:
        filler = fillers[int(random_() * n_fillers)]
        sentences.insert(1 + int(random_() * len(sentences)), filler)
        length += len(filler[0]) + 1
    paragraph_left = rng.randint(2, 5)
    for n, (template, values) in enumerate(sentences):
        if n:
            paragraph_left -= 1
            if paragraph_left == 0:
                body.add("\n\n", "")
                paragraph_left = 2 + int(random_() * 4)
            else:
                body.add(" ", "")
        if isinstance(values, str):
            body.add(template, values)
        else:
            render(body, template, values, body_spans)
    while body.length < 2000:  # paragraph breaks made the estimate short of the mark
        body.add(" ", "")
        body.add(*fillers[int(random_() * n_fillers)])

    body_text = str(body)
    texts = {"headline": headline_text, "standfirst": standfirst_text, "body": body_text}

    def evidence(key):
        """Where the record of `key` is named: (field, start, end, text as written)."""
        spans = [("headline", *s) for s in head_spans.get(key, ())]
        spans += [("standfirst", *s) for s in stand_spans.get(key, ())]
        spans += [("body", *s) for s in body_spans.get(key, ())[:6]]
        return [(f, start, end, texts[f][start:end]) for f, start, end, _ in spans]

    tags = []
    for tag_kind, indexes in (("person", people), ("organisation", organisations),
                          ("place", places), ("topic", topics)):
        for n, i in enumerate(indexes):
            by_tagger = rng.random() < 0.7
            tags.append((tag_kind, i, TagState.ACCEPTED, "about" if n == 0 else "mentions",
                         TagOrigin.TAGGER if by_tagger else TagOrigin.EDITOR,
                         round(rng.uniform(0.7, 0.99), 3) if by_tagger else 1.0,
                         evidence((tag_kind, i))))
    for i in suggested:
        tags.append(("person", i, TagState.SUGGESTED, "mentions", TagOrigin.TAGGER,
                     round(rng.uniform(0.4, 0.8), 3), evidence(("person", i))))

    n_bylines = 1 if rng.random() < 0.85 else 2
    bylines = rng.sample(range(len(world.reporters)), n_bylines)
    return SyntheticArticle(
        id=article_id,
        kind=kind,
        headline=headline_text,
        slug=f"{slugify(headline_text)[:90].rstrip('-')}-{article_id}",
        standfirst=standfirst_text,
        body=body_text,
        status=status,
        published_at=published_at,
        created_at=created,
        source=rng.randrange(len(world.sources)),
        dateline=places[0],
        content_hash=text_hash(headline, body),
        bylines=bylines,
        tags=tags,
        dates=[(text, value, first, last, precision, evidence(("date", n)))
               for n, (text, value, first, last, precision) in enumerate(dates)],
    )


# --- Loading --------------------------------------------------------------------


def evidence_json(spans) -> str:
    return json.dumps([
        {"start": start, "end": end, "text": text} if field_name == "body"
        else {"start": start, "end": end, "text": text, "field": field_name}
        for field_name, start, end, text in spans
    ])


class Table:
    """INSERTs into one model's table with the columns named, checking that
    no required column is left out (a new NOT NULL field must be added here)."""

    def __init__(self, model, fields):
        self.model = model
        self.table = model._meta.db_table
        self.columns = [model._meta.get_field(name).column for name in fields]
        named = set(fields)
        missing = [
            f.name for f in model._meta.concrete_fields
            if f.name not in named and not f.null and not f.primary_key and not f.has_db_default()
        ]
        if missing:
            raise RuntimeError(f"articles.corpus does not fill {model.__name__}.{missing}.")


class Writer:
    """Inserts rows into the database of `using`, the fastest way it has."""

    def __init__(self, using):
        self.connection = connections[using]
        self.vendor = self.connection.vendor
        self.timestamp = timestamp_format(self.vendor)

    def insert(self, table: Table, rows: list) -> None:
        if not rows:
            return
        columns = ", ".join(self.connection.ops.quote_name(c) for c in table.columns)
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table.table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(f"INSERT INTO {table.table} ({columns}) VALUES ({marks})", rows)


ARTICLE = Table(Article, [
    "id", "created_at", "updated_at", "headline", "slug", "standfirst", "body", "captions",
    "source", "original_url", "dateline", "published_at", "embargo_until", "status",
    "metadata_notes", "content_hash", "tagged_hash", "version", "kill_notice",
])
TAG_FIELDS = ["article", "created_at", "updated_at", "state", "origin", "tagger_version",
              "confidence", "evidence", "decided_at"]
TAG_TABLES = {
    "person": Table(ArticlePerson, [*TAG_FIELDS, "relation", "person"]),
    "organisation": Table(ArticleOrganisation, [*TAG_FIELDS, "relation", "organisation"]),
    "place": Table(ArticlePlace, [*TAG_FIELDS, "relation", "place"]),
    "topic": Table(ArticleTopic, TAG_FIELDS + ["topic"]),
}
DATES = Table(DateMention, [*TAG_FIELDS, "text", "date_from", "date_to", "precision", "value",
                            "mod", "label"])
BYLINE = Table(Byline, ["article", "person", "role", "position"])
RECORD_FIELDS = ["id", "created_at", "updated_at", "name", "slug", "key", "description",
                 "wikidata_id"]
PERSON = Table(Person, [*RECORD_FIELDS, "sort_name"])
ORGANISATION = Table(Organisation, RECORD_FIELDS)
PLACE = Table(Place, [*RECORD_FIELDS, "kind", "parent"])
TOPIC = Table(Topic, ["id", "created_at", "updated_at", "name", "slug", "parent", "path",
                      "description", "keywords", "iptc_uri"])
SOURCE = Table(Source, ["id", "created_at", "updated_at", "name", "slug", "homepage_url"])
ROLE = Table(Role, ["person", "title", "organisation", "country", "start_date", "end_date"])


def next_id(model, using) -> int:
    last = model._default_manager.using(using).order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def store_world(world: World, writer: Writer, using: str, created: datetime.datetime) -> dict:
    """Give every record of the world its database id: the existing record
    of the same name (a corpus grown in several runs), or a new row.
    Returns the number of new rows per kind."""
    ts = writer.timestamp(created)
    added = {}

    def assign(model, records, match_field, row):
        existing = dict(model._default_manager.using(using).values_list(match_field, "pk"))
        new_id = next_id(model, using)
        rows = []
        for record in records:
            value = record.key if match_field == "key" else getattr(record, match_field)
            record.id = existing.get(value)
            if record.id is None:
                record.id = new_id
                new_id += 1
                rows.append(row(record))
        added[model._meta.verbose_name_plural] = len(rows)
        return rows

    with transaction.atomic(using=using):
        writer.insert(SOURCE, assign(Source, world.sources, "name", lambda r: (
            r.id, ts, ts, r.name, r.slug, f"https://{r.slug}.example.org/")))
        # Countries before cities, so that a parent exists when its child is written.
        places = sorted(world.places, key=lambda p: p.extra["kind"] != "country")
        rows = assign(Place, places, "key", lambda r: r)
        writer.insert(PLACE, [(
            r.id, ts, ts, r.name, r.slug, r.key, "", "", r.extra["kind"],
            world.places[r.extra["parent"]].id if "parent" in r.extra else None,
        ) for r in rows])
        rows = assign(Person, world.people + world.reporters, "key", lambda r: r)
        writer.insert(PERSON, [(r.id, ts, ts, r.name, r.slug, r.key, "", "", r.extra["sort_name"])
                               for r in rows])
        new_people = {r.id for r in rows}
        writer.insert(ORGANISATION, assign(Organisation, world.organisations, "key", lambda r: (
            r.id, ts, ts, r.name, r.slug, r.key, "", "")))
        rows = assign(Topic, world.topics, "slug", lambda r: r)
        paths = dict(Topic.objects.using(using).values_list("pk", "path"))
        for r in world.topics:
            r.extra["path"] = paths.get(r.id)
        topic_rows = []
        for r in rows:  # tree order: a parent's path is known before its children's
            parent = world.topics[r.extra["parent"]] if r.extra["parent"] is not None else None
            r.extra["path"] = f"{parent.extra['path'] if parent else '/'}{r.id}/"
            topic_rows.append((r.id, ts, ts, r.name, r.slug, parent.id if parent else None,
                               r.extra["path"], "", r.extra["keyword"], ""))
        writer.insert(TOPIC, topic_rows)
        writer.insert(ROLE, [
            (world.people[p].id, title, world.organisations[o].id if o is not None else None,
             world.places[c].id if c is not None else None, start.isoformat(),
             end.isoformat() if end else None)
            for p, title, o, c, start, end in world.roles if world.people[p].id in new_people
        ])
    return added


LOAD_TABLES = (ARTICLE, *TAG_TABLES.values(), DATES, BYLINE)


def timestamp_format(vendor: str):
    """How a naive UTC datetime is written for the backend: what Django
    would send for the aware equivalent."""
    if vendor == "sqlite":
        return lambda value: None if value is None else str(value)
    return lambda value: None if value is None else f"{value}+00:00"


def article_rows(world: World, article: SyntheticArticle, timestamp, rows: list) -> None:
    """Append the article's rows to rows[i], one list per table of LOAD_TABLES."""
    articles, people, organisations, places, topics, dates, bylines = rows
    tag_rows = {"person": people, "organisation": organisations, "place": places,
                "topic": topics}
    created = timestamp(article.created_at)
    decided = timestamp(article.published_at or article.created_at)
    articles.append((
        article.id, created, decided, article.headline, article.slug, article.standfirst,
        article.body, "", world.sources[article.source].id, "", world.places[article.dateline].id,
        timestamp(article.published_at), None, article.status, "", article.content_hash, "", 1, "",
    ))
    records = {"person": world.people, "organisation": world.organisations,
               "place": world.places, "topic": world.topics}
    for kind, i, state, relation, origin, confidence, spans in article.tags:
        row = (article.id, created, decided, state, origin,
               TAGGER_VERSION if origin == TagOrigin.TAGGER else "", confidence,
               evidence_json(spans), decided if state == TagState.ACCEPTED else None)
        if kind != "topic":
            row += (relation,)
        tag_rows[kind].append((*row, records[kind][i].id))
    for text, value, first, last, precision, spans in article.dates:
        dates.append((article.id, created, decided, TagState.ACCEPTED, TagOrigin.TAGGER,
                      TAGGER_VERSION, 0.9, evidence_json(spans), decided, text,
                      first.isoformat(), last.isoformat(), precision, value, "", ""))
    for position, reporter in enumerate(article.bylines):
        bylines.append((article.id, world.reporters[reporter].id, "author", position))


def make_batch(world: World, seed: int, end: datetime.datetime, vendor: str, ids: range):
    """The rows of articles `ids`, per table of LOAD_TABLES, and how many of
    each kind (live, draft, ...) they are."""
    timestamp = timestamp_format(vendor)
    rows = [[] for _ in LOAD_TABLES]
    kinds = {}
    for article_id in ids:
        article = make_article(world, seed, article_id, end)
        article_rows(world, article, timestamp, rows)
        kinds[article.kind] = kinds.get(article.kind, 0) + 1
    return kinds, rows


# What forked workers generate from: set before the pool starts, inherited.
_worker_context = None


def _make_batch_in_worker(ids):
    return make_batch(*_worker_context, ids)


def batches(context, ranges, workers: int):
    """make_batch for each range, in order: in this process, or in `workers`
    forked processes a few batches ahead of the writer (memory stays bounded)."""
    global _worker_context
    if workers < 1:
        for ids in ranges:
            yield make_batch(*context, ids)
        return
    _worker_context = context
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        ranges = iter(ranges)
        pending = collections.deque(
            pool.apply_async(_make_batch_in_worker, (ids,))
            for ids in itertools.islice(ranges, 2 * workers)
        )
        while pending:
            result = pending.popleft().get()
            following = next(ranges, None)
            if following is not None:
                pending.append(pool.apply_async(_make_batch_in_worker, (following,)))
            yield result
    finally:
        pool.terminate()
        pool.join()
        _worker_context = None


@dataclass
class Summary:
    articles: int = 0
    by_kind: dict = field(default_factory=dict)  # live, draft, review, scheduled, archived
    tags: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    seconds: float = 0.0
    first_id: int = 0
    last_id: int = 0


# Durability of each batch does not matter while a throwaway corpus loads
# (the connection's own settings return with the next connection); a large
# page cache keeps the tag indexes in memory.
SQLITE_BULK_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-1000000",
                       "PRAGMA temp_store=MEMORY")


@contextlib.contextmanager
def search_index_deferred(connection, first_id: int):
    """SQLite: index the new articles for search in one statement once they
    are all in, rather than row by row through the insert trigger of
    migration 0005, about four times the work, then merge the index's
    segments into one (FTS5 'optimize': a search's snippets, 2.5 -> 0.9 ms
    at 100,000 articles). The trigger is back when this exits, whatever
    happened; the articles written by then are indexed."""
    if connection.vendor != "sqlite" or FTS_TABLE not in connection.introspection.table_names():
        yield
        return
    trigger = "articles_article_fts_ai"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    try:
        yield
    finally:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(SQLITE_TRIGGERS[trigger])
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, headline, standfirst, body) "
                f"SELECT id, headline, standfirst, body FROM {ARTICLE.table} WHERE id >= %s",
                [first_id],
            )
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def today() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, hour=0, minute=0, second=0,
                                                       microsecond=0)


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1) - 1)


def generate(n: int, *, seed: int = 0, end: datetime.datetime | None = None,
             using: str = "default", batch_size: int = 2000, workers: int | None = None,
             spec: Spec = Spec(), progress=None, stage=None) -> Summary:
    """Add n synthetic articles to the database `using` (ids after the
    last one there). `end` (naive UTC, default today) closes the twenty years
    of publication. Articles are generated by `workers` forked processes
    (default: one per core but one; 0: in this one) while this one writes.
    progress(k) is called after each batch of k articles, stage(text) when
    a final step starts."""
    started = time.perf_counter()
    end = end or today()
    if workers is None:
        workers = default_workers() if n > 2 * batch_size else 0
    writer = Writer(using)
    connection = writer.connection

    world = build_world(seed, spec)
    summary = Summary(records=store_world(
        world, writer, using, end - datetime.timedelta(days=YEARS * 366)))
    summary.first_id = first = next_id(Article, using)
    summary.last_id = first + n - 1
    ranges = [range(start, min(start + batch_size, first + n))
              for start in range(first, first + n, batch_size)]
    # Fork with the connection closed, so that no worker inherits it (unless
    # the caller's transaction holds it: the workers never touch it either way).
    if not connection.in_atomic_block:
        connection.close()
    generated = batches((world, seed, end, writer.vendor), ranges, workers)
    if writer.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for pragma in SQLITE_BULK_PRAGMAS:
                cursor.execute(pragma)

    with search_index_deferred(connection, first):
        for kinds, rows in generated:
            with transaction.atomic(using=using):
                for table, table_rows in zip(LOAD_TABLES, rows):
                    writer.insert(table, table_rows)
            for kind, count in kinds.items():
                summary.by_kind[kind] = summary.by_kind.get(kind, 0) + count
            for table, table_rows in zip(LOAD_TABLES[1:], rows[1:]):
                name = table.model._meta.verbose_name_plural
                summary.tags[name] = summary.tags.get(name, 0) + len(table_rows)
            summary.articles += len(rows[0])
            if progress:
                progress(len(rows[0]))
        if stage and connection.vendor == "sqlite":
            stage("Indexing the new articles for search")

    if stage:
        stage("Updating planner statistics")
    finish(connection, [ARTICLE, PERSON, ORGANISATION, PLACE, TOPIC, SOURCE, *LOAD_TABLES[1:],
                        ROLE])
    # The loader sends no signals: make the cached public pages stale at once.
    cache.bump()
    summary.seconds = time.perf_counter() - started
    return summary


def finish(connection, tables) -> None:
    """After a bulk load: sequences past the explicit ids (PostgreSQL), and
    fresh planner statistics (both), as a production database would have."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
                cursor.execute(sql)
    analyze(connection, [t.table for t in tables])


def analyze(connection, tables) -> None:
    """Fresh planner statistics for these tables (SQLite: for every table,
    sampled). Without them, PostgreSQL guesses a third of the rows for each
    inequality: a ninth of ArticleCoverage "not yet live", read by a
    sequential scan on every record page (34 ms at 100k). On PostgreSQL,
    outside a transaction, VACUUM too: its visibility map lets index-only
    scans skip the rows, without which a posting list is read through a
    bitmap and sorted (a person's page: 4.8 ms against 0.3)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
