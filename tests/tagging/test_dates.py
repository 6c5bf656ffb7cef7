"""Tests for articles.tagging.dates: finding and normalising date expressions."""

from __future__ import annotations

import calendar
import dataclasses
import time
from datetime import date, timedelta

import pytest

from articles.tagging import dates
from articles.tagging.dates import MODS, PRECISIONS, DateMatch, find_dates

# Publication date used unless a case says otherwise: a Monday.
PUB = date(2024, 7, 1)


# --------------------------------------------------------------------------
# Expected-result builders: (text, value, date_from, date_to, precision, mod)


def day(text, iso, to=None, mod=None):
    return (text, iso, iso, to or iso, "day", mod)


def month(text, ym, to_ym=None, mod=None):
    y, m = map(int, (to_ym or ym).split("-"))
    last = f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    return (text, ym, f"{ym}-01", last, "month", mod)


def year(text, y, to_y=None, mod=None):
    return (text, str(y), f"{y}-01-01", f"{to_y or y}-12-31", "year", mod)


def decade(text, value, first_year, mod=None):
    return (text, value, f"{first_year}-01-01", f"{first_year + 9}-12-31", "decade", mod)


def week(text, value, monday, sunday, mod=None):
    return (text, value, monday, sunday, "week", mod)


def quarter(text, value, mod=None):
    y, q = int(value[:4]), int(value[-1])
    last_day = calendar.monthrange(y, 3 * q)[1]
    return (text, value, f"{y}-{3 * q - 2:02d}-01", f"{y}-{3 * q:02d}-{last_day}", "quarter", mod)


def half(text, value, mod=None):
    y, h = int(value[:4]), int(value[-1])
    return (text, value, f"{y}-{6 * h - 5:02d}-01", f"{y}-{6 * h:02d}-{30 + (h == 2):02d}",
            "half", mod)


def season(text, value, frm, to, mod=None):
    return (text, value, frm, to, "season", mod)


def found(sentence, published=PUB):
    return [
        (m.text, m.value, m.date_from.isoformat(), m.date_to.isoformat(), m.precision, m.mod)
        for m in find_dates(sentence, published)
    ]


def case(published, sentence, *expected):
    return pytest.param(published, sentence, list(expected), id=sentence[:60])


# --------------------------------------------------------------------------
# Sentences from the seed articles

SEED_CASES = [
    case(date(2024, 7, 1),
         "Yoko Kamikawa will pay her first official visit to Cambodia from July 5-6.",
         day("July 5-6", "2024-07-05", "2024-07-06")),
    case(date(2024, 7, 1),
         "“The visit will deepen the partnership,” added the July 1 statement.",
         day("July 1", "2024-07-01")),
    case(date(2024, 7, 1),
         "Kamikawa’s visit follows last year’s upgrading of relations.",
         year("last year", 2023)),
    case(date(2024, 7, 1),
         "Japan has supported the Kingdom’s development since the 1990s.",
         decade("1990s", "199", 1990)),
    case(date(2023, 3, 1),
         "He attended a February 27 celebration of the Japan-Cambodia Friendship Bridge.",
         day("February 27", "2023-02-27")),
    case(date(2023, 3, 1),
         "Amid exchanges of visits, last year Cambodian Prime Minister Hun Sen met with "
         "Japanese General Koji Yamazaki in 2022.",
         year("last year", 2022), year("2022", 2022)),
    case(date(2023, 3, 1),
         "The bridge links the two nations, and was first completed in 1966.",
         year("1966", 1966)),
    case(date(2023, 3, 1),
         "They will upgrade ties by defining it as a comprehensive strategic partnership "
         "this year, to coincide with the 70th Anniversary.",
         year("this year", 2023)),
    case(date(2023, 3, 1), "Prak Sokhonn lauds ties at the 70th Anniversary."),
    case(date(2017, 8, 14),
         "During his state visit to Japan on August 7-9, Prime Minister Hun Sen met Abe.",
         day("August 7-9", "2017-08-07", "2017-08-09")),
    case(date(2017, 8, 14),
         "The first visit took place in 2007 and the second visit was in 2013.",
         year("2007", 2007), year("2013", 2013)),
    case(date(2017, 8, 14),
         "Kishi was the first Japanese leader to visit Cambodia in 1957.",
         year("1957", 1957)),
    case(date(2017, 8, 14),
         "He posted his selfie photo with Mr Abe taken in April 2015.",
         month("April 2015", "2015-04")),
    case(date(2017, 8, 14),
         "Cambodia aims at becoming a higher-income country by 2030.",
         year("2030", 2030)),
    case(date(2017, 8, 14),
         "He invited Abe to visit Cambodia this year to mark the 60th anniversary.",
         year("this year", 2017)),
    case(date(2017, 8, 14),
         "Relations improved two days after his visit.",),
    case(date(2022, 9, 29),
         "Hun Sen met Kishida in Tokyo on September 28.",
         day("September 28", "2022-09-28")),
    case(date(2022, 9, 29),
         "Kishida said his upcoming November visit to Cambodia would be productive.",
         month("November", "2022-11")),
    case(date(2022, 9, 29),
         "Two Japanese ships visited the Sihanoukville Autonomous Port back in March.",
         month("March", "2022-03")),
    case(date(2022, 9, 29),
         "The ships docked at the port on March 14 with 185 crew aboard.",
         day("March 14", "2022-03-14")),
    case(date(2022, 9, 29),
         "Kishida paid a two-day visit to Cambodia in March to bring the nations closer.",
         month("March", "2022-03")),
    case(date(2023, 12, 19),
         "Sok Chenda Sophea met his Japanese counterpart on December 17.",
         day("December 17", "2023-12-17")),
    case(date(2023, 12, 19),
         "In a December 18 press release, the ministry noted the significance of 2023.",
         day("December 18", "2023-12-18"), year("2023", 2023)),
    case(date(2023, 12, 19),
         "A meeting of the CDC is scheduled for the coming year.",
         year("coming year", 2024)),
    case(date(2023, 12, 19),
         "The officials met in Tokyo in November.",
         month("November", "2023-11")),
    case(date(2023, 12, 19),
         "The forum in Phnom Penh in early 2024 aims to endorse the draft.",
         year("early 2024", 2024, mod="START")),
    case(date(2023, 12, 19),
         "Japan's assistance policy for Cambodia for the 2024-28 period.",
         year("2024-28", 2024, 2028)),
    case(date(2023, 12, 19),
         "After the Paris Peace Agreement in 1991, Japan administered the election in 1993.",
         year("1991", 1991), year("1993", 1993)),
]


