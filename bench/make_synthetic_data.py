"""Fill the database DATABASE_URL names with synthetic cases for the benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench \
        .venv/bin/python -m bench.make_synthetic_data --persons 10000

Every person gets about ten entries across the record kinds (crossings, detentions, a shared
proceeding with hearings and a ruling each, status decisions, events), each citing one or two
sources, and name variants as sources spell them (Cyrillic, other Latin spellings,
misspellings). Persons are made 5,000 at a time and written in one transaction, with COPY on
PostgreSQL (bench/bulk_load.py; bulk_create elsewhere); the change history stays empty, as
for any bulk load. Progress goes to stderr.

It refuses to touch a database that holds a person, source or authority it did not make, so
nobody wipes real data by pointing it at the wrong database; running it again replaces the
synthetic data it made before.
"""

import argparse
import datetime
import random
import sys
import time

from bench import setup_django

# Marks what this script made; anything without the mark is real data.
MARK = "SYNTHETIC BENCHMARK DATA"
SYNTHETIC_PUBLISHER = "Synthetic Bench Press"

MALE = [
    "Kairat", "Nurlan", "Yerlan", "Serik", "Murager", "Kaisar", "Dauren", "Bakhytzhan",
    "Askar", "Marat", "Yerbol", "Aidos", "Kuanysh", "Zhanbolat", "Kadyrbek", "Nurbolat",
    "Talgat", "Amanzhol", "Yesen", "Orynbek", "Zhenis", "Bauyrzhan", "Sayat", "Khalyk",
]  # fmt: skip
FEMALE = [
    "Sairagul", "Kaisha", "Gulnar", "Aigerim", "Dinara", "Aliya", "Zhanar", "Madina",
    "Ainur", "Gulzira", "Saule", "Botagoz", "Ardak", "Raushan", "Akbota", "Gulbakhram",
    "Zhamila", "Nazira", "Kulzhan", "Aizhan", "Meruyert", "Anar", "Bakhyt", "Zhuldyz",
]  # fmt: skip
SURNAMES = [
    "Akan", "Alim", "Sauytbay", "Kassym", "Nurbek", "Tursyn", "Serikzhan", "Bilash",
    "Kadyr", "Zhakyp", "Omarbek", "Mukhametkali", "Bekmurat", "Yesenbay", "Abdrakhman",
    "Tokhtar", "Amanzhol", "Zhunus", "Kenzhe", "Sarsen", "Baimurat", "Khamit", "Yerkin",
    "Shakir", "Dauletkhan", "Zhaksylyk", "Mamyr", "Tolegen", "Kurmangazy", "Saparbek",
]  # fmt: skip
PLACES = ["Ili", "Tacheng", "Altay", "Urumqi", "Ghulja", "Mori", "Karamay", "Bortala"]
ETHNICITIES = ["Kazakh"] * 8 + ["Kyrgyz", "Uyghur"]
COUNTRIES_TO = ["Kazakhstan"] * 6 + ["Kyrgyzstan", "Turkey", "Sweden"]
TOWNS = ["Zharkent", "Almaty", "Taldykorgan", "Ushtobe", "Shymkent", "Nur-Sultan", "Bishkek"]
CYRILLIC = [
    ("zh", "ж"), ("kh", "х"), ("sh", "ш"), ("ch", "ч"), ("ya", "я"), ("yu", "ю"), ("ts", "ц"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "һ"),
    ("q", "қ"), ("j", "ж"), ("w", "у"), ("c", "к"), ("x", "кс"),
]  # fmt: skip
# Spellings that differ between sources and transliteration systems.
RESPELLINGS = [("kh", "h"), ("zh", "j"), ("y", "i"), ("ai", "ay"), ("k", "q"), ("u", "ou")]
TODAY = datetime.date.today()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=10_000, help="how many (10,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed, for the same data")
    parser.add_argument(
        "--dry-run", action="store_true", help="build and roll back: time it, keep nothing"
    )
    return parser.parse_args(argv)


def to_cyrillic(name):
    out, i, lower = [], 0, name.lower()
    while i < len(lower):
        for latin, cyrillic in CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return " ".join(word.capitalize() for word in "".join(out).split(" "))


def respell(rng, name):
    """Another Latin spelling, as a different transliteration would give."""
    options = [(a, b) for a, b in RESPELLINGS if a in name.lower()]
    if not options:
        return None
    latin, other = rng.choice(options)
    words = [word.lower().replace(latin, other, 1).capitalize() for word in name.split(" ")]
    result = " ".join(words)
    return result if result != name else None


def misspell(rng, name):
    """A typing error: two neighbouring letters swapped, or one dropped."""
    positions = [i for i in range(1, len(name) - 2) if name[i].isalpha() and name[i + 1].isalpha()]
    i = rng.choice(positions)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


