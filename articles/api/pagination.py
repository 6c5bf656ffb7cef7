"""
Pagination: page numbers everywhere, and a keyset cursor for deep crawls of
the article list. Every response is {"count", "count_exact", "next",
"previous", "results"}. A page that does not exist, a page size out of range
or a broken cursor is a 400 naming the parameter; nothing is silently clamped.

Counting is bounded: past COUNT_CAP results, `count` is COUNT_CAP and
`count_exact` false (numbered pages stop there; the cursor goes on). An
exact count of a million-article archive costs seconds on every request, and
it is the only part of a page whose cost grows with the archive.
"""

import base64
import binascii
import datetime
import json
import typing

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from articles import facets
from articles.pagination import LISTING_CAP, NEWEST_FIRST, OLDEST_FIRST, CappedPaginator

from .permissions import sees_unpublished

COUNT_CAP = LISTING_CAP


class ApiPaginator(CappedPaginator):
    cap = COUNT_CAP


class PagePagination(PageNumberPagination):
    """?page=N&page_size=M: 20 a page by default, at most 100."""

    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    django_paginator_class = ApiPaginator
    invalid_page_message = "There is no page {page_number}: {message}."

    def query_parameters(self) -> set[str]:
        return {self.page_query_param, self.page_size_query_param}

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"Give a whole number from 1 to {self.max_page_size}, not {raw!r}."
            ]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]}) from None

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.count,
            "count_exact": not paginator.capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"How many results; counted up to {COUNT_CAP:,} (see count_exact).")
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"False when there are more than {COUNT_CAP:,} results: count is "
                           f"then {COUNT_CAP:,}, and the numbered pages stop there (use "
                           "pagination=cursor to go further).",
        }
        response["required"] = ["count", "count_exact", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "in": "query", "required": False,
             "description": "Page number, from 1.",
             "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "in": "query", "required": False,
             "description": f"Results per page: {self.page_size} unless given, at most "
                            f"{self.max_page_size} (more is a 400, not clamped).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]


def after(published_at, pk) -> Q:
    """Dated rows that come after (published_at, pk) in NEWEST_FIRST order
    (after a dated position, the undated drafts come too, fetched apart).
    The bound on published_at comes first and alone, so that the index scan
    starts at the position instead of at the newest article."""
    if published_at is None:
        return Q(published_at__isnull=True, id__lt=pk)
    return Q(published_at__lte=published_at) & (Q(published_at__lt=published_at) | Q(id__lt=pk))


def before(published_at, pk) -> Q:
    """Rows that come before (published_at, pk) in NEWEST_FIRST order."""
    if published_at is None:
        return Q(published_at__isnull=False) | Q(published_at__isnull=True, id__gt=pk)
    return Q(published_at__gte=published_at) & (Q(published_at__gt=published_at) | Q(id__gt=pk))


class Position(typing.NamedTuple):
    """An article's place in the list, as the cursor encodes it."""

    published_at: datetime.datetime
    pk: int


class ArticlePagination(PagePagination):
    """Page numbers, or with ?pagination=cursor a keyset cursor over
    (-published_at, -id): the next page starts after the last article seen, so
    page 10,000 costs what page 1 does and articles published meanwhile
    neither repeat nor go missing. Follow the next/previous links; the
    cursor itself is opaque."""

    cursor_query_param = "cursor"
    mode_query_param = "pagination"

    def query_parameters(self) -> set[str]:
        return super().query_parameters() | {self.cursor_query_param, self.mode_query_param}

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        default = "cursor" if self.cursor_query_param in params else "page"
        mode = params.get(self.mode_query_param, default)
        if mode not in ("page", "cursor"):
            raise ValidationError({self.mode_query_param: ["Choose 'page' or 'cursor'."]})
        self.mode = mode
        if mode == "page":
            if self.cursor_query_param in params:
                raise ValidationError({self.cursor_query_param: [
                    "A cursor needs pagination=cursor."]})
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in params:
            raise ValidationError({self.page_query_param: [
                "Cursor pagination follows next/previous links, not page numbers."]})
        if params.get("ordering", "-published_at") != "-published_at":
            raise ValidationError({"ordering": [
                "Cursor pagination is by publication time, newest first (-published_at)."]})
        return self.paginate_by_cursor(queryset, request)

    def paginate_by_cursor(self, queryset, request):
        self.request = request
        size = self.get_page_size(request)
        position, backwards = self.decode(request.query_params.get(self.cursor_query_param))
        self.counter = ApiPaginator(queryset, size)
        if isinstance(queryset, facets.FacetList):
            return self.paginate_facets(queryset, position, backwards, size)
        if backwards:
            rows = list(queryset.filter(before(*position)).order_by(*OLDEST_FIRST)[: size + 1])
            has_previous, has_next = len(rows) > size, True
            rows = rows[:size][::-1]
        else:
            page = queryset.filter(after(*position)) if position is not None else queryset
            rows = list(page.order_by(*NEWEST_FIRST)[: size + 1])
            if (position is not None and position[0] is not None and len(rows) <= size
                    and sees_unpublished(request.user)):
                # Past the dated articles, editors' drafts (no publication
                # time) follow, newest first. The public's lists are live
                # articles, all dated: for them this query never runs.
                undated = queryset.filter(published_at__isnull=True).order_by("-id")
                rows += list(undated[: size + 1 - len(rows)])
            has_previous, has_next = position is not None, len(rows) > size
            rows = rows[:size]
        self.next_cursor = self.encode(rows[-1], backwards=False) if has_next and rows else None
        self.previous_cursor = (self.encode(rows[0], backwards=True) if has_previous and rows
                                else None)
        return rows

    def paginate_facets(self, articles, position, backwards, size):
        """paginate_by_cursor() for a facets.FacetList: the cursor's
        position bounds the index's walk. Counted first: how many matches
        there are decides how PostgreSQL reads the page."""
        articles.few = not self.counter.capped
        if position is not None:
            try:
                bound = facets.position(position[0] or facets.FIRST_PUBLICATION, position[1])
            except OverflowError:
                raise ValidationError({self.cursor_query_param: [
                    "Invalid cursor: follow the next and previous links as they are."]}) from None
        if backwards:
            articles = articles.after_position(bound)
            rows, positions = articles[: size + 1], articles.positions
            has_previous, has_next = len(positions) > size, True
            rows, positions = rows[:size][::-1], positions[:size][::-1]
        else:
            if position is not None:
                articles = articles.before_position(bound)
            rows, positions = articles[: size + 1], articles.positions
            has_previous, has_next = position is not None, len(positions) > size
            rows, positions = rows[:size], positions[:size]
        self.next_cursor = (self.encode(Position(*facets.published_and_id(positions[-1])), backwards=False)
                            if has_next and positions else None)
        self.previous_cursor = (self.encode(Position(*facets.published_and_id(positions[0])), backwards=True)
                                if has_previous and positions else None)
        return rows

    def get_paginated_response(self, data):
        if self.mode == "page":
            return super().get_paginated_response(data)
        return Response({
            "count": self.counter.count,
            "count_exact": not self.counter.capped,
            "next": self.cursor_link(self.next_cursor),
            "previous": self.cursor_link(self.previous_cursor),
            "results": data,
        })

    def cursor_link(self, cursor):
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        url = replace_query_param(url, self.mode_query_param, "cursor")
        return replace_query_param(url, self.cursor_query_param, cursor)

    @staticmethod
    def encode(article, *, backwards: bool) -> str:
        published = article.published_at.isoformat() if article.published_at else None
        raw = json.dumps([published, article.pk, int(backwards)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor):
        """((published_at, pk), backwards) of a cursor, or (None, False) for the first page."""
        if cursor is None:
            return None, False
        invalid = ValidationError({self.cursor_query_param: [
            "Invalid cursor: follow the next and previous links as they are."]})
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            published, pk, backwards = json.loads(raw)
            if published is not None:
                published = parse_datetime(published)
                if published is None or published.tzinfo is None:
                    raise invalid
        except (ValueError, TypeError, binascii.Error):
            raise invalid from None
        if type(pk) is not int or not 0 < pk < 2**63 or backwards not in (0, 1):
            raise invalid
        return (published, pk), bool(backwards)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {"name": self.mode_query_param, "in": "query", "required": False,
             "description": "'page' (numbered pages, the default) or 'cursor' (a keyset "
                            "cursor over (-published_at, -id), for deep crawls).",
             "schema": {"type": "string", "enum": ["page", "cursor"]}},
            {"name": self.cursor_query_param, "in": "query", "required": False,
             "description": "Opaque position, from the next/previous links of a "
                            "pagination=cursor response.",
             "schema": {"type": "string"}},
        ]