@pytest.mark.parametrize("published, sentence, expected", SEED_CASES)
def test_seed_sentences(published, sentence, expected):
    assert found(sentence, published) == expected


def test_seed_osaka_exhibition_is_a_year_or_nothing():
    result = found("Japan will host the Osaka Exhibition 2025.", date(2017, 8, 14))
    assert result in ([], [year("2025", 2025)])


# --------------------------------------------------------------------------
# Full dates

FULL_DATE_CASES = [
    case(PUB, "The accord was signed on 14 August 2017 in Tokyo.",
         day("14 August 2017", "2017-08-14")),
    case(PUB, "The vote took place on September 29, 2022.",
         day("September 29, 2022", "2022-09-29")),
    case(PUB, "It reopened on 29 Sept. 2022 after delays.",
         day("29 Sept. 2022", "2022-09-29")),
    case(PUB, "It reopened on Sept. 29, 2022 after delays.",
         day("Sept. 29, 2022", "2022-09-29")),
    case(PUB, "Filed 2022-09-29 by the ministry.", day("2022-09-29", "2022-09-29")),
    case(PUB, "Filed 2024/07/05 by the ministry.", day("2024/07/05", "2024-07-05")),
    case(PUB, "Logged at 2024-07-05T10:00 local time.", day("2024-07-05", "2024-07-05")),
    case(PUB, "He arrived on 14th August 2017.", day("14th August 2017", "2017-08-14")),
    case(PUB, "It ended on the 5th of July, 2023.", day("5th of July, 2023", "2023-07-05")),
    case(PUB, "It ended on Monday, September 26, 2022.",
         day("Monday, September 26, 2022", "2022-09-26")),
    case(PUB, "It ended on Wednesday 5 July 2023.", day("Wednesday 5 July 2023", "2023-07-05")),
    case(PUB, "The law took effect on 1 January 2000.", day("1 January 2000", "2000-01-01")),
    case(PUB, "The law took effect on Jan. 5, 2021.", day("Jan. 5, 2021", "2021-01-05")),
    case(PUB, "The law took effect on Dec 5 2021.", day("Dec 5 2021", "2021-12-05")),
    case(PUB, "A leap day: 29 February 2024.", day("29 February 2024", "2024-02-29")),
    case(PUB, "It happened on July 5 last year.", day("July 5 last year", "2023-07-05")),
    case(PUB, "It opens on 5 July next year.", day("5 July next year", "2025-07-05")),
]