class Dates:
    """Approximate dates as sources give them, consistent with the database constraints."""

    def __init__(self, rng):
        self.rng = rng

    def day_after(self, start, most_days):
        return min(start + datetime.timedelta(days=self.rng.randint(1, most_days)), TODAY)

    def fields(
        self, name, day, precisions=(("day", 60), ("month", 25), ("year", 10), ("unknown", 5))
    ):
        """The three columns of an approximate date near ``day``, as keyword arguments."""
        kinds, weights = zip(*precisions, strict=True)
        precision = self.rng.choices(kinds, weights)[0]
        bound = None
        if precision == "month":
            day = day.replace(day=1)
        elif precision == "year":
            day = day.replace(month=1, day=1)
        elif precision == "unknown":
            bound, day = self.day_after(day, 400), None
        return {name: day, f"{name}_precision": precision, f"{name}_not_later_than": bound}


def guard(models):
    """Refuse any database holding data this script did not make."""
    Person, Source, Authority = models["Person"], models["Source"], models["Authority"]
    real = {
        "persons": Person.objects.exclude(internal_notes__startswith=MARK).count(),
        "sources": Source.objects.exclude(publisher=SYNTHETIC_PUBLISHER).count(),
        "authorities": Authority.objects.exclude(other_names=MARK).count(),
    }
    real = {kind: count for kind, count in real.items() if count}
    if real:
        found = ", ".join(f"{count} {kind}" for kind, count in real.items())
        sys.exit(
            f"Refusing: this database holds data the benchmark did not make ({found}). "
            "Point DATABASE_URL at a database of its own, e.g. casetracker_bench."
        )


def wipe(connection, apps):
    """Empty every table of the people and cases apps except the change history."""
    models = [
        model
        for app in ("people", "cases")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    ]
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No CASCADE: a table of another app pointing here makes this fail instead.
            cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))}")
        else:
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


MODEL_NAMES = [
    "Person", "NameVariant", "Source", "Citation", "Authority", "BorderCrossing",
    "Detention", "Proceeding", "Hearing", "Ruling", "StatusDecision", "Event",
]  # fmt: skip
# Persons built and written at a time: memory stays flat whatever the total.
CHUNK = 5000


def synthetic_models():
    from cases import models as cases_models
    from people import models as people_models

    return {
        name: getattr(cases_models, name, None) or getattr(people_models, name)
        for name in MODEL_NAMES
    }


