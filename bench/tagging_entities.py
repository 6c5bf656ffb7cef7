#!/usr/bin/env python3
"""Benchmark for articles.tagging.entities (standalone, no Django).

* generates 100,000 synthetic names + aliases deterministically
  (random.Random(42); Khmer-, Japanese- and Western-style two/three-token
  person names, organisations with acronyms, places),
* builds the AuthorityIndex (prints build time and memory),
* generates 2,000 synthetic ~4,000-character articles that mention some of
  the records (full names, reversed order, titles, possessives, short forms),
* prints articles/second for ``find`` on one core, and for the raw
  Aho-Corasick matcher alone.

Run:  python bench/tagging_entities.py [--names 100000] [--articles 2000]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from articles.tagging import entities as ent  # noqa: E402
from articles.tagging.entities import AuthorityIndex, Record  # noqa: E402

KHMER_FAMILY = (
    "Sok Chan Hun Prak Ek Thong Yang Ry Chea Kem Sar Heng Pen Ouk Nuon Keo Lim Ly Meas Men "
    "Mam Nhem Phan Seng Tep Touch Vong Yim Bun Chhay Chhim Hem Hor Kong Kang Khieu Say Sim "
    "Tan Var Uch Nov Suon Pich Ros Mao Nget Srey Chum Hang Chhun Duong"
).split()
KHMER_SYL = (
    "so kha bun ly meng da vid pheak rith vuth pis eth cha nna sre mom bo pha van na "
    "kos al ro tha vi sal chan thy so ka nika sok hon rat ana pov leak chen dara sam "
    "nang voeun sna sith pich vath rea kse mony"
).split()
JP_SYL = "ka mi ya ma za ki ta na su zu ko ji fu o shi n zo hi ro to mo a be yo ri sa wa ha se no ku".split()
WEST_FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca"
).split()
WEST_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Okafor Novak "
    "Kowalski Ivanov Schmidt Dubois Rossi Silva Costa Haddad"
).split()
ORG_HEAD = (
    "Ministry Council Institute Agency Authority Association Federation Foundation Bank "
    "Centre Commission Committee Company Group Union Academy Forum Network Alliance"
).split()
ORG_ADJ = (
    "National Royal Regional International Asian Mekong Pacific Southern Northern Central "
    "Independent Democratic United Strategic Economic Maritime Coastal Rural Urban Digital"
).split()
ORG_TOPIC = (
    "Development Trade Energy Water Agriculture Defence Education Health Finance Tourism "
    "Transport Labour Justice Culture Environment Fisheries Mining Research Security Commerce"
).split()
PLACE_SUFFIX = ("", "", " Province", " District", " City", " Island", " River", " Bay")

FILLER = [
    "The government said the programme would be reviewed before the end of the year.",
    "Officials noted that cooperation between the two countries had grown steadily.",
    "Analysts believe the agreement will strengthen trade and investment in the region.",
    "The meeting was held behind closed doors and no statement was issued afterwards.",
    "According to the ministry, more than two thousand workers will benefit from the plan.",
    "Critics argued that the reform did not go far enough to address the concerns raised.",
    "He added that the talks had been productive and that both sides would meet again.",
    "The project, funded by international donors, is expected to be completed next year.",
    "Local residents welcomed the decision but called for greater transparency.",
    "It was the first such visit in more than a decade, according to the statement.",
    "She said the long-term goal was to improve living standards in rural areas.",
    "Experts warned that rising costs could slow progress on infrastructure projects.",
    "The delegation also toured a new hospital and a vocational training centre.",
    "Both leaders agreed to expand cooperation on education, health and digital skills.",
    "Prices rose sharply in the second quarter, the central bank said in its report.",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _word(rng: random.Random, syl, lo: int, hi: int) -> str:
    return _cap("".join(rng.choice(syl) for _ in range(rng.randint(lo, hi))))


def make_records(target: int, rng: random.Random) -> list[Record]:
    """Records whose names + aliases add up to ``target`` patterns."""
    records: list[Record] = []
    seen: set[str] = set()
    total = 0
    i = 0
    while total < target:
        i += 1
        r = rng.random()
        aliases: list[str] = []
        if r < 0.30:  # Khmer-style: family name first, 1-2 given-name tokens
            toks = [rng.choice(KHMER_FAMILY), _word(rng, KHMER_SYL, 2, 3)]
            if rng.random() < 0.25:
                toks.append(_word(rng, KHMER_SYL, 2, 3))
            name = " ".join(toks)
            kind = "person"
            if rng.random() < 0.15:
                aliases.append(rng.choice(("Samdech ", "Oknha ", "Lok Chumteav ")) + name)
        elif r < 0.55:  # Japanese-style, given name first
            name = _word(rng, JP_SYL, 2, 3) + " " + _word(rng, JP_SYL, 3, 4)
            kind = "person"
        elif r < 0.75:  # Western-style
            toks = [rng.choice(WEST_FIRST)]
            if rng.random() < 0.2:
                toks.append(rng.choice(WEST_FIRST))
            toks.append(rng.choice(WEST_LAST) + (rng.choice(("", "", "son", "ova", "ez"))))
            name = " ".join(toks)
            kind = "person"
        elif r < 0.9:
            name = f"{rng.choice(ORG_ADJ)} {rng.choice(ORG_TOPIC)} {rng.choice(ORG_HEAD)}"
            if rng.random() < 0.5:
                name += " of " + _word(rng, KHMER_SYL + JP_SYL, 2, 4)
            kind = "organisation"
            acro = "".join(w[0] for w in name.split() if w[0].isupper())
            if 2 <= len(acro) <= 6 and rng.random() < 0.7:
                aliases.append(acro)
        else:
            name = _word(rng, KHMER_SYL + JP_SYL, 2, 4) + rng.choice(PLACE_SUFFIX)
            kind = "place"
        if name in seen:
            continue
        seen.add(name)
        rates = {aliases[0]: round(rng.random() * 0.5, 2)} if aliases and rng.random() < 0.2 else {}
        records.append(Record(kind, f"{kind[:3]}-{i}", name, tuple(aliases), rates))
        total += 1 + len(aliases)
    return records


def make_articles(records: list[Record], n: int, size: int, rng: random.Random) -> list[str]:
    persons = [r for r in records if r.kind == "person"]
    others = [r for r in records if r.kind != "person"]
    articles = []
    for _ in range(n):
        chosen_p = rng.sample(persons, 5)
        chosen_o = rng.sample(others, 5)
        parts: list[str] = []
        length = 0
        k = 0
        while length < size:
            roll = rng.random()
            if roll < 0.35:
                p = chosen_p[k % 5]
                toks = p.name.split()
                surname = toks[-1]
                form = rng.choice(
                    (
                        f"Minister {p.name} said the visit was important.",
                        f"{p.name}’s office confirmed the plan on Tuesday.",
                        f"Mr {surname} told reporters the talks went well.",
                        f"{surname} added that more work was needed.",
                        f"In a statement, {' '.join(reversed(toks)) if len(toks) == 2 else p.name} welcomed the move.",
                        f"researcher {rng.choice(WEST_FIRST)} {_word(rng, KHMER_SYL, 2, 3)} noted the change.",
                    )
                )
                parts.append(form)
            elif roll < 0.55:
                o = chosen_o[k % 5]
                alias = o.aliases[0] if o.aliases and rng.random() < 0.5 else o.name
                parts.append(f"Delegates from {alias} met officials in {rng.choice(chosen_o).name}.")
            else:
                parts.append(rng.choice(FILLER))
            k += 1
            length += len(parts[-1]) + 1
            if rng.random() < 0.15:
                parts.append("\n\n")
        text = " ".join(parts)[:size]
        articles.append(text)
    return articles


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # pragma: no cover - non-Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", type=int, default=100_000, help="names + aliases in the index")
    ap.add_argument("--articles", type=int, default=2_000)
    ap.add_argument("--size", type=int, default=4_000, help="characters per article")
    args = ap.parse_args(argv)

    rng = random.Random(42)
    t0 = time.perf_counter()
    records = make_records(args.names, rng)
    patterns = sum(1 + len(r.aliases) for r in records)
    print(f"generated {len(records):,} records / {patterns:,} names+aliases in {time.perf_counter() - t0:.2f}s")

    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    index = AuthorityIndex(records)
    build = time.perf_counter() - t0
    gc.collect()
    after = rss_mb()
    print(f"index build: {build:.2f}s, RSS +{after - before:.0f} MiB (process {after:.0f} MiB), {index!r}")

    articles = make_articles(records, args.articles, args.size, rng)
    avg = sum(map(len, articles)) / len(articles)
    print(f"generated {len(articles):,} articles, mean {avg:,.0f} chars")

    for a in articles[:20]:  # warm-up
        index.find(a)

    automaton = index._automaton  # matcher alone: normalise + one Aho-Corasick pass
    t0 = time.perf_counter()
    hits = 0
    for a in articles:
        for _ in automaton.iter("\x01" + ent._normalize(a) + "\x01"):
            hits += 1
    dt = time.perf_counter() - t0
    print(f"matcher alone: {len(articles) / dt:,.0f} articles/s ({hits / len(articles):.1f} raw hits/article)")

    t0 = time.perf_counter()
    n_sugg = n_cand = 0
    for a in articles:
        res = index.find(a)
        n_sugg += len(res)
        n_cand += sum(1 for s in res if s.record is None)
    dt = time.perf_counter() - t0
    print(
        f"find: {len(articles) / dt:,.0f} articles/s on one core "
        f"({dt / len(articles) * 1e3:.3f} ms/article; {n_sugg / len(articles):.1f} suggestions, "
        f"{n_cand / len(articles):.1f} new-person candidates per article)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