@pytest.mark.parametrize("published, sentence, expected", FULL_DATE_CASES)
def test_full_dates(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Day and month without a year: tense and nearest-year resolution

YEARLESS_DAY_CASES = [
    case(date(2023, 3, 1), "They met on 27 February.", day("27 February", "2023-02-27")),
    case(PUB, "The summit opens on the 5th of July.", day("5th of July", "2024-07-05")),
    case(PUB, "The summit opens on July 5th.", day("July 5th", "2024-07-05")),
    case(PUB, "The summit opens on 5th July.", day("5th July", "2024-07-05")),
    # past tense pushes a date that would fall after publication into last year
    case(date(2024, 3, 1), "Hun Sen visited Tokyo on May 3.", day("May 3", "2023-05-03")),
    case(date(2024, 3, 1), "The talks were on May 3.", day("May 3", "2023-05-03")),
    # ... but a few days' lag is tolerated
    case(date(2024, 3, 1), "The minister said on March 3 that talks went well.",
         day("March 3", "2024-03-03")),
    # future tense pushes a date before publication into next year
    case(date(2023, 12, 19), "The summit will open on January 10.",
         day("January 10", "2024-01-10")),
    case(date(2024, 3, 1), "The ministers will meet on February 10.",
         day("February 10", "2025-02-10")),
    case(PUB, "He said the meeting will be held on June 20.", day("June 20", "2025-06-20")),
    case(PUB, "He said on June 20 that the meeting went well.", day("June 20", "2024-06-20")),
    case(date(2023, 12, 1), "The vote is scheduled for March 3.", day("March 3", "2024-03-03")),
    case(date(2023, 12, 1), "The forum is to be held on March 3.", day("March 3", "2024-03-03")),
    case(date(2023, 12, 1), "The forum is set to open on March 3.", day("March 3", "2024-03-03")),
    case(date(2023, 12, 1), "Both sides agreed to meet again on March 3.",
         day("March 3", "2024-03-03")),
    # no tense: publication year unless that is more than six months away
    case(date(2024, 11, 20), "The plan sets a January 15 deadline.",
         day("January 15", "2025-01-15")),
    case(date(2024, 1, 5), "A December 20 report is cited.", day("December 20", "2023-12-20")),
    case(date(2024, 7, 1), "A March 3 report is cited.", day("March 3", "2024-03-03")),
    # 29 February only exists in leap years
    case(date(2023, 3, 1), "A February 29 deadline.", day("February 29", "2024-02-29")),
]


@pytest.mark.parametrize("published, sentence, expected", YEARLESS_DAY_CASES)
def test_yearless_days(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Day ranges, same month and across months

DAY_RANGE_CASES = [
    case(PUB, "She will visit from July 5-6.", day("July 5-6", "2024-07-05", "2024-07-06")),
    case(PUB, "She will visit from July 5–6.", day("July 5–6", "2024-07-05", "2024-07-06")),
    case(PUB, "She will visit on 5-6 July.", day("5-6 July", "2024-07-05", "2024-07-06")),
    case(PUB, "She will visit on 5–6 July.", day("5–6 July", "2024-07-05", "2024-07-06")),
    case(PUB, "She will visit from July 5 to 6.",
         day("July 5 to 6", "2024-07-05", "2024-07-06")),
    case(PUB, "The expo runs 25-29 November 2024.",
         day("25-29 November 2024", "2024-11-25", "2024-11-29")),
    case(PUB, "The expo runs November 25 through 29, 2024.",
         day("November 25 through 29, 2024", "2024-11-25", "2024-11-29")),
    case(PUB, "The talks will be held between August 21 and 23.",
         day("August 21 and 23", "2024-08-21", "2024-08-23")),
    case(PUB, "The talks will be held between 21 and 23 August.",
         day("21 and 23 August", "2024-08-21", "2024-08-23")),
    case(PUB, "Voting is on July 5 and 6.", day("July 5 and 6", "2024-07-05", "2024-07-06")),
    case(PUB, "Voting is on 5 and 6 July.", day("5 and 6 July", "2024-07-05", "2024-07-06")),
    # without "between", non-consecutive days joined by "and" are two dates
    case(PUB, "Sessions are on August 21 and 23.",
         day("August 21", "2024-08-21"), day("23", "2024-08-23")),
    case(PUB, "Sessions are on 21 and 23 August.",
         day("21", "2024-08-21"), day("23 August", "2024-08-23")),
    case(PUB, "Sessions are on August 21 and 23, 2025.",
         day("August 21", "2025-08-21"), day("23, 2025", "2025-08-23")),
    # a backwards range keeps only the first day
    case(PUB, "It is on July 6-5.", day("July 6", "2024-07-06")),
    case(PUB, "The festival runs 30 June - 2 July 2024.",
         day("30 June - 2 July 2024", "2024-06-30", "2024-07-02")),
    case(PUB, "The festival runs from June 30 to July 2.",
         day("June 30 to July 2", "2024-06-30", "2024-07-02")),
    case(PUB, "The festival ran September 29 - October 3, 2023.",
         day("September 29 - October 3, 2023", "2023-09-29", "2023-10-03")),
    case(PUB, "Offices close December 30, 2023 to January 2, 2024.",
         day("December 30, 2023 to January 2, 2024", "2023-12-30", "2024-01-02")),
    case(PUB, "Offices close 30 December 2023 – 2 January 2024.",
         day("30 December 2023 – 2 January 2024", "2023-12-30", "2024-01-02")),
    # year given only at the end, range crossing New Year
    case(PUB, "Offices closed 30 December - 2 January 2024.",
         day("30 December - 2 January 2024", "2023-12-30", "2024-01-02")),
    # no year at all: resolved as a whole
    case(date(2024, 1, 10), "Schools closed from 28 December to 3 January.",
         day("28 December to 3 January", "2023-12-28", "2024-01-03")),
    case(date(2017, 8, 14), "He was in Japan on August 7-9.",
         day("August 7-9", "2017-08-07", "2017-08-09")),
]


@pytest.mark.parametrize("published, sentence, expected", DAY_RANGE_CASES)
def test_day_ranges(published, sentence, expected):
    assert found(sentence, published) == expected


def test_day_range_value_is_first_day():
    (m,) = find_dates("from July 5-6", PUB)
    assert (m.value, m.precision, m.date_from, m.date_to) == (
        "2024-07-05", "day", date(2024, 7, 5), date(2024, 7, 6))


# --------------------------------------------------------------------------
# Months

MONTH_CASES = [
    case(PUB, "Prices rose in March 2022.", month("March 2022", "2022-03")),
    case(PUB, "Prices rose in March of 2022.", month("March of 2022", "2022-03")),
    case(PUB, "Prices rose in March, 2022.", month("March, 2022", "2022-03")),
    case(PUB, "Prices rose in Sept. 2022.", month("Sept. 2022", "2022-09")),
    case(PUB, "Prices rose in March this year.", month("March this year", "2024-03")),
    case(PUB, "Prices rose in April last year.", month("April last year", "2023-04")),
    case(PUB, "Prices peak this June.", month("this June", "2024-06")),
    case(PUB, "Prices peaked last April.", month("last April", "2024-04")),
    case(date(2024, 4, 15), "Prices peaked last April.", month("last April", "2023-04")),
    case(PUB, "Prices will peak next May.", month("next May", "2025-05")),
    case(date(2024, 3, 1), "Prices will peak next May.", month("next May", "2024-05")),
    # "are due" looks ahead: from July, the next May
    case(PUB, "Elections are due in May.", month("May", "2025-05")),
    case(date(2022, 9, 29), "He returned back in March.", month("March", "2022-03")),
    case(date(2023, 12, 19), "They will travel to Tokyo in January.",
         month("January", "2024-01")),
    case(date(2023, 12, 19), "They travelled to Tokyo in January.",
         month("January", "2023-01")),
    case(date(2024, 10, 15), "The report covers events in March.", month("March", "2025-03")),
    case(PUB, "Work stopped in early March.", month("early March", "2024-03", mod="START")),
    case(PUB, "Work stopped in mid-March.", month("mid-March", "2024-03", mod="MID")),
    case(PUB, "Work stopped in late March.", month("late March", "2024-03", mod="END")),
    case(PUB, "Work stopped at the end of March.", month("end of March", "2024-03", mod="END")),
    case(PUB, "Planting runs from March-April 2024.",
         month("March-April 2024", "2024-03", "2024-04")),
    case(PUB, "Planting ran between March and May 2024.",
         month("March and May 2024", "2024-03", "2024-05")),
    case(PUB, "Planting ran in April and May.",
         month("April", "2024-04"), month("May", "2024-05")),
    case(PUB, "Rains fell in January, February and March.",
         month("January", "2024-01"), month("February", "2024-02"), month("March", "2024-03")),
    # a number after the month that is a count, not a year
    case(PUB, "In May, 2000 troops arrived.", month("May", "2024-05")),
]


@pytest.mark.parametrize("published, sentence, expected", MONTH_CASES)
def test_months(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Years, year ranges and decades

YEAR_CASES = [
    case(PUB, "The treaty was signed in 2013.", year("2013", 2013)),
    case(PUB, "Trade has doubled since 2013.", year("2013", 2013)),
    case(PUB, "The goal is to finish by 2030.", year("2030", 2030)),
    case(PUB, "The ban lasts until 2030.", year("2030", 2030)),
    case(PUB, "Prices were lower before 2020.", year("2020", 2020)),
    case(PUB, "Exports grew during 2019.", year("2019", 2019)),
    case(PUB, "The budget for 2025 was approved.", year("2025", 2025)),
    case(PUB, "The bug appeared in the year 2000.", year("2000", 2000)),
    case(PUB, "See the census (2019) for details.", year("2019", 2019)),
    case(PUB, "The 2023’s budget was tight.", year("2023", 2023)),
    case(PUB, "2023's budget was tight.", year("2023", 2023)),
    case(PUB, "Turnout in the 2024 election was high.", year("2024", 2024)),
    case(PUB, "Turnout in the 2024 elections was high.", year("2024", 2024)),
    case(PUB, "Tourism recovered from 2022 onwards.", year("2022", 2022)),
    case(PUB, "In 2023, the economy grew.", year("2023", 2023)),
    case(PUB, "The plan covers the 2024-28 period.", year("2024-28", 2024, 2028)),
    case(PUB, "The plan covers 2024-2028.", year("2024-2028", 2024, 2028)),
    case(PUB, "The war of 1939–45 ended.", year("1939–45", 1939, 1945)),
    case(PUB, "The 2019/20 fiscal year closed.", year("2019/20", 2019, 2020)),
    case(PUB, "The plan runs from 2024 to 2028.", year("2024 to 2028", 2024, 2028)),
    case(PUB, "Output fell between 2020 and 2022.", year("2020 and 2022", 2020, 2022)),
    case(PUB, "Output fell in 2020 and 2022.", year("2020", 2020), year("2022", 2022)),
    case(PUB, "Japan has helped since the 1990s.", decade("1990s", "199", 1990)),
    case(PUB, "Growth slowed in the 2010s.", decade("2010s", "201", 2010)),
    case(PUB, "Music of the 1990's returned.", decade("1990's", "199", 1990)),
    case(PUB, "Music of the ’90s returned.", decade("’90s", "199", 1990)),
    case(PUB, "Music of the '20s returned.", decade("'20s", "202", 2020)),
    case(PUB, "Music of the '30s returned.", decade("'30s", "193", 1930)),
    case(PUB, "Music of the 90s returned.", decade("90s", "199", 1990)),
    case(PUB, "It peaked in the mid-1990s.", decade("mid-1990s", "199", 1990, mod="MID")),
    case(PUB, "It peaked in the early 2000s.", decade("early 2000s", "200", 2000, mod="START")),
    case(PUB, "It peaked in the late 1980s.", decade("late 1980s", "198", 1980, mod="END")),
]


@pytest.mark.parametrize("published, sentence, expected", YEAR_CASES)
def test_years_and_decades(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Relative expressions

RELATIVE_CASES = [
    case(PUB, "Exports grew last year.", year("last year", 2023)),
    case(PUB, "Exports grow this year.", year("this year", 2024)),
    case(PUB, "Exports will grow next year.", year("next year", 2025)),
    case(PUB, "Next year’s budget is larger.", year("Next year", 2025)),
    case(PUB, "Exports grow in the coming year.", year("coming year", 2025)),
    case(PUB, "Exports grow in the current year.", year("current year", 2024)),
    case(PUB, "Exports grew last month.", month("last month", "2024-06")),
    case(PUB, "Exports grow this month.", month("this month", "2024-07")),
    case(PUB, "Exports grow next month.", month("next month", "2024-08")),
    case(date(2024, 1, 15), "Exports grew last month.", month("last month", "2023-12")),
    case(PUB, "They met last week.", week("last week", "2024-W26", "2024-06-24", "2024-06-30")),
    case(PUB, "They meet this week.", week("this week", "2024-W27", "2024-07-01", "2024-07-07")),
    case(PUB, "They meet next week.", week("next week", "2024-W28", "2024-07-08", "2024-07-14")),
    case(PUB, "They meet in the coming week.",
         week("coming week", "2024-W28", "2024-07-08", "2024-07-14")),
    case(date(2024, 1, 3), "They met last week.",
         week("last week", "2023-W52", "2023-12-25", "2023-12-31")),
    case(date(2024, 12, 30), "They meet next week.",
         week("next week", "2025-W02", "2025-01-06", "2025-01-12")),
    case(PUB, "They met yesterday.", day("yesterday", "2024-06-30")),
    case(PUB, "Today the court ruled.", day("Today", "2024-07-01")),
    case(PUB, "They meet tomorrow.", day("tomorrow", "2024-07-02")),
    case(PUB, "They meet Tomorrow.", day("Tomorrow", "2024-07-02")),
    case(PUB, "The king spoke on Saturday.", day("Saturday", "2024-06-29")),
    case(PUB, "The king will speak on Saturday.", day("Saturday", "2024-07-06")),
    case(PUB, "The king spoke on Monday.", day("Monday", "2024-07-01")),
    case(PUB, "The king spoke last Friday.", day("last Friday", "2024-06-28")),
    case(PUB, "The king spoke last Monday.", day("last Monday", "2024-06-24")),
    case(PUB, "The king speaks next Monday.", day("next Monday", "2024-07-08")),
    case(PUB, "The king speaks this Friday.", day("this Friday", "2024-07-05")),
    case(PUB, "It opened two years ago.", year("two years ago", 2022)),
    case(PUB, "It opened a year ago.", year("a year ago", 2023)),
    case(PUB, "It opened three months ago.", month("three months ago", "2024-04")),
    case(PUB, "It opened a week ago.", week("a week ago", "2024-W26", "2024-06-24", "2024-06-30")),
    case(PUB, "It opened 10 days ago.", day("10 days ago", "2024-06-21")),
    case(PUB, "The price fell sharply this year.", year("this year", 2024)),
]


@pytest.mark.parametrize("published, sentence, expected", RELATIVE_CASES)
def test_relative(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Fuzzy modifiers

FUZZY_CASES = [
    case(PUB, "Talks resume in early 2024.", year("early 2024", 2024, mod="START")),
    case(PUB, "Talks resume in mid-2024.", year("mid-2024", 2024, mod="MID")),
    case(PUB, "Talks resume in mid 2024.", year("mid 2024", 2024, mod="MID")),
    case(PUB, "Talks resumed in late 2023.", year("late 2023", 2023, mod="END")),
    case(PUB, "Talks resumed by the end of 2023.", year("end of 2023", 2023, mod="END")),
    case(PUB, "Talks resumed around 2020.", year("around 2020", 2020, mod="APPROX")),
    case(PUB, "The temple dates from circa 1950.", year("circa 1950", 1950, mod="APPROX")),
    case(PUB, "Talks resume at the beginning of 2025.",
         year("beginning of 2025", 2025, mod="START")),
    case(PUB, "Talks resume in the middle of 2025.", year("middle of 2025", 2025, mod="MID")),
    case(PUB, "Talks resume early next year.", year("early next year", 2025, mod="START")),
    case(PUB, "Talks resumed late last year.", year("late last year", 2023, mod="END")),
    case(PUB, "Talks end at the end of this month.",
         month("end of this month", "2024-07", mod="END")),
    case(PUB, "Talks resume early next week.",
         week("early next week", "2024-W28", "2024-07-08", "2024-07-14", mod="START")),
    case(PUB, "Talks resume in early March 2025.",
         month("early March 2025", "2025-03", mod="START")),
]


@pytest.mark.parametrize("published, sentence, expected", FUZZY_CASES)
def test_fuzzy_modifiers(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Quarters, halves and seasons

PERIOD_CASES = [
    case(PUB, "Growth slowed in the first quarter of 2024.",
         quarter("first quarter of 2024", "2024-Q1")),
    case(PUB, "Growth slowed in Q1 2024.", quarter("Q1 2024", "2024-Q1")),
    case(PUB, "Growth slowed in Q3 of 2023.", quarter("Q3 of 2023", "2023-Q3")),
    case(PUB, "Growth slowed in 2024 Q2.", quarter("2024 Q2", "2024-Q2")),
    case(PUB, "Growth slowed in the fourth quarter of 2023.",
         quarter("fourth quarter of 2023", "2023-Q4")),
    case(PUB, "Growth slowed in the last quarter of 2023.",
         quarter("last quarter of 2023", "2023-Q4")),
    case(PUB, "Growth slows in the third quarter of this year.",
         quarter("third quarter of this year", "2024-Q3")),
    case(PUB, "Growth slows this quarter.", quarter("this quarter", "2024-Q3")),
    case(PUB, "Growth slowed last quarter.", quarter("last quarter", "2024-Q2")),
    case(PUB, "Growth slows next quarter.", quarter("next quarter", "2024-Q4")),
    case(date(2024, 2, 1), "Growth slowed last quarter.", quarter("last quarter", "2023-Q4")),
    case(PUB, "Sales rose in the second half of 2023.", half("second half of 2023", "2023-H2")),
    case(PUB, "Sales rose in the latter half of 2023.", half("latter half of 2023", "2023-H2")),
    case(PUB, "Sales rose in H2 2023.", half("H2 2023", "2023-H2")),
    case(PUB, "Sales rose in H1 2024.", half("H1 2024", "2024-H1")),
    case(PUB, "Sales rise in the first half of next year.",
         half("first half of next year", "2025-H1")),
    case(PUB, "First-half 2024 results are due.", half("First-half 2024", "2024-H1")),
    case(PUB, "The drought of summer 2023 hit farms.",
         season("summer 2023", "2023-SU", "2023-06-01", "2023-08-31")),
    case(PUB, "The drought of the summer of 2019 hit farms.",
         season("summer of 2019", "2019-SU", "2019-06-01", "2019-08-31")),
    case(date(2023, 5, 10), "Farms suffer this summer.",
         season("this summer", "2023-SU", "2023-06-01", "2023-08-31")),
    case(PUB, "Snow fell in winter 2023.",
         season("winter 2023", "2023-WI", "2023-12-01", "2024-02-29")),
    case(date(2024, 1, 15), "Snow falls this winter.",
         season("this winter", "2023-WI", "2023-12-01", "2024-02-29")),
    case(PUB, "Rains came in spring 2024.",
         season("spring 2024", "2024-SP", "2024-03-01", "2024-05-31")),
    case(PUB, "Rains came in autumn 2022.",
         season("autumn 2022", "2022-FA", "2022-09-01", "2022-11-30")),
    case(PUB, "Rains came in fall 2022.",
         season("fall 2022", "2022-FA", "2022-09-01", "2022-11-30")),
    case(PUB, "Rains came last summer.",
         season("last summer", "2023-SU", "2023-06-01", "2023-08-31")),
    case(PUB, "Snow falls next winter.",
         season("next winter", "2024-WI", "2024-12-01", "2025-02-28")),
    case(PUB, "Rains came in early summer 2023.",
         season("early summer 2023", "2023-SU", "2023-06-01", "2023-08-31", mod="START")),
]


@pytest.mark.parametrize("published, sentence, expected", PERIOD_CASES)
def test_quarters_halves_seasons(published, sentence, expected):
    assert found(sentence, published) == expected


# --------------------------------------------------------------------------
# Things that are not dates

NEGATIVE_SENTENCES = [
    "They paid a two-day visit.",
    "The dispute lasted two days.",
    "He served for three years.",
    "She has been there 21 times.",
    "Relations improved two days after his visit.",
    "The meeting starts at 10am.",
    "Talks resume at 3 pm.",
    "The flight leaves at 14:30.",
    "They celebrated the 70th anniversary.",
    "It was the 25th anniversary of the accord.",
    "He spoke at the 77th UN General Assembly.",
    "Japan pledged a $1.95 billion loan.",
    "Some 4,500 Japanese nationals live there.",
    "The ship had 185 crew aboard.",
    "Japan rebuilt national roads 1 and 5.",
    "More than 15,000 Cambodians work in Japan.",
    "They may visit the site.",
    "May I ask a question?",
    "Theresa May said little.",
    "Protesters march to the palace.",
    "They March on.",
    "We will see what happens.",
    "Sun Chanthol attended the talks.",
    "2000 troops were deployed.",
    "Some 2000 people were there.",
    "A total of 2000 were arrested.",
    "The population grew to 2000 people.",
    "Farms are busy every Monday.",
    "Markets close on Mondays.",
    "Temperatures rise in summer.",
    "The fall in prices hurt farmers.",
    "Over the last year, prices rose.",
    "In the past year, prices rose.",
    "Mayor Kim spoke at the Augustine marching band event.",
    "The code 2022-09 was rejected.",
    "The form is dated 10/11/2022 by hand.",
    "Both men are in their 90s.",
    "The score was 3-1 at half time.",
    "The ISO 9001 standard applies.",
    "The fall of Phnom Penh was sudden.",
    "He bought 1,995 shares.",
]


@pytest.mark.parametrize("sentence", NEGATIVE_SENTENCES)
def test_not_dates(sentence):
    assert found(sentence) == []


@pytest.mark.parametrize(
    "sentence, only",
    [
        ("They may visit in May.", "May"),
        ("Prices saw a sharp fall this year.", "this year"),
        ("Kishida paid a two-day visit to Cambodia in March.", "March"),
        ("The 60th anniversary falls this year.", "this year"),
        ("The meeting on March 3 starts at 10am.", "March 3"),
        ("The fall of Saigon in 1975 changed everything.", "1975"),
        ("The film won in 1999, about 2000 people watched.", "1999"),
    ],
)
def test_only_the_date_part(sentence, only):
    assert [m.text for m in find_dates(sentence, PUB)] == [only]


# --------------------------------------------------------------------------
# Overlaps, ordering and the API


@pytest.mark.parametrize(
    "sentence, text",
    [
        ("in early 2024", "early 2024"),
        ("since the 1990s", "1990s"),
        ("on Monday, September 26, 2022", "Monday, September 26, 2022"),
        ("from 30 June - 2 July 2024", "30 June - 2 July 2024"),
        ("the first quarter of next year", "first quarter of next year"),
        ("in March this year", "March this year"),
        ("until mid-2025", "mid-2025"),
    ],
)
def test_longest_match_wins(sentence, text):
    assert [m.text for m in find_dates(sentence, PUB)] == [text]


ARTICLE = (
    "Japanese Foreign Minister Yoko Kamikawa will pay her first official visit to Cambodia "
    "from July 5-6. The trip follows last year’s upgrading of relations, added the July 1 "
    "statement. Japan has supported the Kingdom since the 1990s, and Hun Sen visited Tokyo "
    "in 2013, in early 2024 and on Saturday. A new aid plan covers the 2024-28 period, with "
    "$1.95 billion for 4,500 projects. Talks are scheduled for the coming year and the "
    "first quarter of 2025. The 70th anniversary falls this year; summer 2023 was hot.\n"
) * 3


def test_results_sorted_non_overlapping_and_sliced():
    matches = find_dates(ARTICLE, PUB)
    assert len(matches) == 36
    for m in matches:
        assert ARTICLE[m.start:m.end] == m.text
    for a, b in zip(matches, matches[1:]):
        assert a.end <= b.start


def test_article_values():
    matches = find_dates(ARTICLE, PUB)[:12]
    assert [m.value for m in matches] == [
        "2024-07-05", "2023", "2024-07-01", "199", "2013", "2024", "2024-06-29", "2024",
        "2025", "2025-Q1", "2024", "2023-SU",
    ]


def test_empty_and_dateless_text():
    assert find_dates("", PUB) == []
    assert find_dates("No dates here at all.", PUB) == []


def test_constants():
    assert PRECISIONS == ("day", "week", "month", "quarter", "half", "season", "year", "decade")
    assert set(MODS) == {"START", "MID", "END", "APPROX"}
    assert isinstance(PRECISIONS, tuple) and isinstance(MODS, tuple)


def test_datematch_is_frozen():
    (m,) = find_dates("in 2013", PUB)
    assert isinstance(m, DateMatch)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = "2014"  # type: ignore[misc]


def test_no_regex_compilation_at_call_time(monkeypatch):
    # Every pattern is compiled at import; calls must not touch the re module.
    monkeypatch.setattr(dates, "re", None)
    assert [m.value for m in find_dates(ARTICLE, PUB)][:3] == ["2024-07-05", "2023", "2024-07-01"]


def test_speed_smoke():
    # Generous bound that only trips on a pathological slowdown; the target is
    # thousands of 4,000-character articles per second.
    article = ARTICLE[:4000]
    find_dates(article, PUB)
    start = time.perf_counter()
    for _ in range(50):
        find_dates(article, PUB)
    assert (time.perf_counter() - start) / 50 < 0.025


# --------------------------------------------------------------------------
# Fresh news sentences (audit, published Tuesday 2024-07-02)

TUE = date(2024, 7, 2)

FUTURE_CUE_CASES = [
    case(TUE, "Hun Manet said he would visit Japan in August.", month("August", "2024-08")),
    case(TUE, "The festival would take place in February.", month("February", "2025-02")),
    case(TUE, "Officials said the summit might be held in March.", month("March", "2025-03")),
    case(TUE, "The vote was postponed until November.", month("November", "2024-11")),
    case(TUE, "The vote was postponed to November 12.", day("November 12", "2024-11-12")),
    case(TUE, "The hearing was delayed until March.", month("March", "2025-03")),
    case(TUE, "The launch has been pushed back to March.", month("March", "2025-03")),
    case(TUE, "The session was moved to 3 March.", day("3 March", "2025-03-03")),
    case(TUE, "Talks are planned for October.", month("October", "2024-10")),
    case(TUE, "Hun Sen told reporters the bridge will open in May.", month("May", "2025-05")),
    case(TUE, "The ministry said it plans to hold the census in April.",
         month("April", "2025-04")),
    case(TUE, "A decision is expected by March.", month("March", "2025-03")),
    case(TUE, "The meeting starts at 10 a.m. on Wednesday.", day("Wednesday", "2024-07-03")),
    case(TUE, "The forum opens on Friday.", day("Friday", "2024-07-05")),
    case(TUE, "The report is due on Monday.", day("Monday", "2024-07-08")),
    # past cues still win when they are the nearest
    case(TUE, "He said he visited Japan in August.", month("August", "2023-08")),
    case(TUE, "The vote, postponed in March, was held on Sunday.",
         month("March", "2024-03"), day("Sunday", "2024-06-30")),
    case(TUE, "He moved to Tokyo in November.", month("November", "2023-11")),
    case(TUE, "The match was cancelled due to rain on Saturday.",
         day("Saturday", "2024-06-29")),
]


@pytest.mark.parametrize("published, sentence, expected", FUTURE_CUE_CASES)
def test_future_and_past_cues(published, sentence, expected):
    assert found(sentence, published) == expected


MONTH_LEAD_CASES = [
    case(TUE, "The budget for March was approved.", month("March", "2024-03")),
    case(TUE, "Figures for September will be published.", month("September", "2024-09")),
    case(TUE, "The May elections were tense.", month("May", "2024-05")),
    case(TUE, "By May, prices had doubled.", month("May", "2024-05")),
    case(TUE, "The deadline for May.", month("May", "2024-05")),
    case(TUE, "Voters went to the polls in May.", month("May", "2024-05")),
    case(date(2022, 12, 5), "“[Kishida’s] November visit is a strategic step.”",
         month("November", "2022-11")),
    case(TUE, "Japan's March election was close.", month("March", "2024-03")),
    case(TUE, "The ministers' April talks failed.", month("April", "2024-04")),
    case(TUE, "Kishida's May visit was short.", month("May", "2024-05")),
]


@pytest.mark.parametrize("published, sentence, expected", MONTH_LEAD_CASES)
def test_month_lead_ins(published, sentence, expected):
    assert found(sentence, published) == expected


@pytest.mark.parametrize("sentence", [
    "Officials may decide later.",
    "Officials May decide later.",
    "The book by May Chan sold well.",
    "A speech for May Day.",
    "Theresa May resigned.",
    "Theresa May's May Day speech.",
    "May the best team win.",
])
def test_may_the_verb_or_name_is_not_a_date(sentence):
    assert found(sentence, TUE) == []


WEEKDAY_APPOSITION_CASES = [
    case(TUE, "He arrived on 5 July 2024 (Friday).",
         day("5 July 2024 (Friday)", "2024-07-05")),
    case(TUE, "He arrived on July 5, 2024 (Friday) and left.",
         day("July 5, 2024 (Friday)", "2024-07-05")),
    case(TUE, "She left on July 5, Friday, early.", day("July 5, Friday", "2024-07-05")),
    case(TUE, "He arrives Friday (July 5) and leaves.", day("Friday (July 5)", "2024-07-05")),
    case(TUE, "He arrived on Friday, 5 July 2024.", day("Friday, 5 July 2024", "2024-07-05")),
    # a weekday elsewhere in the sentence is its own date
    case(TUE, "He arrived on 5 July 2024 and left on Friday.",
         day("5 July 2024", "2024-07-05"), day("Friday", "2024-06-28")),
]


@pytest.mark.parametrize("published, sentence, expected", WEEKDAY_APPOSITION_CASES)
def test_weekday_in_apposition_belongs_to_the_date(published, sentence, expected):
    assert found(sentence, published) == expected


@pytest.mark.parametrize("sentence", [
    "The Sunday Times reported the deal.",
    "He appeared on Saturday Night Live.",
    "The Good Friday Agreement held.",
    "Black Friday sales were weak.",
    "Thousands marched on Bloody Sunday.",
    "Monday Night Football returns.",
    "She writes for the Sunday Telegraph.",
])
def test_weekday_in_a_name_is_not_a_date(sentence):
    assert found(sentence, TUE) == []


@pytest.mark.parametrize("sentence, iso", [
    ("On Friday Hun Sen said the talks went well.", "2024-06-28"),
    ("Hun Sen said Friday Japan would help.", "2024-06-28"),
    ("He told Reuters on Monday.", "2024-07-01"),
    ("The Friday meeting was short.", "2024-06-28"),
])
def test_weekday_before_a_name_is_still_a_date(sentence, iso):
    assert [m.value for m in find_dates(sentence, TUE)] == [iso]


QUARTER_HALF_CASES = [
    case(TUE, "Growth slowed in Q3.", quarter("Q3", "2024-Q3")),
    case(TUE, "Q4 results will be released in January.",
         quarter("Q4", "2024-Q4"), month("January", "2025-01")),
    case(TUE, "Growth will slow in the fourth quarter.", quarter("fourth quarter", "2024-Q4")),
    case(TUE, "Growth was weak in the first quarter.", quarter("first quarter", "2024-Q1")),
    case(date(2024, 2, 10), "Growth was weak in the third quarter.",
         quarter("third quarter", "2023-Q3")),
    case(TUE, "Growth in Q1 was weak, as in the second quarter.",
         quarter("Q1", "2024-Q1"), quarter("second quarter", "2024-Q2")),
    case(TUE, "Sales rose in the first half of the year.",
         half("first half of the year", "2024-H1")),
    case(TUE, "Sales will rise in the second half of 2025.",
         half("second half of 2025", "2025-H2")),
    case(TUE, "It will be done by the end of the year.",
         year("end of the year", 2024, mod="END")),
    case(TUE, "Prices rose at the beginning of the year.",
         year("beginning of the year", 2024, mod="START")),
    case(TUE, "Rent is due at the end of the month.",
         month("end of the month", "2024-07", mod="END")),
    case(TUE, "Talks resume in mid-2025.", year("mid-2025", 2025, mod="MID")),
    # part of a year: a range of months, as "January-February" is
    case(TUE, "Growth in the first two months of the year was strong.",
         ("first two months of the year", "2024-01", "2024-01-01", "2024-02-29", "month", None)),
    case(TUE, "Growth in the first 6 months of 2023 was strong.",
         ("first 6 months of 2023", "2023-01", "2023-01-01", "2023-06-30", "month", None)),
    case(TUE, "Growth in the last three months of last year was weak.",
         ("last three months of last year", "2023-10", "2023-10-01", "2023-12-31", "month", None)),
    case(TUE, "Talks resumed in late 2023.", year("late 2023", 2023, mod="END")),
]


@pytest.mark.parametrize("published, sentence, expected", QUARTER_HALF_CASES)
def test_quarters_and_halves_without_a_year(published, sentence, expected):
    assert found(sentence, published) == expected


@pytest.mark.parametrize("sentence", [
    "He scored in the first half.",
    "A quarter of the population voted.",
    "Three quarters of voters agreed.",
    "He scored in the last quarter.",
    "The first quarter of the century was calm.",
    "The Audi Q3 sold well.",
    "The company's quarterly report.",
    "In the second half of the match, he scored.",
])
def test_quarters_and_halves_that_are_not_dates(sentence):
    assert found(sentence, TUE) == []


def weekend(text, value, sat):
    sunday = date.fromisoformat(sat) + timedelta(days=1)
    return (text, value, sat, sunday.isoformat(), "week", None)


WEEK_CASES = [
    case(TUE, "Police made arrests over the weekend.",
         weekend("weekend", "2024-W26-WE", "2024-06-29")),
    case(TUE, "Police will hold a rally this weekend.",
         weekend("this weekend", "2024-W27-WE", "2024-07-06")),
    case(TUE, "Police will hold a rally next weekend.",
         weekend("next weekend", "2024-W28-WE", "2024-07-13")),
    case(TUE, "Police held a rally last weekend.",
         weekend("last weekend", "2024-W26-WE", "2024-06-29")),
    case(TUE, "Police will patrol at the weekend.",
         weekend("weekend", "2024-W27-WE", "2024-07-06")),
    case(date(2024, 7, 4), "Rallies are planned at the weekend.",
         weekend("weekend", "2024-W27-WE", "2024-07-06")),
    case(date(2024, 7, 7), "Police made arrests over the weekend.",
         weekend("weekend", "2024-W27-WE", "2024-07-06")),
    case(TUE, "The fair opens in the first week of August.",
         week("first week of August", "2024-W31", "2024-07-29", "2024-08-04")),
    case(TUE, "The fair opens in the first week of February.",
         week("first week of February", "2025-W06", "2025-02-03", "2025-02-09")),
    case(TUE, "The fair closed in the last week of June.",
         week("last week of June", "2024-W26", "2024-06-24", "2024-06-30")),
    case(TUE, "The fair was held the week of June 10.",
         week("week of June 10", "2024-W24", "2024-06-10", "2024-06-16")),
    case(TUE, "The fair was held in the week of 10 June 2023.",
         week("week of 10 June 2023", "2023-W23", "2023-06-05", "2023-06-11")),
    case(TUE, "Sales in week 27 rose.", week("week 27", "2024-W27", "2024-07-01", "2024-07-07")),
    case(TUE, "Sales in Week 3 of 2025 will rise.",
         week("Week 3 of 2025", "2025-W03", "2025-01-13", "2025-01-19")),
    case(TUE, "Sales rose last week and will fall next week.",
         week("last week", "2024-W26", "2024-06-24", "2024-06-30"),
         week("next week", "2024-W28", "2024-07-08", "2024-07-14")),
]


@pytest.mark.parametrize("published, sentence, expected", WEEK_CASES)
def test_weeks_and_weekends(published, sentence, expected):
    assert found(sentence, published) == expected


@pytest.mark.parametrize("sentence", [
    "Shops open at weekends.",
    "A weekend of protests.",
    "They work every weekend.",
    "In week 2 of the trial, he testified.",
    "A four-day week was proposed.",
    "Growth in the past two months was strong.",
    "In the first two months of his term, he travelled.",
    "She worked 40 hours a week 5 days running.",
])
def test_weeks_that_are_not_dates(sentence):
    assert found(sentence, TUE) == []


SEASON_CASES = [
    case(TUE, "The fall of 2022 was wet.",
         season("fall of 2022", "2022-FA", "2022-09-01", "2022-11-30")),
    case(TUE, "Autumn 2022 was wet.",
         season("Autumn 2022", "2022-FA", "2022-09-01", "2022-11-30")),
    case(TUE, "This summer will be hot.",
         season("This summer", "2024-SU", "2024-06-01", "2024-08-31")),
    case(TUE, "The winter of 2023 was mild.",
         season("winter of 2023", "2023-WI", "2023-12-01", "2024-02-29")),
]


@pytest.mark.parametrize("published, sentence, expected", SEASON_CASES)
def test_seasons_fresh(published, sentence, expected):
    assert found(sentence, published) == expected


RELATIVE_DAY_AND_LIST_CASES = [
    case(TUE, "He left the day before yesterday.", day("day before yesterday", "2024-06-30")),
    case(TUE, "He leaves the day after tomorrow.", day("day after tomorrow", "2024-07-04")),
    case(TUE, "The grant covers 2024 and 2025.", year("2024", 2024), year("2025", 2025)),
    case(TUE, "Elections were held in 2023 and 2024.", year("2023", 2023), year("2024", 2024)),
    case(TUE, "The plan covers 2024, 2025 or 2026.",
         year("2024", 2024), year("2025", 2025), year("2026", 2026)),
    case(TUE, "The fair will be held on 1, 2 and 3 August.",
         day("1, 2 and 3 August", "2024-08-01", "2024-08-03")),
    case(TUE, "The fair was held on 1, 2 and 3 August.",
         day("1, 2 and 3 August", "2023-08-01", "2023-08-03")),
    case(TUE, "Talks on August 1, 2 and 3 will be held.",
         day("August 1, 2 and 3", "2024-08-01", "2024-08-03")),
    case(TUE, "Strikes on 1, 5 and 9 August 2023.",
         day("1", "2023-08-01"), day("5", "2023-08-05"), day("9 August 2023", "2023-08-09")),
    case(TUE, "Strikes on August 1, 5 and 9, 2023.",
         day("August 1", "2023-08-01"), day("5", "2023-08-05"), day("9, 2023", "2023-08-09")),
]


@pytest.mark.parametrize("published, sentence, expected", RELATIVE_DAY_AND_LIST_CASES)
def test_relative_days_and_lists(published, sentence, expected):
    assert found(sentence, published) == expected


@pytest.mark.parametrize("sentence", [
    "He counted 2000 and 2010 votes.",
    "He scored 1, 2 and 3 points.",
    "The day before the vote, he resigned.",
])
def test_lists_and_days_that_are_not_dates(sentence):
    assert found(sentence, TUE) == []


@pytest.mark.parametrize("token, ends", [
    ("a.m.", False), ("U.S.", False), ("Mr.", False), ("Sept.", False),
    ("said.", True), ("it.\"", True), ("why?", True), ("so;", True), ("Wednesday", False),
])
def test_abbreviations_do_not_end_the_sentence_for_tense(token, ends):
    assert dates._ends_sentence(token.lower()) is ends