def generate(count, rng, models, progress=None):
    """Build and write the synthetic cases, ``CHUNK`` persons at a time; returns the row count
    of each model and the number of timeline entries. ``progress(persons_done, rows_done)`` is
    called after each chunk."""
    from django.db import connection

    from bench.bulk_load import Loader

    M = models
    dates = Dates(rng)
    loader = Loader(connection)

    authorities = loader.write(
        M["Authority"],
        [
            M["Authority"](
                name=f"{town} {label}", kind=kind, town=town, country="Kazakhstan", other_names=MARK
            )
            for town in TOWNS
            for kind, label in [
                ("court", "district court"),
                ("court", "regional court"),
                ("migration", "migration commission"),
                ("police", "police department"),
            ]
        ],
    )
    pools = {
        "courts": [a for a in authorities if a.kind == "court"],
        "commissions": [a for a in authorities if a.kind == "migration"],
        "police": [a for a in authorities if a.kind == "police"],
    }
    pools["sources"] = loader.write(
        M["Source"],
        [
            M["Source"](
                title=f"Report {number} on Xinjiang refugees",
                publisher=SYNTHETIC_PUBLISHER,
                url=f"https://example.org/synthetic/{number}",
                language=rng.choice(["en", "ru", "kk"]),
                **dates.fields(
                    "published",
                    datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randint(0, 3000)),
                    precisions=(("day", 90), ("month", 10)),
                ),
            )
            for number in range(max(200, count // 4))
        ],
    )
    entries = 0
    for done in range(0, count, CHUNK):
        entries += generate_chunk(min(CHUNK, count - done), rng, dates, M, loader, pools)
        if progress:
            progress(min(done + CHUNK, count), sum(loader.made.values()))
    return dict(loader.made), entries


def generate_chunk(count, rng, dates, M, loader, pools):
    """``count`` persons with their cases; returns the number of their timeline entries.
    Shared proceedings and events stay within the chunk."""
    from django.contrib.contenttypes.models import ContentType

    insert = loader.write
    courts, commissions, police = pools["courts"], pools["commissions"], pools["police"]
    persons = []
    for _ in range(count):
        female = rng.random() < 0.45
        given = rng.choice(FEMALE if female else MALE)
        style = rng.choice(["plain", "plain", "patronymic", "russian"])
        if style == "patronymic":
            name = f"{given} {rng.choice(MALE)}{'kyzy' if female else 'uly'}"
        elif style == "russian":
            name = f"{given} {rng.choice(SURNAMES)}{'ova' if female else 'ov'}"
        else:
            name = f"{given} {rng.choice(SURNAMES)}"
        persons.append(
            M["Person"](
                name=name,
                sex="female" if female else "male",
                birth_year=rng.randint(1950, 2000),
                ethnicity=rng.choice(ETHNICITIES),
                citizenship="China",
                place_of_origin=rng.choice(PLACES),
                public_summary=f"{given} fled Xinjiang and asked for protection.",
                internal_notes=f"{MARK}: not a real person.",
                visibility=rng.choices(["public", "internal", "confidential"], [70, 20, 10])[0],
            )
        )
    insert(M["Person"], persons)

    variants = []
    for person in persons:
        spellings = {
            (to_cyrillic(person.name), "cyrillic", ""),
            (respell(rng, person.name), "latin", "another transliteration"),
        }
        if rng.random() < 0.5:
            spellings.add((misspell(rng, person.name), "latin", "misspelling in a source"))
        seen = {person.name}
        for name, script, note in spellings:
            if name and name not in seen:
                seen.add(name)
                variants.append(
                    M["NameVariant"](person=person, name=name, script=script, note=note)
                )
    insert(M["NameVariant"], variants)

    crossings, detentions, statuses, rulings, hearings = [], [], [], [], []
    first_day = {}
    for person in persons:
        crossed = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randint(0, 2200))
        first_day[person.pk] = crossed
        for number in range(1 if rng.random() < 0.8 else 2):
            crossings.append(
                M["BorderCrossing"](
                    person=person,
                    from_country="China",
                    to_country=rng.choice(COUNTRIES_TO),
                    place=rng.choice(["Khorgos", "Bakhty", "Maikapchagai", ""]),
                    method=rng.choice(["irregular", "irregular", "regular", "unknown"]),
                    reason="Fled the camps." if number == 0 else "",
                    **dates.fields("date", crossed + datetime.timedelta(days=400 * number)),
                )
            )
        start = crossed + datetime.timedelta(days=rng.randint(5, 90))
        for _number in range(rng.choice([1, 1, 2])):
            ongoing = rng.random() < 0.1
            detention_start = dates.fields("start", start, (("day", 70), ("month", 30)))
            end = dates.day_after(start, 400)
            detentions.append(
                M["Detention"](
                    person=person,
                    kind=rng.choice(["pre_trial", "sentence", "immigration", "camp"]),
                    authority=rng.choice(police),
                    place=rng.choice(TOWNS),
                    **detention_start,
                    end=None if ongoing else end,
                    end_precision="" if ongoing else "day",
                )
            )
            start = end + datetime.timedelta(days=30)
        decided = crossed + datetime.timedelta(days=rng.randint(100, 900))
        for status, outcome in rng.choice(
            [
                [("asylum_seeker", "applied")],
                [("asylum_seeker", "applied"), ("refugee", "granted")],
                [("asylum_seeker", "applied"), ("refugee", "refused")],
                [("asylum_seeker", "applied"), ("refugee", "granted"), ("refugee", "extended")],
                [("deportation_order", "granted"), ("third_country_asylum", "granted")],
            ]
        ):
            decided = min(decided + datetime.timedelta(days=rng.randint(30, 300)), TODAY)
            valid = status == "refugee" and outcome in ("granted", "extended")
            until = decided + datetime.timedelta(days=365) if valid else None
            statuses.append(
                M["StatusDecision"](
                    person=person,
                    authority=rng.choice(commissions),
                    status=status,
                    outcome=outcome,
                    **dates.fields("decided", decided, (("day", 80), ("month", 20))),
                    valid_from=decided if valid else None,
                    valid_from_precision="day" if valid else "",
                    valid_until=until,
                    valid_until_precision="day" if valid else "",
                )
            )
    insert(M["BorderCrossing"], crossings)
    insert(M["Detention"], detentions)
    insert(M["StatusDecision"], statuses)

    # Proceedings of one to three co-defendants, each with two hearings and a ruling each.
    proceedings, groups, i = [], [], 0
    while i < len(persons):
        group = persons[i : i + rng.choice([1, 1, 2, 3])]
        i += len(group)
        groups.append(group)
        proceedings.append(
            M["Proceeding"](
                kind=rng.choice(["criminal", "criminal", "deportation", "asylum_appeal"]),
                authority=rng.choice(courts),
                case_number=f"SYN-{len(proceedings):06d}",
                charge="illegal border crossing",
            )
        )
    insert(M["Proceeding"], proceedings)
    insert(
        M["Proceeding"].persons.through,
        [
            M["Proceeding"].persons.through(proceeding=proceeding, person=person)
            for proceeding, group in zip(proceedings, groups, strict=True)
            for person in group
        ],
    )
    for proceeding, group in zip(proceedings, groups, strict=True):
        day = max(first_day[person.pk] for person in group) + datetime.timedelta(days=200)
        for title in ("first session", "final session"):
            day = dates.day_after(day, 60)
            hearings.append(
                M["Hearing"](
                    proceeding=proceeding,
                    title=title,
                    place=proceeding.authority.town,
                    **dates.fields("date", day, (("day", 90), ("month", 10))),
                )
            )
        for person in group:
            convicted = rng.random() < 0.7
            rulings.append(
                M["Ruling"](
                    proceeding=proceeding,
                    person=person,
                    outcome="convicted" if convicted else "acquitted",
                    sentence_kind=rng.choice(["suspended", "prison", "restricted"])
                    if convicted
                    else "",
                    sentence_months=rng.choice([6, 12, 18]) if convicted else None,
                    removal=rng.choice(["ordered", "refused", ""]),
                    **dates.fields("date", day, (("day", 85), ("month", 15))),
                )
            )
    insert(M["Hearing"], hearings)
    insert(M["Ruling"], rulings)

    # One event each, a fifth of them shared with the next person.
    events, links = [], []
    for index, person in enumerate(persons):
        day = dates.day_after(first_day[person.pk], 1500)
        events.append(
            M["Event"](
                kind=rng.choice(["press_conference", "statement", "release", "family"]),
                title=rng.choice(
                    ["Press conference in Almaty", "Released from custody", "Family reunited"]
                ),
                place=rng.choice(TOWNS),
                **dates.fields("date", day),
            )
        )
        shared = index + 1 < len(persons) and rng.random() < 0.2
        links.append([person, persons[index + 1]] if shared else [person])
    insert(M["Event"], events)
    insert(
        M["Event"].persons.through,
        [
            M["Event"].persons.through(event=event, person=person)
            for event, group in zip(events, links, strict=True)
            for person in group
        ],
    )

    citations = []
    for records in (crossings, detentions, statuses, proceedings, hearings, rulings, events):
        content_type = ContentType.objects.get_for_model(records[0])
        for record in records:
            for source in rng.sample(pools["sources"], 1 if rng.random() < 0.7 else 2):
                citations.append(
                    M["Citation"](
                        source=source,
                        content_type=content_type,
                        object_id=record.pk,
                        quote="As the source reports." if rng.random() < 0.3 else "",
                    )
                )
    insert(M["Citation"], citations)
    # What the persons' timelines hold: a shared proceeding or event is on each of them.
    entries = (
        len(crossings)
        + len(detentions)
        + len(statuses)
        + len(rulings)
        + sum(len(group) * 3 for group in groups)  # the proceeding and its two hearings
        + sum(len(group) for group in links)
    )
    return entries


