import datetime

import pytest

from articles.date_display import describe, machine_readable, phrase_html

D = datetime.date


@pytest.mark.parametrize("precision, start, end, value, mod, phrase, machine", [
    ("day", D(2024, 7, 5), D(2024, 7, 5), "2024-07-05", "", "5 July 2024", "2024-07-05"),
    ("day", D(2024, 7, 5), D(2024, 7, 6), "2024-07-05", "", "5–6 July 2024", ""),
    ("day", D(2024, 6, 30), D(2024, 7, 2), "2024-06-30", "", "30 June – 2 July 2024", ""),
    ("day", D(2023, 12, 30), D(2024, 1, 2), "2023-12-30", "", "30 December 2023 – 2 January 2024", ""),
    ("month", D(2024, 7, 1), D(2024, 7, 31), "2024-07", "", "July 2024", "2024-07"),
    ("month", D(2023, 1, 1), D(2023, 2, 28), "2023", "START", "January–February 2023", ""),
    ("month", D(2023, 11, 1), D(2024, 2, 29), "2023-11", "", "November 2023 – February 2024", ""),
    ("year", D(2023, 1, 1), D(2023, 12, 31), "2023", "", "2023", "2023"),
    ("year", D(2024, 1, 1), D(2028, 12, 31), "2024", "", "2024–2028", ""),
    ("year", D(2024, 1, 1), D(2024, 4, 30), "2024", "START", "early 2024", ""),
    ("year", D(2024, 1, 1), D(2024, 12, 31), "2024", "APPROX", "around 2024", ""),
    ("year", D(2024, 9, 1), D(2024, 12, 31), "2024", "END", "late 2024", ""),
    ("decade", D(1990, 1, 1), D(1999, 12, 31), "199", "", "the 1990s", ""),
    ("decade", D(1990, 1, 1), D(1999, 12, 31), "199", "MID", "the mid-1990s", ""),
    ("decade", D(1990, 1, 1), D(1994, 12, 31), "199", "START", "the early 1990s", ""),
    ("week", D(2024, 7, 1), D(2024, 7, 7), "2024-W27", "", "the week of 1 July 2024", ""),
    ("quarter", D(2024, 1, 1), D(2024, 3, 31), "2024-Q1", "", "the first quarter of 2024", ""),
    ("half", D(2024, 7, 1), D(2024, 12, 31), "2024-H2", "", "the second half of 2024", ""),
    ("season", D(2024, 6, 1), D(2024, 8, 31), "2024-SU", "", "summer 2024", ""),
    ("quarter", D(2024, 1, 1), D(2024, 3, 31), "nonsense", "", "1 January – 31 March 2024", ""),
])
def test_a_mention_reads_exactly_as_precisely_as_it_was_written(precision, start, end, value, mod,
                                                                phrase, machine):
    fields = {"precision": precision, "date_from": start, "date_to": end, "value": value, "mod": mod}
    assert describe(**fields) == phrase
    assert machine_readable(**fields) == machine
    # As the article page and the timeline show it: a <time> when it is exact enough.
    assert phrase_html(**fields) == (f'<time datetime="{machine}" class="date-phrase">{phrase}</time>'
                                     if machine else f'<span class="date-phrase">{phrase}</span>')
