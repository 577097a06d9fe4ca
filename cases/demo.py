"""The demo cases: what the five source articles report, as plain data, and the loader.

Every fact below cites the article or articles it comes from (with a short verbatim quote)
and carries only the date precision the article gives. Where two articles report the same
fact, both are cited; where they disagree ("several years" / "five years" in a camp), both
stay cited and the record says so. Two clearly fictional persons, citing a fictional source,
show the privacy rules at work.

``load_demo()`` is idempotent: each record is found by a natural key, created if missing,
saved again only if its data changed, so a second run writes nothing, not even history.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext

from cases.models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from casetracker.dates import ApproximateDate
from people.models import NameVariant, Person
from people.roles import ADMINS, LAWYERS, RESEARCHERS


def on(year, month, day):
    return ApproximateDate.from_parts(year, month, day)


def in_month(year, month):
    return ApproximateDate.from_parts(year, month)


def in_year(year):
    return ApproximateDate.from_parts(year)


def undated(not_later_than=None):
    return ApproximateDate.from_parts(not_later_than=not_later_than)


# An optional date (end of a detention, validity of a status) that no source gives.
ABSENT = ApproximateDate(None, "")

HIGH = Citation.Confidence.HIGH
# A person's own account that no other source confirms, or a date bound worked out by us.
MEDIUM = Citation.Confidence.MEDIUM


def cite(source, quote="", confidence=HIGH):
    return (source, quote, confidence)


# --- Sources --------------------------------------------------------------------------------

RFERL_2019_10_29 = "rferl-2019-10-29"  # seeds/002
RFERL_KAZ_2019_12 = "rferl-kazakh-2019-12"  # seeds/004
FERGANA_2020_01 = "fergana-2020-01"  # seeds/003
RFERL_KAZ_2020_10 = "rferl-kazakh-2020-10"  # seeds/001
RFERL_2020_10_30 = "rferl-2020-10-30"  # seeds/000
FICTIONAL = "fictional"

SOURCES = {
    RFERL_2019_10_29: {
        "kind": Source.Kind.ARTICLE,
        "title": "Two ethnic Kazakhs from Xinjiang given asylum-seeker status in Kazakhstan "
        "(descriptive title: the text has no headline)",
        "publisher": "RFE/RL",
        "published": on(2019, 10, 29),
        "date_note": "Dated 29 October 2019 (Almaty) in the text. The title is descriptive: "
        "the text carries no headline.",
        "language": "en",
    },
    RFERL_KAZ_2019_12: {
        "kind": Source.Kind.ARTICLE,
        "title": "Court Rules That Ethnic Kazakh Will Not Be Deported To China",
        "publisher": "RFE/RL (Kazakh Service)",
        "published": in_month(2019, 12),
        "date_note": "Not printed. It reports as news the Zharkent ruling 'on December 23', after "
        "the arrests 'in October' of Alimuly and Musakhanuly (who crossed on 1 October 2019), "
        "and nothing later: so 23-31 December 2019.",
        "language": "en",
    },
    FERGANA_2020_01: {
        "kind": Source.Kind.ARTICLE,
        "title": "Xinjiang refugees sentenced to one year in jail in Kazakhstan",
        "publisher": "Fergana",
        "published": in_month(2020, 1),
        "date_note": "Not printed. It reports the sentence as just passed in the trial that "
        "'began on 6 January' and looks back on 'the start of December 2019': so January 2020.",
        "language": "en",
    },
    RFERL_KAZ_2020_10: {
        "kind": Source.Kind.ARTICLE,
        "title": "Two Ethnic Kazakhs From Xinjiang Obtain Rare Temporary Refugee Status "
        "In Kazakhstan",
        "publisher": "RFE/RL (Kazakh Service)",
        "published": in_month(2020, 10),
        "date_note": "Not printed. It looks back on the January sentence and 'September last "
        "year' (2019); RFE/RL wrote on 30 October 2020 that this grant came 'less than two "
        "weeks' before those of 28-29 October: so October 2020.",
        "language": "en",
    },
    RFERL_2020_10_30: {
        "kind": Source.Kind.ARTICLE,
        "title": "Two more ethnic Kazakhs from Xinjiang obtain temporary refugee status in "
        "Kazakhstan (descriptive title: the text has no headline)",
        "publisher": "RFE/RL",
        "published": on(2020, 10, 30),
        "date_note": "Dated 30 October 2020 (Almaty) in the text. The title is descriptive: "
        "the text carries no headline.",
        "language": "en",
    },
    FICTIONAL: {
        "kind": Source.Kind.OTHER,
        "title": "Fictional example for demonstration (not a real case)",
        "publisher": "Casetracker demo data",
        "published": undated(),
        "date_note": "Not a publication: the facts citing it are invented to show how the "
        "privacy rules work.",
        "language": "en",
    },
}

# --- Authorities ----------------------------------------------------------------------------
# Where an article does not name the body that acted, the record says "Kazakh authorities" or
# "Chinese authorities", as the articles themselves do.

AUTHORITIES = {
    "zharkent_court": {
        "name": "Zharkent court",
        "kind": Authority.Kind.COURT,
        "town": "Zharkent",
        "country": "Kazakhstan",
    },
    "zaysan_court": {
        "name": "Zaysan court",
        "kind": Authority.Kind.COURT,
        "town": "Zaysan",
        "country": "Kazakhstan",
        "other_names": "Zaisan court, Zaisan",
    },
    "almaty_court": {
        "name": "Almaty court",
        "kind": Authority.Kind.COURT,
        "town": "Almaty",
        "country": "Kazakhstan",
    },
    "immigration_police": {
        "name": "Immigration police",
        "kind": Authority.Kind.POLICE,
        "country": "Kazakhstan",
    },
    "aqmola_commission": {
        "name": "Aqmola region migration commission",
        "kind": Authority.Kind.MIGRATION,
        "country": "Kazakhstan",
    },
    "border_service": {
        "name": "Kazakh Border Service",
        "kind": Authority.Kind.BORDER,
        "country": "Kazakhstan",
    },
    "kazakh_authorities": {
        "name": "Kazakh authorities",
        "kind": Authority.Kind.GOVERNMENT,
        "country": "Kazakhstan",
    },
    "chinese_authorities": {
        "name": "Chinese authorities",
        "kind": Authority.Kind.GOVERNMENT,
        "country": "China",
    },
    "swedish_authorities": {
        "name": "Swedish authorities",
        "kind": Authority.Kind.GOVERNMENT,
        "country": "Sweden",
    },
    "fictional_commission": {
        "name": "Example migration commission (fictional)",
        "kind": Authority.Kind.MIGRATION,
        "country": "Kazakhstan",
    },
}

# --- Persons --------------------------------------------------------------------------------
# Fixed references keep their URLs stable across machines. Birth years come from ages given
# as of an article's date, so they are approximate.

PERSONS = {
    "aqan": {
        "ref": "769qkwrr23",
        "name": "Qaisha Aqan",
        "sex": Person.Sex.FEMALE,
        "birth_year": 1976,  # 44 (RFE/RL, 30 October 2020)
        "ethnicity": "Kazakh",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh woman from Xinjiang who crossed irregularly into "
        "Kazakhstan in May 2018 after local authorities threatened to place her in an "
        "internment camp. In December 2019 the Zharkent court gave her a suspended six-month "
        "sentence for illegal border crossing and allowed her to stay; on 29 October 2020 she "
        "received refugee status for one year. Aged 44 according to RFE/RL, 30 October 2020.",
        "internal_notes": "Her 70-year-old mother, her ex-husband and their son remain in "
        "Xinjiang (RFE/RL, December 2019). Kept out of the public summary to protect them.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [],
    },
    "malikuly": {
        "ref": "x7p7wtbpv3",
        "name": "Baghashar Malikuly",
        "sex": Person.Sex.MALE,
        "birth_year": 1983,  # 37 (RFE/RL, 30 October 2020)
        "ethnicity": "Kazakh",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh man from Xinjiang. He says Chinese authorities "
        "confiscated his Kazakh permanent-residence permit when he visited his parents in "
        "Xinjiang in 2015, so he crossed back into Kazakhstan irregularly in 2017. Under "
        "investigation for the crossing in 2019, charges dropped in December 2019; refugee "
        "status for one year from 28 October 2020. Aged 37 according to RFE/RL, 30 October "
        "2020.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [],
    },
    "alimuly": {
        "ref": "qt684s5q3z",
        "name": "Murager Alimuly",
        "sex": Person.Sex.MALE,
        "birth_year": 1994,  # 25 (RFE/RL, 29 October 2019) and 26 (RFE/RL, 30 October 2020)
        "ethnicity": "Kazakh",
        "citizenship": "China",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh man and Chinese citizen from Xinjiang who crossed "
        "irregularly into Kazakhstan with Qaster Musakhanuly on 1 October 2019, fleeing "
        "persecution. Asylum-seeker status on 29 October 2019; sentenced with Musakhanuly by "
        "the Zaysan court in January 2020 to one year in prison but not deported; released in "
        "May 2020; refugee status for one year in October 2020. Aged 25 in October 2019.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [],
    },
    "musakhanuly": {
        "ref": "n7c5jtcdzn",
        "name": "Qaster Musakhanuly",
        "sex": Person.Sex.MALE,
        "birth_year": 1989,  # 30 (RFE/RL, 29 October 2019) and 31 (RFE/RL, 30 October 2020)
        "ethnicity": "Kazakh",
        "citizenship": "China",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh man and Chinese citizen from Xinjiang who says he "
        "spent five years in a 'reeducation camp' and was told in September 2019 he would be "
        "sent back. He crossed irregularly into Kazakhstan with Murager Alimuly on 1 October "
        "2019. Asylum-seeker status on 29 October 2019; sentenced by the Zaysan court in "
        "January 2020 to one year in prison but not deported; released in May 2020; refugee "
        "status for one year in October 2020. Aged 30 in October 2019.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [
            (
                "Musakhauly",
                NameVariant.Script.LATIN,
                "misspelling in Fergana, January 2020",
            ),
        ],
    },
    "sauytbay": {
        "ref": "z8zrzsnctf",
        "name": "Sairagul Sauytbay",
        "sex": Person.Sex.FEMALE,
        "ethnicity": "Kazakh",
        "citizenship": "China",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh Chinese citizen who fled China in April 2018 and "
        "testified about the 'reeducation camps' in Xinjiang. In August 2018 a court in "
        "Almaty refused to extradite her to China, where she was wanted for illegal border "
        "crossing; Kazakh authorities did not allow her to stay, and she obtained asylum in "
        "Sweden.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [],
    },
    "tabarikuly": {
        "ref": "xxnxfs5qvb",
        "name": "Tilek Tabarikuly",
        "sex": Person.Sex.MALE,
        "ethnicity": "Kazakh",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "Ethnic Kazakh man from Xinjiang, charged in Kazakhstan with "
        "illegal border crossing. In January 2020 the Zharkent court decided he would not be "
        "deported to China.",
        "visibility": Person.Visibility.PUBLIC,
        "variants": [],
    },
    "example_internal": {
        "ref": "2xj88hd645",
        "name": "Example Person (fictional, internal)",
        "sex": Person.Sex.FEMALE,
        "birth_year": 1990,
        "ethnicity": "Kazakh",
        "citizenship": "China",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "A fictional example, not a real person. Internal: signed-in team "
        "members see this case, the public does not.",
        "internal_notes": "Fictional example. Internal notes are shown only to the assigned "
        "lawyers and admins: here, that the client asks to be contacted only through the "
        "lawyer's office.",
        "visibility": Person.Visibility.INTERNAL,
        "variants": [
            (
                "Пример Персона (вымышленная, внутренняя)",
                NameVariant.Script.CYRILLIC,
                "fictional Cyrillic spelling for the demo",
            ),
        ],
    },
    "example_confidential": {
        "ref": "rb75xq6th7",
        "name": "Example Person (fictional, confidential)",
        "sex": Person.Sex.MALE,
        "birth_year": 1985,
        "ethnicity": "Kazakh",
        "citizenship": "China",
        "place_of_origin": "Xinjiang, China",
        "public_summary": "A fictional example, not a real person. Confidential: only admins "
        "and the assigned lawyers see this case.",
        "internal_notes": "Fictional example. His family is still in Xinjiang: nothing about "
        "them may leave this file.",
        "visibility": Person.Visibility.CONFIDENTIAL,
        "variants": [
            (
                "Пример Персона (вымышленный, конфиденциальный)",
                NameVariant.Script.CYRILLIC,
                "fictional Cyrillic spelling for the demo",
            ),
        ],
    },
}

# --- Border crossings -----------------------------------------------------------------------

CROSSINGS = [
    {
        "person": "aqan",
        "date": in_month(2018, 5),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "Local authorities in Xinjiang threatened to place her in an internment camp "
        "for the region's indigenous ethnic groups (her testimony at trial).",
        "sources": [
            cite(
                RFERL_KAZ_2019_12,
                "she had to cross illegally into Kazakhstan in May 2018 because local "
                "authorities in Xinjiang threatened to place her in an internment camp",
            ),
            cite(
                RFERL_2020_10_30,
                "she had to cross illegally into Kazakhstan in May 2018 because local "
                "authorities in Xinjiang threatened to place her in an internment camp",
            ),
        ],
    },
    {
        "person": "malikuly",
        "date": in_year(2015),
        "from_country": "Kazakhstan",
        "to_country": "China",
        "place": "to Xinjiang",
        "method": BorderCrossing.Method.UNKNOWN,
        "reason": "To visit his parents in Xinjiang.",
        "sources": [
            cite(
                RFERL_2020_10_30,
                "the documents were confiscated when he traveled to Xinjiang in 2015 to visit "
                "his parents",
                MEDIUM,
            ),
        ],
    },
    {
        "person": "malikuly",
        "date": in_year(2017),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "Chinese authorities had confiscated his Kazakh permanent-residence permit "
        "(his account).",
        "sources": [
            cite(
                RFERL_2020_10_30,
                "he had to enter Kazakhstan illegally in 2017 after Chinese authorities "
                "confiscated his Kazakh permanent-residence permit",
            ),
        ],
    },
    *(
        {
            "person": person,
            "date": on(2019, 10, 1),
            "from_country": "China",
            "to_country": "Kazakhstan",
            "method": BorderCrossing.Method.IRREGULAR,
            "reason": reason,
            "sources": [
                cite(
                    RFERL_2019_10_29,
                    "Musakhanuly, 30 and Alimuly, 25, illegally crossed the Chinese-Kazakh "
                    "border on October 1.",
                ),
                cite(
                    RFERL_KAZ_2019_12,
                    "they had illegally crossed the Chinese-Kazakh border",
                ),
                cite(
                    FERGANA_2020_01,
                    "they had fled Xinjiang due to the Chinese authorities’ oppression of "
                    "ethnic minorities there",
                ),
                cite(
                    RFERL_KAZ_2020_10,
                    "convicted of illegally crossing the border a year ago",
                ),
                cite(RFERL_2020_10_30, "for illegally entering the country in 2019"),
            ],
        }
        for person, reason in [
            (
                "alimuly",
                "Persecution in Xinjiang, where he had been detained for questioning and "
                "faced incarceration in a 'reeducation camp'; the Chinese authorities' "
                "oppression of ethnic minorities.",
            ),
            (
                "musakhanuly",
                "He had spent years in a 'reeducation camp' and was told in September 2019 "
                "that he would be sent back; the Chinese authorities' oppression of ethnic "
                "minorities.",
            ),
        ]
    ),
    {
        "person": "sauytbay",
        "date": in_month(2018, 4),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "",
        "sources": [
            cite(
                RFERL_2019_10_29,
                "Sauytbay fled China in April and testified in an Almaty court",
            ),
            cite(RFERL_KAZ_2019_12, "Sauytbay fled China in April"),
        ],
    },
    {
        "person": "tabarikuly",
        # Before the Zharkent court ruled on his case in January 2020.
        "date": undated(datetime.date(2020, 1, 31)),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "He feared he would be treated harshly by Chinese authorities, and his "
        "parents were waiting for him in Kazakhstan.",
        "sources": [
            cite(
                RFERL_KAZ_2020_10,
                "he had to flee even though it meant illegally crossing the border because he "
                "feared he would be treated harshly by Chinese authorities and because his "
                "parents were waiting for him in Kazakhstan",
            ),
        ],
    },
    {
        "person": "example_internal",
        "date": in_month(2021, 3),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "Fictional example.",
        "sources": [cite(FICTIONAL)],
    },
    {
        "person": "example_confidential",
        "date": in_year(2022),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "Fictional example.",
        "sources": [cite(FICTIONAL)],
    },
]

# --- Detentions -----------------------------------------------------------------------------

_PRE_TRIAL_SOURCES = [
    cite(
        RFERL_KAZ_2019_12,
        "In October, two ethnic-Kazakh men, Murager Alimuly and Qaster Musakhanuly, were "
        "arrested in Kazakhstan",
    ),
    cite(
        FERGANA_2020_01,
        "they have already spent 3 months and 3 days in pre-trial detention",
    ),
    cite(
        RFERL_KAZ_2020_10,
        "each day the two men spent in pretrial detention since October 2019 counts as two "
        "prison days",
    ),
    cite(
        RFERL_2020_10_30,
        "each day the two men spent in pretrial detention since October 2019 counted as two "
        "days in prison",
    ),
]
_SENTENCE_SOURCES = [
    cite(FERGANA_2020_01, "they will be in prison for five months"),
    cite(RFERL_KAZ_2020_10, "They were both released in May"),
    cite(RFERL_2020_10_30, "They were both released in May"),
]

DETENTIONS = [
    {
        "person": "musakhanuly",
        "kind": Detention.Kind.CAMP,
        # He was out by September 2019, when he was told he would be sent back; five years
        # before that is September 2014.
        "start": undated(datetime.date(2014, 9, 30)),
        "end": undated(datetime.date(2019, 9, 30)),
        "place": "Xinjiang, China",
        "authority": "chinese_authorities",
        "description": "Five years in a 'reeducation camp', by his own account (RFE/RL, "
        "October 2020); RFE/RL wrote 'several years' in 2019. No date is reported: he was out "
        "by September 2019, when he was told he would be sent back, so the five years began "
        "by September 2014.",
        "sources": [
            cite(
                RFERL_2019_10_29,
                'Musakhanuly had spent several years in a so-called "reeducation camp" in the '
                "region",
                MEDIUM,
            ),
            cite(
                RFERL_KAZ_2019_12,
                'Musakhanuly said he had spent several years in a so-called "reeducation camp" '
                "in the region",
                MEDIUM,
            ),
            cite(
                RFERL_KAZ_2020_10,
                "Musakhanuly, 31, said he previously had spent five years in such a camp in "
                "Xinjiang.",
                MEDIUM,
            ),
            cite(
                RFERL_2020_10_30,
                "Musakhanuly, 31, said he previously had spent five years in such a camp in "
                "Xinjiang.",
                MEDIUM,
            ),
        ],
    },
    {
        "person": "alimuly",
        "kind": Detention.Kind.QUESTIONING,
        # Before he fled on 1 October 2019.
        "start": undated(datetime.date(2019, 10, 1)),
        "end": undated(datetime.date(2019, 10, 1)),
        "place": "Xinjiang, China",
        "authority": "chinese_authorities",
        "description": "Detained in Xinjiang for questioning, by his testimony at the Zaysan "
        "hearing; he also faced incarceration in a 'reeducation camp'. No date is reported: "
        "before he fled on 1 October 2019.",
        "sources": [
            cite(
                RFERL_KAZ_2020_10,
                "he had been detained in Xinjiang for questioning and faced incarceration at a "
                'Chinese "reeducation camp."',
                MEDIUM,
            ),
            cite(
                RFERL_2020_10_30,
                "he had been detained in Xinjiang for questioning and faced incarceration at a "
                'Chinese "reeducation camp."',
                MEDIUM,
            ),
        ],
    },
    *(
        {
            "person": person,
            "kind": Detention.Kind.PRE_TRIAL,
            "start": in_month(2019, 10),
            "end": in_month(2020, 1),
            "description": "Taken into custody in October 2019, after the press conference, to "
            "be tried for illegal border crossing; 3 months and 3 days by the time of the "
            "sentence in January 2020, counted as 6 months and 6 days.",
            "sources": _PRE_TRIAL_SOURCES,
        }
        for person in ["alimuly", "musakhanuly"]
    ),
    *(
        {
            "person": person,
            "kind": Detention.Kind.SENTENCE,
            "start": in_month(2020, 1),
            "end": in_month(2020, 5),
            "authority": "zaysan_court",
            "description": "One-year prison sentence of the Zaysan court, shortened by the "
            "double credit for pre-trial detention; released in May 2020.",
            "sources": _SENTENCE_SOURCES,
        }
        for person in ["alimuly", "musakhanuly"]
    ),
]

# --- Proceedings, with their participants, hearings and rulings ------------------------------

_BAQBERGEN_FOR_AQAN_AND_MALIKULY = cite(
    RFERL_2020_10_30, "Abdulla Baqbergen, a lawyer for Qaisha Aqan and Baghashar Malikuly"
)
_REFUGEE_STATUS_2020_10_30 = cite(
    RFERL_2020_10_30,
    "his clients received the rare designation of refugee status for one year on October 29 "
    "and October 28, respectively",
)
_ZAYSAN_RULING_SOURCES = [
    cite(
        FERGANA_2020_01,
        "have been sentenced to one year in prison for illegally crossing the Kazakh border. "
        "They will not be deported back to China",
    ),
    cite(
        RFERL_KAZ_2020_10,
        "handed one-year prison sentences to the two men for illegally entering the country, "
        "but allowed them to stay in Kazakhstan",
    ),
    cite(
        RFERL_2020_10_30,
        "handed one-year prison sentences to the two men for illegally entering the country in "
        "2019, but allowed them to stay in Kazakhstan",
    ),
]

PROCEEDINGS = {
    "aqan_trial": {
        "kind": Proceeding.Kind.CRIMINAL,
        "authority": "zharkent_court",
        "persons": ["aqan"],
        "charge": "illegal border crossing",
        "description": "High-profile trial. Aqan testified that she had crossed because local "
        "authorities in Xinjiang threatened to place her in an internment camp, and asked not "
        "to be sent back: 'I came to Kazakhstan seeking asylum. I ask you not to send me back "
        "to China. I will be the subject of persecution there.'",
        "sources": [
            cite(
                RFERL_KAZ_2019_12,
                "who is on trial for illegally crossing the border will not be deported to China",
            ),
            cite(
                RFERL_2020_10_30,
                "handed a suspended six-month prison sentence for illegal border-crossing",
            ),
        ],
        "participants": [
            {
                "name": "Elmira Asubaeva",
                "role": Participant.Role.JUDGE,
                "sources": [
                    cite(
                        RFERL_KAZ_2019_12,
                        "Judge Elmira Asubaeva handed a suspended 6-months prison sentence to "
                        "Qaisha Aqan",
                    ),
                ],
            },
            {
                "name": "Arzygul Imyarova",
                "role": Participant.Role.PROSECUTOR,
                "note": "Her request, made earlier on 23 December 2019, matched the ruling.",
                "sources": [
                    cite(
                        RFERL_KAZ_2019_12,
                        "The ruling coincided with the request by Prosecutor Arzygul Imyarova "
                        "made earlier the same day.",
                    ),
                ],
            },
        ],
        "hearings": [
            {
                "title": "Trial opens",
                "date": in_month(2019, 11),
                "place": "Zharkent",
                "summary": "The trial started in November 2019; Aqan testified at it (the "
                "article does not say at which session).",
                "sources": [
                    cite(RFERL_KAZ_2019_12, "Aqan testified at her trial that started in November"),
                ],
            },
            {
                "title": "Prosecutor's request and ruling",
                "date": on(2019, 12, 23),
                "place": "Zharkent",
                "summary": "Prosecutor Arzygul Imyarova made her request; the court announced "
                "its decision later the same day.",
                "sources": [
                    cite(
                        RFERL_KAZ_2019_12,
                        "The court in the southeastern town of Zharkent announced its decision "
                        "in the high-profile case on December 23.",
                    ),
                ],
            },
        ],
        "rulings": [
            {
                "person": "aqan",
                "date": on(2019, 12, 23),
                "outcome": Ruling.Outcome.CONVICTED,
                "sentence_kind": Ruling.SentenceKind.SUSPENDED,
                "sentence_months": 6,
                "removal": Ruling.Removal.REFUSED,
                "summary": "Suspended six-month prison sentence for illegal border crossing; "
                "allowed to stay in Kazakhstan as she is married to a Kazakh national.",
                "sources": [
                    cite(
                        RFERL_KAZ_2019_12,
                        "Judge Elmira Asubaeva handed a suspended 6-months prison sentence to "
                        "Qaisha Aqan and allowed her to stay in Kazakhstan as she is married to "
                        "a Kazakh national.",
                    ),
                    cite(
                        RFERL_2020_10_30,
                        "In December 2019, 44-year-old Aqan was handed a suspended six-month "
                        "prison sentence for illegal border-crossing",
                    ),
                ],
            },
        ],
    },
    "aqan_asylum": {
        "kind": Proceeding.Kind.ASYLUM,
        "authority": "kazakh_authorities",
        "persons": ["aqan"],
        "description": "Application for refugee status in Kazakhstan. The article does not "
        "name the authority that decided.",
        "sources": [_BAQBERGEN_FOR_AQAN_AND_MALIKULY],
        "participants": [
            {
                "name": "Abdulla Baqbergen",
                "role": Participant.Role.REPRESENTATIVE,
                "sources": [_BAQBERGEN_FOR_AQAN_AND_MALIKULY],
            },
        ],
    },
    "malikuly_investigation": {
        "kind": Proceeding.Kind.CRIMINAL,
        "authority": "kazakh_authorities",
        "persons": ["malikuly"],
        "charge": "illegal border crossing",
        "description": "Investigation for several months in 2019 over his irregular crossing "
        "in 2017. The article does not name the investigating authority. After the charges "
        "were dropped his status remained unclear.",
        "sources": [
            cite(
                RFERL_2020_10_30,
                "Malikuly was under investigation for several months last year over illegally "
                "crossing the border in 2017.",
            ),
        ],
        "rulings": [
            {
                "person": "malikuly",
                "date": in_month(2019, 12),
                "outcome": Ruling.Outcome.CHARGES_DROPPED,
                "summary": "All charges were dropped, but his status remained unclear.",
                "sources": [
                    cite(
                        RFERL_2020_10_30,
                        "In December, all charges against him were dropped but his status "
                        "remained unclear.",
                    ),
                ],
            },
        ],
    },
    "malikuly_asylum": {
        "kind": Proceeding.Kind.ASYLUM,
        "authority": "kazakh_authorities",
        "persons": ["malikuly"],
        "description": "Application for refugee status in Kazakhstan. The article does not "
        "name the authority that decided.",
        "sources": [_BAQBERGEN_FOR_AQAN_AND_MALIKULY],
        "participants": [
            {
                "name": "Abdulla Baqbergen",
                "role": Participant.Role.REPRESENTATIVE,
                "sources": [_BAQBERGEN_FOR_AQAN_AND_MALIKULY],
            },
        ],
    },
    "asylum_seekers": {
        "kind": Proceeding.Kind.ASYLUM,
        "authority": "immigration_police",
        "persons": ["alimuly", "musakhanuly"],
        "description": "Application for asylum in Kazakhstan, announced at the press "
        "conference of 14 October 2019. Their lawyer Bauyrzhan Azanov later said that, having "
        "documents confirming the application, they could not be deported to China under the "
        "Refugee Convention.",
        "sources": [
            cite(
                RFERL_2019_10_29,
                "the decision to give Murager Alimuly and Qaster Musakhanuly asylum-seeker "
                "status had been made by Kazakhstan's immigration police",
            ),
            cite(
                FERGANA_2020_01,
                "they had received documentation confirming their application for asylum in "
                "Kazakhstan",
            ),
        ],
        "participants": [
            {
                "name": "Bauyrzhan Azanov",
                "role": Participant.Role.REPRESENTATIVE,
                "sources": [
                    cite(RFERL_2019_10_29, "Lawyer Bauyrzhan Azanov told RFE/RL on October 29"),
                    cite(FERGANA_2020_01, "Another lawyer, Bauyrzhan Azanov"),
                ],
            },
        ],
    },
    "zaysan_trial": {
        "kind": Proceeding.Kind.CRIMINAL,
        "authority": "zaysan_court",
        "persons": ["alimuly", "musakhanuly"],
        "charge": "illegal crossing of the state border",
        "description": "Joint trial, followed by dozens of activists from all over the "
        "country. Both men admitted their guilt but asked not to be sent back to China. "
        "Alimuly testified that he had been detained in Xinjiang for questioning and faced a "
        "'reeducation camp'; Musakhanuly that he had spent five years in such a camp.",
        "sources": [
            cite(
                FERGANA_2020_01,
                "The court case against the two ethnic Kazakhs began on 6 January in Zaysan.",
            ),
            cite(
                RFERL_KAZ_2020_10,
                "a court in the far eastern town of Zaisan near Chinese border handed one-year "
                "prison sentences to the two men",
            ),
            cite(
                RFERL_2020_10_30,
                "a court in the far eastern town of Zaisan near the Chinese border handed "
                "one-year prison sentences to the two men",
            ),
        ],
        "participants": [
            {
                "name": "Erzhan Azimbayev",
                "role": Participant.Role.PROSECUTOR,
                "note": "State prosecutor.",
                "sources": [
                    cite(
                        FERGANA_2020_01,
                        "State prosecutor Erzhan Azimbayev stated that the suspects’ guilt was "
                        "demonstrated by the testimony of witnesses",
                    ),
                ],
            },
            {
                "name": "Lyazzat Akhatova",
                "role": Participant.Role.DEFENCE,
                "sources": [
                    cite(FERGANA_2020_01, "the pair’s lawyer Lyazzat Akhatova told Fergana"),
                ],
            },
        ],
        "hearings": [
            {
                "title": "First session",
                "date": on(2020, 1, 6),
                "place": "Zaysan",
                "summary": "Only a few witnesses were allowed to testify. Dozens of activists "
                "followed the proceedings.",
                "sources": [
                    cite(
                        FERGANA_2020_01,
                        "The court case against the two ethnic Kazakhs began on 6 January in "
                        "Zaysan.",
                    ),
                ],
            },
            {
                "title": "Final session: closing arguments and sentence",
                "date": in_month(2020, 1),
                "place": "Zaysan",
                "summary": "The prosecutor said the men's guilt was shown by witnesses, their "
                "own testimony and the examination of the scene; Akhatova said they had been "
                "forced to cross to save themselves from persecution in Xinjiang. The sentence "
                "was read out, live-streamed from the courtroom; people outside celebrated and "
                "sang the national anthem.",
                "sources": [
                    cite(
                        FERGANA_2020_01,
                        "soon after the start of the final session, the judge invited the two "
                        "sides to make their closing arguments",
                    ),
                ],
            },
        ],
        "rulings": [
            {
                "person": person,
                "date": in_month(2020, 1),
                "outcome": Ruling.Outcome.CONVICTED,
                "sentence_kind": Ruling.SentenceKind.PRISON,
                "sentence_months": 12,
                "removal": Ruling.Removal.REFUSED,
                "pre_trial_credit": "Each day in pre-trial detention since October 2019 counts "
                "as two days in prison (3 months 3 days counted as 6 months 6 days).",
                "summary": "One year in prison for illegally crossing the border, given "
                "aggravating circumstances; mitigating: they turned themselves in, assisted "
                "the investigation, and underage children are involved. Not deported: the "
                "court said they might face persecution in Xinjiang.",
                "sources": _ZAYSAN_RULING_SOURCES,
            }
            for person in ["alimuly", "musakhanuly"]
        ],
    },
    "aqmola_refugee": {
        "kind": Proceeding.Kind.ASYLUM,
        "authority": "aqmola_commission",
        "persons": ["alimuly", "musakhanuly"],
        "description": "Application for refugee status after their release in May 2020. The "
        "articles do not say whether it continued the 2019 application.",
        "sources": [
            cite(
                RFERL_KAZ_2020_10,
                "the Aqmola region's migration commission granted his clients refugee status "
                "for one year",
            ),
            cite(
                RFERL_2020_10_30,
                "have since been trying to obtain refugee status in Kazakhstan",
            ),
        ],
        "participants": [
            {
                "name": "Abdulla Baqbergen",
                "role": Participant.Role.REPRESENTATIVE,
                "sources": [
                    cite(
                        RFERL_KAZ_2020_10,
                        "Abdulla Baqbergen, a lawyer for Murager Alimuly and Qaster Musakhanuly",
                    ),
                ],
            },
        ],
    },
    "tabarikuly_trial": {
        "kind": Proceeding.Kind.CRIMINAL,
        "authority": "zharkent_court",
        "persons": ["tabarikuly"],
        "charge": "illegal border crossing",
        "description": "Tabarikuly asked the court not to send him back to China. (The "
        "article places Zharkent in the 'southwestern' part of the country; RFE/RL's December "
        "2019 article says 'southeastern'.)",
        "sources": [
            cite(
                RFERL_KAZ_2020_10,
                "would not be deported to China after being charged with illegal border-crossing",
            ),
        ],
        "hearings": [
            {
                "title": "Tabarikuly testifies",
                # Before the ruling of January 2020.
                "date": undated(datetime.date(2020, 1, 31)),
                "place": "Zharkent",
                "summary": "He asked the court not to send him back to China and testified "
                "that he had to flee because he feared harsh treatment by Chinese authorities "
                "and because his parents were waiting for him in Kazakhstan.",
                "sources": [
                    cite(
                        RFERL_KAZ_2020_10,
                        "Tabarikuly asked the court not to send him back to China and testified",
                    ),
                ],
            },
        ],
        "rulings": [
            {
                "person": "tabarikuly",
                "date": in_month(2020, 1),
                "outcome": Ruling.Outcome.NOT_REPORTED,
                "removal": Ruling.Removal.REFUSED,
                "summary": "The court decided he would not be deported to China; the article "
                "does not report the outcome of the charge.",
                "sources": [
                    cite(
                        RFERL_KAZ_2020_10,
                        "In January, another Kazakh court in the southwestern town of Zharkent "
                        "decided that another ethnic-Kazakh man from Xinjiang, Tilek "
                        "Tabarikuly, would not be deported to China",
                    ),
                ],
            },
        ],
    },
    "sauytbay_extradition": {
        "kind": Proceeding.Kind.EXTRADITION,
        "authority": "almaty_court",
        "persons": ["sauytbay"],
        "charge": "illegal border crossing (wanted in China)",
        "description": "China sought her extradition: she was wanted there for illegal border "
        "crossing.",
        "sources": [
            cite(
                RFERL_2019_10_29,
                "an ethnic Kazakh Chinese citizen who was wanted in China for illegal border "
                "crossing",
            ),
            cite(
                RFERL_KAZ_2019_12,
                "an ethnic Kazakh Chinese citizen who was wanted in China for illegal border "
                "crossing",
            ),
        ],
        "hearings": [
            {
                "title": "Sauytbay testifies",
                # Taken to be in this case, so before its ruling of August 2018.
                "date": undated(datetime.date(2018, 8, 31)),
                "place": "Almaty",
                "summary": "She testified that thousands of ethnic Kazakhs, Uyghurs and other "
                "Muslims in Xinjiang were undergoing 'political indoctrination' in a network of "
                "'reeducation camps', and that Chinese authorities had forced her to train "
                "'political ideology' instructors for them, giving her access to secret "
                "documents.",
                "sources": [
                    cite(
                        RFERL_2019_10_29,
                        "testified in an Almaty court that thousands of ethnic Kazakhs, "
                        "Uyghurs, and other Muslims in Xinjiang were undergoing",
                        MEDIUM,
                    ),
                    cite(
                        RFERL_KAZ_2019_12,
                        'She added that Chinese authorities had forced her to train "political '
                        'ideology" instructors',
                        MEDIUM,
                    ),
                ],
            },
        ],
        "rulings": [
            {
                "person": "sauytbay",
                "date": in_month(2018, 8),
                "outcome": Ruling.Outcome.REFUSED,
                "removal": Ruling.Removal.REFUSED,
                "summary": "The court refused to extradite her to China.",
                "sources": [
                    cite(
                        RFERL_2019_10_29,
                        "In August 2018, a court in Almaty refused to extradite Sairagul Sauytbay",
                    ),
                    cite(
                        RFERL_KAZ_2019_12,
                        "In August 2018, a court in Almaty refused to extradite Sairagul Sauytbay",
                    ),
                ],
            },
        ],
    },
    "example_confidential_asylum": {
        "kind": Proceeding.Kind.ASYLUM,
        "authority": "fictional_commission",
        "persons": ["example_confidential"],
        "description": "Fictional example.",
        "sources": [cite(FICTIONAL)],
        "participants": [
            {
                "name": "Example Lawyer (fictional)",
                "role": Participant.Role.REPRESENTATIVE,
                "sources": [cite(FICTIONAL)],
            },
        ],
    },
}

# --- Status decisions -----------------------------------------------------------------------

_ALIMULY_MUSAKHANULY_REFUGEE_NOTE = (
    "Granted for one year. The day is not reported: the lawyer told RFE/RL 'over the weekend', "
    "and RFE/RL wrote on 30 October 2020 that it came 'less than two weeks' before the "
    "decisions of 28 and 29 October, so in the second half of October 2020."
)

STATUS_DECISIONS = [
    {
        "person": "aqan",
        "authority": "kazakh_authorities",
        "proceeding": "aqan_asylum",
        "status": StatusDecision.Status.REFUGEE,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": on(2020, 10, 29),
        "valid_from": on(2020, 10, 29),
        "valid_until": on(2021, 10, 28),
        "note": "Granted for one year: the end date is worked out from that. The article does "
        "not name the authority that decided.",
        "sources": [_REFUGEE_STATUS_2020_10_30],
    },
    {
        "person": "malikuly",
        "authority": "kazakh_authorities",
        "proceeding": "malikuly_asylum",
        "status": StatusDecision.Status.REFUGEE,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": on(2020, 10, 28),
        "valid_from": on(2020, 10, 28),
        "valid_until": on(2021, 10, 27),
        "note": "Granted for one year: the end date is worked out from that. The article does "
        "not name the authority that decided.",
        "sources": [_REFUGEE_STATUS_2020_10_30],
    },
    *(
        {
            "person": person,
            "authority": "immigration_police",
            "proceeding": "asylum_seekers",
            "status": StatusDecision.Status.ASYLUM_SEEKER,
            "outcome": StatusDecision.Outcome.GRANTED,
            "decided": on(2019, 10, 29),
            "note": "ID cards confirming the status were to be handed over later the same day "
            "(their lawyer Bauyrzhan Azanov).",
            "sources": [
                cite(
                    RFERL_2019_10_29,
                    "the decision to give Murager Alimuly and Qaster Musakhanuly asylum-seeker "
                    "status had been made by Kazakhstan's immigration police",
                ),
                cite(
                    FERGANA_2020_01,
                    "they had received documentation confirming their application for asylum "
                    "in Kazakhstan",
                    MEDIUM,
                ),
            ],
        }
        for person in ["alimuly", "musakhanuly"]
    ),
    *(
        {
            "person": person,
            "authority": "aqmola_commission",
            "proceeding": "aqmola_refugee",
            "status": StatusDecision.Status.REFUGEE,
            "outcome": StatusDecision.Outcome.GRANTED,
            "decided": in_month(2020, 10),
            "valid_from": in_month(2020, 10),
            "valid_until": in_month(2021, 10),
            "note": _ALIMULY_MUSAKHANULY_REFUGEE_NOTE,
            "sources": [
                cite(
                    RFERL_KAZ_2020_10,
                    "the Aqmola region's migration commission granted his clients refugee "
                    "status for one year",
                ),
                cite(
                    RFERL_2020_10_30,
                    "less than two weeks after two other ethnic Kazakhs from Xinjiang, Murager "
                    "Alimuly and Qaster Musakhanuly, received one-year refugee status",
                ),
            ],
        }
        for person in ["alimuly", "musakhanuly"]
    ),
    {
        "person": "sauytbay",
        "authority": "swedish_authorities",
        "status": StatusDecision.Status.THIRD_COUNTRY_ASYLUM,
        "outcome": StatusDecision.Outcome.GRANTED,
        # First reported on 29 October 2019.
        "decided": undated(datetime.date(2019, 10, 29)),
        "note": "Asylum in Sweden. The date and the deciding authority are not reported.",
        "sources": [
            cite(RFERL_2019_10_29, "she obtained asylum in Sweden"),
            cite(RFERL_KAZ_2019_12, "She eventually was granted asylum in Sweden."),
        ],
    },
    {
        "person": "example_internal",
        "authority": "fictional_commission",
        "status": StatusDecision.Status.ASYLUM_SEEKER,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": on(2021, 4, 12),
        "note": "Fictional example.",
        "sources": [cite(FICTIONAL)],
    },
    {
        "person": "example_internal",
        "authority": "fictional_commission",
        "status": StatusDecision.Status.REFUGEE,
        "outcome": StatusDecision.Outcome.REFUSED,
        "decided": on(2022, 2, 7),
        "note": "Fictional example.",
        "sources": [cite(FICTIONAL)],
    },
    {
        "person": "example_confidential",
        "authority": "fictional_commission",
        "proceeding": "example_confidential_asylum",
        "status": StatusDecision.Status.ASYLUM_SEEKER,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": in_month(2022, 6),
        "note": "Fictional example.",
        "sources": [cite(FICTIONAL)],
    },
    {
        "person": "example_confidential",
        "authority": "fictional_commission",
        "proceeding": "example_confidential_asylum",
        "status": StatusDecision.Status.REFUGEE,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": on(2025, 12, 15),
        "valid_from": on(2025, 12, 15),
        "valid_until": on(2026, 12, 14),
        "note": "Fictional example: a one-year status that needs renewal.",
        "sources": [cite(FICTIONAL)],
    },
]

# --- Events ---------------------------------------------------------------------------------

_RELEASED_IN_MAY = "They were both released in May"

EVENTS = [
    {
        "kind": Event.Kind.OTHER,
        "title": "Chinese authorities confiscate his Kazakh permanent-residence permit",
        "date": in_year(2015),
        "place": "Xinjiang, China",
        "authority": "chinese_authorities",
        "persons": ["malikuly"],
        "description": "He had travelled to Xinjiang to visit his parents (his account).",
        "sources": [
            cite(
                RFERL_2020_10_30,
                "the documents were confiscated when he traveled to Xinjiang in 2015 to visit "
                "his parents",
                MEDIUM,
            ),
        ],
    },
    {
        "kind": Event.Kind.OTHER,
        "title": "Under investigation for several months over the 2017 crossing",
        "date": in_year(2019),
        "authority": "kazakh_authorities",
        "persons": ["malikuly"],
        "sources": [
            cite(
                RFERL_2020_10_30,
                "Malikuly was under investigation for several months last year over illegally "
                "crossing the border in 2017.",
            ),
        ],
    },
    {
        "kind": Event.Kind.OTHER,
        "title": "Told by Chinese authorities that he would be sent back to a camp",
        "date": in_month(2019, 9),
        "place": "Xinjiang, China",
        "authority": "chinese_authorities",
        "persons": ["musakhanuly"],
        "description": "His account.",
        "sources": [
            cite(
                RFERL_KAZ_2020_10,
                "In September last year, he said, he was told by Chinese authorities that he "
                "would be sent back to one of the camps.",
                MEDIUM,
            ),
            cite(
                RFERL_2020_10_30,
                "In September 2019, he said, he was told by Chinese authorities that he would "
                "be sent back to one of the camps.",
                MEDIUM,
            ),
        ],
    },
    {
        "kind": Event.Kind.PRESS_CONFERENCE,
        "title": "Press conference in Almaty: Alimuly and Musakhanuly make their escape public",
        "date": on(2019, 10, 14),
        "place": "Almaty",
        "persons": ["alimuly", "musakhanuly"],
        "description": "They told reporters that Alimuly had been persecuted in Xinjiang and "
        "Musakhanuly had spent several years in a 'reeducation camp', that they had fled the "
        "Chinese authorities' oppression of ethnic minorities, and that they would seek asylum "
        "in Kazakhstan. They were taken into custody afterwards.",
        "sources": [
            cite(
                RFERL_2019_10_29,
                "On October 14, the two held a news conference in Kazakhstan’s largest city, "
                "Almaty",
            ),
            cite(
                RFERL_KAZ_2019_12,
                "were arrested in Kazakhstan after they told journalists in Kazakhstan’s "
                "largest city, Almaty, that they had illegally crossed the Chinese-Kazakh "
                "border",
            ),
            cite(
                FERGANA_2020_01,
                "Musakhanuly and Alimuly’s escape from Xinjiang was made public on 14 October "
                "at a press conference in Almaty",
            ),
        ],
    },
    {
        "kind": Event.Kind.STATEMENT,
        "title": "Border Service head Darkhan Dilmanov says the two will be handed back to China",
        "date": in_month(2019, 12),
        "authority": "border_service",
        "persons": ["alimuly", "musakhanuly"],
        "description": "At the start of December 2019 Darkhan Dilmanov, head of the Kazakh "
        "Border Service, said: 'The chances of them staying here are zero. … We will act, and "
        "act firmly.' Their lawyer Lyazzat Akhatova argued that they could face the death "
        "penalty if handed back; their lawyer Bauyrzhan Azanov rejected reports that they "
        "would soon be handed back, as they had documents confirming their asylum application.",
        "sources": [
            cite(
                FERGANA_2020_01,
                "At the start of December 2019, the head of the Kazakh Border Service Darkhan "
                "Dilmanov announced that Musakhanuly and Alimuly would be handed back to China.",
            ),
        ],
    },
    {
        "kind": Event.Kind.RELEASE,
        "title": "Released from prison",
        "date": in_month(2020, 5),
        "persons": ["alimuly", "musakhanuly"],
        "sources": [
            cite(RFERL_KAZ_2020_10, _RELEASED_IN_MAY),
            cite(RFERL_2020_10_30, _RELEASED_IN_MAY),
        ],
    },
    {
        "kind": Event.Kind.OTHER,
        "title": "Kazakh authorities do not allow her to stay in Kazakhstan",
        # First reported on 29 October 2019.
        "date": undated(datetime.date(2019, 10, 29)),
        "authority": "kazakh_authorities",
        "persons": ["sauytbay"],
        "sources": [
            cite(
                RFERL_2019_10_29,
                "Kazakh authorities did not allow Sauytbay to stay in Kazakhstan",
            ),
            cite(
                RFERL_KAZ_2019_12,
                "Kazakh authorities did not allow Sauytbay to remain in Kazakhstan",
            ),
        ],
    },
]

# --- Demo users, for development only --------------------------------------------------------

DEMO_USERS = [
    {
        "username": "demo_admin",
        "password": "demo-admin-password",
        "role": ADMINS,
        "is_staff": True,
        "is_superuser": True,
        "assigned": [],
    },
    {
        "username": "demo_lawyer",
        "password": "demo-lawyer-password",
        "role": LAWYERS,
        "is_staff": True,
        "is_superuser": False,
        "assigned": ["aqan", "malikuly", "example_confidential"],
    },
    {
        "username": "demo_researcher",
        "password": "demo-researcher-password",
        "role": RESEARCHERS,
        "is_staff": False,
        "is_superuser": False,
        "assigned": [],
    },
]


# --- The loader -----------------------------------------------------------------------------


@dataclass
class DemoUser:
    username: str
    password: str
    role: str
    created: bool


@dataclass
class LoadResult:
    created: Counter = field(default_factory=Counter)  # model class -> rows created
    changed: int = 0  # existing rows whose data changed
    users: list[DemoUser] = field(default_factory=list)

    def summary(self):
        parts = [
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in self.created.items()
        ]
        if not parts and not self.changed:
            return gettext("Demo cases already loaded: nothing changed.")
        line = gettext("Demo cases loaded: created %(created)s.") % {
            "created": ", ".join(parts) or gettext("nothing")
        }
        if self.changed:
            line += " " + gettext("Updated %(count)d existing records.") % {"count": self.changed}
        return line


def load_demo(with_users=False, dry_run=False):
    """Load the demo cases, and the demo users if asked, in one transaction.

    With ``dry_run`` everything is rolled back; the result still tells what would change.
    """
    loader = _Loader()
    with transaction.atomic():
        loader.load_cases()
        if with_users:
            loader.load_users()
        if dry_run:
            transaction.set_rollback(True)
    return loader.result


def _columns(values):
    """Spread each ApproximateDate into its three model columns."""
    columns = {}
    for name, value in values.items():
        if isinstance(value, ApproximateDate):
            columns[name] = value.date
            columns[f"{name}_precision"] = value.precision
            columns[f"{name}_not_later_than"] = value.not_later_than
        else:
            columns[name] = value
    return columns


class _Loader:
    def __init__(self):
        self.result = LoadResult()
        self.sources = {}
        self.authorities = {}
        self.persons = {}
        self.proceedings = {}

    def sync(self, model, lookup, values=(), queryset=None):
        """Find the row by its natural key; create it, or save it only if its data changed.

        Saving an unchanged row would add a history entry, so a second load must not.
        """
        lookup = _columns(lookup)
        values = {
            name: value for name, value in _columns(dict(values)).items() if name not in lookup
        }
        queryset = model.objects.filter(**lookup) if queryset is None else queryset
        instance = queryset.order_by("pk").first()
        if instance is None:
            instance = model(**lookup, **values)
            instance.full_clean()
            instance.save()
            self.result.created[model] += 1
            return instance
        changed = {
            name: value for name, value in values.items() if getattr(instance, name) != value
        }
        if changed:
            for name, value in changed.items():
                setattr(instance, name, value)
            instance.full_clean()
            instance.save()
            self.result.changed += 1
        return instance

    def link(self, manager, objects):
        """Add the missing members of a many-to-many relation; adding nothing writes nothing."""
        present = set(manager.values_list("pk", flat=True))
        missing = [obj for obj in objects if obj.pk not in present]
        if missing:
            manager.add(*missing)
            self.result.created[manager.through] += len(missing)

    def cite(self, record, sources):
        content_type = ContentType.objects.get_for_model(record)
        cited = [source for source, _quote, _confidence in sources]
        if len(set(cited)) != len(cited):
            raise ValueError(f"{record!r} cites a source twice: one citation per source.")
        for source, quote, confidence in sources:
            self.sync(
                Citation,
                {
                    "source": self.sources[source],
                    "content_type": content_type,
                    "object_id": record.pk,
                },
                {"quote": quote, "confidence": confidence},
            )

    def load_cases(self):
        for key, values in SOURCES.items():
            lookup = {"title": values["title"], "publisher": values["publisher"]}
            self.sources[key] = self.sync(Source, lookup, values)
        for key, values in AUTHORITIES.items():
            lookup = {"name": values["name"], "country": values["country"]}
            self.authorities[key] = self.sync(Authority, lookup, values)
        for key, values in PERSONS.items():
            values = dict(values)
            variants = values.pop("variants")
            person = self.persons[key] = self.sync(Person, {"ref": values.pop("ref")}, values)
            for name, script, note in variants:
                self.sync(
                    NameVariant, {"person": person, "name": name}, {"script": script, "note": note}
                )
        for values in CROSSINGS:
            values = self._resolve(values)
            sources = values.pop("sources")
            lookup = {name: values.pop(name) for name in ["person", "from_country", "to_country"]}
            self.cite(self.sync(BorderCrossing, lookup, values), sources)
        for values in DETENTIONS:
            values = self._resolve(values)
            sources = values.pop("sources")
            lookup = {name: values.pop(name) for name in ["person", "kind"]}
            self.cite(self.sync(Detention, lookup, values), sources)
        for key, values in PROCEEDINGS.items():
            self.proceedings[key] = self._load_proceeding(values)
        for values in STATUS_DECISIONS:
            values = self._resolve(values)
            sources = values.pop("sources")
            lookup = {name: values.pop(name) for name in ["person", "status", "outcome"]}
            self.cite(self.sync(StatusDecision, lookup, values), sources)
        for values in EVENTS:
            values = self._resolve(values)
            sources, persons = values.pop("sources"), values.pop("persons")
            lookup = {name: values.pop(name) for name in ["kind", "title"]}
            # A title like "Released from prison" is common: the first person makes it theirs.
            queryset = Event.objects.filter(**lookup, persons=persons[0])
            event = self.sync(Event, lookup, values, queryset=queryset)
            self.link(event.persons, persons)
            self.cite(event, sources)

    def _resolve(self, values):
        """A copy of one record's data with its keys replaced by the rows they name."""
        values = dict(values)
        if "person" in values:
            values["person"] = self.persons[values["person"]]
        if "persons" in values:
            values["persons"] = [self.persons[key] for key in values["persons"]]
        if values.get("authority"):
            values["authority"] = self.authorities[values["authority"]]
        if values.get("proceeding"):
            values["proceeding"] = self.proceedings[values["proceeding"]]
        return values

    def _load_proceeding(self, values):
        values = self._resolve(values)
        sources, persons = values.pop("sources"), values.pop("persons")
        participants = values.pop("participants", [])
        hearings = values.pop("hearings", [])
        rulings = values.pop("rulings", [])
        lookup = {name: values.pop(name) for name in ["kind", "authority"]}
        # One court can hear several cases of the same kind: the first person tells them apart.
        queryset = Proceeding.objects.filter(**lookup, persons=persons[0])
        proceeding = self.sync(Proceeding, lookup, values, queryset=queryset)
        self.link(proceeding.persons, persons)
        self.cite(proceeding, sources)
        for participant in participants:
            participant = dict(participant)
            sources = participant.pop("sources")
            lookup = {"proceeding": proceeding}
            lookup.update((name, participant.pop(name)) for name in ["name", "role"])
            self.cite(self.sync(Participant, lookup, participant), sources)
        for hearing in hearings:
            hearing = dict(hearing)
            sources = hearing.pop("sources")
            lookup = {"proceeding": proceeding, "title": hearing.pop("title")}
            self.cite(self.sync(Hearing, lookup, hearing), sources)
        for ruling in rulings:
            ruling = self._resolve(ruling)
            sources = ruling.pop("sources")
            lookup = {"proceeding": proceeding, "person": ruling.pop("person")}
            self.cite(self.sync(Ruling, lookup, ruling), sources)
        return proceeding

    def load_users(self):
        for spec in DEMO_USERS:
            user = User.objects.filter(username=spec["username"]).first()
            created = user is None
            if created:
                # Only a missing user is created: a password changed since stays as it is.
                user = User(
                    username=spec["username"],
                    is_staff=spec["is_staff"],
                    is_superuser=spec["is_superuser"],
                )
                user.set_password(spec["password"])
                user.full_clean()
                user.save()
                self.result.created[User] += 1
            self.link(user.groups, [Group.objects.get(name=spec["role"])])
            for key in spec["assigned"]:
                self.link(self.persons[key].lawyers, [user])
            self.result.users.append(
                DemoUser(spec["username"], spec["password"], spec["role"], created)
            )