def fill(persons, seed, dry_run=False, progress=None):
    """Replace the synthetic data with ``persons`` new persons and their cases, in one
    transaction; returns the row count of each model and the number of timeline entries."""
    from django.apps import apps
    from django.db import connection, transaction

    from bench.bulk_load import DeferredIndexes

    models = synthetic_models()
    guard(models)  # exits if the database holds anything the benchmark did not make
    tables = [
        model._meta.db_table
        for app in ("people", "cases")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    ]
    with transaction.atomic():
        wipe(connection, apps)
        with DeferredIndexes(connection, tables):
            made, entries = generate(persons, random.Random(seed), models, progress)
            if progress and connection.vendor == "postgresql":
                progress(persons, sum(made.values()), note="building indexes")
        if dry_run:
            transaction.set_rollback(True)
    if connection.vendor == "postgresql" and not dry_run:
        if progress:
            progress(persons, sum(made.values()), note="vacuum and analyze")
        # Statistics for the planner, and the visibility map autovacuum would set later
        # (index-only scans): the pages are timed on a database in its steady state.
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
    return made, entries


def main(argv=None):
    args = parse_args(argv)
    setup_django()
    from django.db import connection

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()

    def progress(persons, rows, note=""):
        print(
            f"{persons:>9,} / {args.persons:,} persons, {rows:>10,} rows, "
            f"{time.perf_counter() - started:6.1f} s{f'  {note}' if note else ''}",
            file=sys.stderr,
            flush=True,
        )

    made, entries = fill(args.persons, args.seed, args.dry_run, progress)
    elapsed = time.perf_counter() - started
    total = sum(made.values())
    print(", ".join(f"{count} {name}" for name, count in made.items()))
    print(
        f"{total} rows, about {entries / args.persons:.1f} timeline entries a person, "
        f"in {elapsed:.1f} s{' (rolled back: --dry-run)' if args.dry_run else ''}."
    )


if __name__ == "__main__":
    main()
