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

A statement may take parameters of its own (a record's slug or id, a page's
date), declared with their types (`params={"slug": str}`) and found the same
way: two sample values each, one per compilation. A parameter that shapes the
SQL rather than filling a place in it (a list's length, a branch taken) is
refused likewise; such variants are statements of their own. A statement
whose `build` takes no `now` does not depend on the time.

On PostgreSQL the server keeps each statement parsed and planned, once per
connection (prepared_cursor()): a record's page spent a fifth of its
database time planning statements that never change.
"""

import datetime
import functools
import inspect
import threading

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router

_FIRST = datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
_SECOND = datetime.datetime(2002, 3, 4, 5, 6, 7, 8, tzinfo=datetime.UTC)


# Two sample values per type of parameter, one per compilation; the
# parameter's index is added so that no two parameters share a sample.
_SAMPLES = {
    int: (lambda i: 7_000_000_001 + i, lambda i: 8_000_000_003 + i),
    str: (lambda i: f"\x1fstatement-{i}-first", lambda i: f"\x1fstatement-{i}-second"),
    datetime.date: (lambda i: datetime.date(1001, 1, 1 + i), lambda i: datetime.date(1002, 2, 2 + i)),
}


def _adapt(connection, kind, value):
    if kind is datetime.date:
        return connection.ops.adapt_datefield_value(value)
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value


def prepared_cursor(connection):
    """connection.cursor(), except on PostgreSQL with prepared statements on
    (OPTIONS["prepare_threshold"] set, as settings do unless
    DATABASE_PREPARED_STATEMENTS=0): a cursor binding parameters on the
    server and preparing each statement it executes, which the connection
    then keeps (psycopg keeps the hundred most recent). Only for statements
    whose SQL repeats, as a Statement's does: each new SQL is one more
    prepared statement. The server plans a prepared statement for its
    parameters the first five times, then keeps a generic plan if that
    costs no more. Django's own cursors bind on the client and prepare
    nothing."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import ClientCursor

    class Logged:
        """The statement as Django's debug cursor logs it (reading
        `cursor._query.query`), its parameters in place: made on demand."""

        def __init__(self, connection, sql, params):
            self.connection, self.sql, self.params = connection, sql, params

        @property
        def query(self) -> bytes:
            return ClientCursor(self.connection).mogrify(self.sql, self.params).encode()

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            super().execute(query, params, prepare=prepare, binary=binary)
            self._query = Logged(self.connection, query, params)
            return self

    return PreparingCursor


class _Compiled:
    def __init__(self, sql, params, slots, converters):
        # slots: (position in params, name of the argument, its type)
        self.sql, self.params, self.slots, self.converters = sql, params, slots, converters


class Statement:
    """`build(now, **params)` returns a queryset of values_list() rows;
    `params` declares build's own arguments and their types (int, str,
    datetime.date); `template`, if given, wraps its SQL ("{sql}" marks the
    place) and may take parameters of its own after the queryset's.
    `prepare=False` keeps it from being prepared (prepared_cursor()): for a
    statement whose best plan depends on its parameters' values so much
    that a generic plan, should the server choose one, would be ruinous."""

    def __init__(self, build, template: str = "{sql}", *, params: dict | None = None, prepare: bool = True):
        self.build = build
        self.template = template
        self.prepare = prepare
        self.params = dict(params or {})
        if unknown := {kind for kind in self.params.values() if kind not in _SAMPLES}:
            raise ImproperlyConfigured(f"Statement params cannot be of type {unknown}.")
        self.uses_now = "now" in inspect.signature(build).parameters
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, now, *extra, using: str | None = None, **params) -> list[tuple]:
        """The rows of the statement at `now` (None for a statement that
        does not depend on it) with `params`, converted as the ORM would;
        `extra` are the template's own parameters."""
        if params.keys() != self.params.keys():
            raise TypeError(f"This statement takes {sorted(self.params)}, not {sorted(params)}.")
        using = using or router.db_for_read(self.model)
        compiled = self._compiled.get(using) or self._prepare(using)
        connection = connections[using]
        values = dict(params, now=now)
        bound = list(compiled.params)
        for slot, name, kind in compiled.slots:
            bound[slot] = _adapt(connection, kind, values[name])
        with (prepared_cursor(connection) if self.prepare else connection.cursor()) as cursor:
            cursor.execute(compiled.sql, [*bound, *extra])
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

    def instances(self, now, *extra, using: str | None = None, **params) -> list:
        """The rows as instances of the queryset's model, whose values_list()
        names only fields of it by their attnames ("id", "parent_id"): the
        others are deferred."""
        using = using or router.db_for_read(self.model)
        names, order = self._fields
        rows = self.rows(now, *extra, using=using, **params)
        if order:  # Model.from_db() takes values in the model's order of fields
            rows = [[row[i] for i in order] for row in rows]
        return [self.model.from_db(using, names, row) for row in rows]

    @functools.cached_property
    def _fields(self) -> tuple[list[str], list[int] | None]:
        """The fields of instances() in the model's order, and where each is
        in a row (None: where it already is)."""
        names = list(self._queryset(0)[0].query.values_select)
        position = {field.attname: i for i, field in enumerate(self.model._meta.concrete_fields)}
        if unknown := set(names) - set(position):
            raise ImproperlyConfigured(f"Not fields of {self.model.__name__}: {unknown}.")
        order = sorted(range(len(names)), key=lambda i: position[names[i]])
        return [names[i] for i in order], (None if order == sorted(order) else order)

    def _queryset(self, sample: int):
        arguments = {name: _SAMPLES[kind][sample](i) for i, (name, kind) in enumerate(self.params.items())}
        if self.uses_now:
            arguments["now"] = (_FIRST, _SECOND)[sample]
        return self.build(**arguments), arguments

    @functools.cached_property
    def model(self):
        return self._queryset(0)[0].model

    def _prepare(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            connection = connections[using]
            (first_qs, first_args), (second_qs, second_args) = self._queryset(0), self._queryset(1)
            first = first_qs.query.get_compiler(using=using)
            sql, params = first.as_sql()
            second_sql, second_params = second_qs.query.get_compiler(using=using).as_sql()
            kinds = dict(self.params, now=datetime.datetime)
            samples = {name: (_adapt(connection, kinds[name], first_args[name]),
                              _adapt(connection, kinds[name], second_args[name])) for name in first_args}
            slots = []
            if sql != second_sql or len(params) != len(second_params):
                raise ImproperlyConfigured(
                    "This statement cannot be prepared: its SQL changes with its arguments.")
            for i, pair in enumerate(zip(params, second_params)):
                if pair[0] == pair[1]:
                    continue
                names = [name for name, sample in samples.items() if sample == pair]
                if len(names) != 1:
                    raise ImproperlyConfigured(
                        "This statement cannot be prepared: an argument (`now` or a parameter) "
                        "is not a plain parameter of its SQL.")
                slots.append((i, names[0], kinds[names[0]]))
            if missing := set(samples) - {name for _, name, _ in slots}:
                raise ImproperlyConfigured(
                    f"This statement cannot be prepared: {', '.join(sorted(missing))} "
                    "not found among its SQL's parameters (`now` ignored?).")
            converters = sorted(
                first.get_converters([column for column, _, _ in first.select]).items())
            compiled = _Compiled(self.template.format(sql=sql), tuple(params), slots, converters)
            self._compiled[using] = compiled
            return compiled


class PagedRows:
    """Rows read a page at a time, by a slice (as Django's Paginator reads
    a list): `read(limit, offset)` gives them, `finish(rows)` makes them
    the list's items."""

    def finish(self, rows):
        return rows

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None or (index.start or 0) < 0:
            raise TypeError(f"A {type(self).__name__} is read a page at a time, by a slice.")
        start = index.start or 0
        if index.stop is None or index.stop <= start:
            return []
        return self.finish(self.read(index.stop - start, start))

    def read(self, limit: int, offset: int) -> list:
        raise NotImplementedError


class PreparedList(PagedRows):
    """A list of rows that Django's Paginator (articles.pagination) can page
    through: `count_at_most(n)` runs the count statement, a slice the page
    statement (whose template ends in LIMIT %s OFFSET %s), both with
    `params`. The time is the list's creation, the same for the count and
    the page."""

    def __init__(self, page: Statement, count: Statement, now, *, finish=None, params=None):
        self.page_statement, self.count_statement, self.now = page, count, now
        if finish:
            self.finish = finish
        self.params = params or {}

    def count_at_most(self, limit: int) -> int:
        return self.count_statement.rows(self.now, limit, **self.params)[0][0]

    def read(self, limit: int, offset: int) -> list:
        return self.page_statement.rows(self.now, limit, offset, **self.params)


def count_statement(select, params=None, *, prepare: bool = True) -> Statement:
    """How many rows `select(now, **params)` (a queryset) gives, up to a
    bound given per call."""
    return Statement(lambda now, **values: select(now, **values).order_by().values_list("pk"),
                     template="SELECT COUNT(*) FROM ({sql} LIMIT %s) AS bounded", params=params,
                     prepare=prepare)
