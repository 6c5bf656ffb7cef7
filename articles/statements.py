"""
Statements prepared once per process: a queryset's SQL, compiled by the ORM
the first time it is needed and then executed with each request's `now`.

The busiest lists ask the same question on every request (live articles,
newest first, one page of them) and differ only in the time that decides
what is live (live_q()) and in the page. Building and compiling that
queryset, and turning its rows into model instances, was most of what an
unfiltered list cost once the articles' renditions were stored. A Statement
keeps the ORM as the only author of the SQL (the one definition of live is
still live_q()) and does that work once.

How `now` is re-bound: the queryset is built and compiled twice, with two
different instants; the parameters that differ are the places of `now`, and
each request puts there what the backend's own adapter makes of its time. A
statement whose SQL changes with the instant, or whose differing parameters
are not that adapter's values, refuses to prepare (ImproperlyConfigured)
rather than guess.
"""

import datetime
import functools
import threading

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router

_FIRST = datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
_SECOND = datetime.datetime(2002, 3, 4, 5, 6, 7, 8, tzinfo=datetime.UTC)


class _Compiled:
    def __init__(self, sql, params, slots, converters):
        self.sql, self.params, self.slots, self.converters = sql, params, slots, converters


class Statement:
    """`build(now)` returns a queryset of values_list() rows; `template`, if
    given, wraps its SQL ("{sql}" marks the place) and may take parameters of
    its own after the queryset's."""

    def __init__(self, build, template: str = "{sql}"):
        self.build = build
        self.template = template
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, now, *extra, using: str | None = None) -> list[tuple]:
        """The rows of the statement at `now`, converted as the ORM would;
        `extra` are the template's own parameters."""
        using = using or router.db_for_read(self.model)
        compiled = self._compiled.get(using) or self._prepare(using)
        connection = connections[using]
        params = list(compiled.params)
        adapted = connection.ops.adapt_datetimefield_value(now)
        for slot in compiled.slots:
            params[slot] = adapted
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [*params, *extra])
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in compiled.converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted

    @functools.cached_property
    def model(self):
        return self.build(_FIRST).model

    def _prepare(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            connection = connections[using]
            first = self.build(_FIRST).query.get_compiler(using=using)
            sql, params = first.as_sql()
            second_sql, second_params = self.build(_SECOND).query.get_compiler(using=using).as_sql()
            slots = [i for i, (a, b) in enumerate(zip(params, second_params)) if a != b]
            adapt = connection.ops.adapt_datetimefield_value
            if (sql != second_sql or len(params) != len(second_params) or not slots
                    or any(params[i] != adapt(_FIRST) or second_params[i] != adapt(_SECOND)
                           for i in slots)):
                raise ImproperlyConfigured(
                    "This statement cannot be prepared: `now` is not a plain parameter of its SQL.")
            converters = sorted(
                first.get_converters([column for column, _, _ in first.select]).items())
            compiled = _Compiled(self.template.format(sql=sql), tuple(params), slots, converters)
            self._compiled[using] = compiled
            return compiled


class PreparedList:
    """A list of rows that Django's Paginator (articles.pagination) can page
    through: `count_at_most(n)` runs the count statement, a slice the page
    statement (whose template ends in LIMIT %s OFFSET %s). The time is the
    list's creation, the same for the count and the page."""

    def __init__(self, page: Statement, count: Statement, now, *, finish=None):
        self.page_statement, self.count_statement, self.now = page, count, now
        self.finish = finish or (lambda rows: rows)

    def count_at_most(self, limit: int) -> int:
        return self.count_statement.rows(self.now, limit)[0][0]

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None or (index.start or 0) < 0:
            raise TypeError("A PreparedList is read a page at a time, by a slice.")
        start = index.start or 0
        if index.stop is None or index.stop <= start:
            return []
        return self.finish(self.page_statement.rows(self.now, index.stop - start, start))
