"""
Pagination of the public pages with a bounded count.

Django's Paginator counts every row of the list to number the pages: a
COUNT(*) over every live article on the home page, every article of a
popular person on theirs. That is the one statement of a listing whose cost
grows with the archive. CappedPaginator counts at most `cap` rows: the
first pages (where readers are) are numbered as before, and past the cap the
page says "more" and points at the archive, whose month pages are small
enough to count in full and reach every article.
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.utils.functional import cached_property

LISTING_CAP = 1000

# Newest first; articles without a publication time (drafts) last. Live
# articles all have one: for them this is Article's default ordering, in the
# order of PostgreSQL's article_live_newest_idx (whose DESC puts NULLs last,
# where the default ordering's DESC alone would put them first).
NEWEST_FIRST = (F("published_at").desc(nulls_last=True), F("id").desc())
OLDEST_FIRST = (F("published_at").asc(nulls_first=True), F("id").asc())


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` says there are more."""

    cap = LISTING_CAP

    def __init__(self, *args, known_count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if known_count is not None:  # counted already, e.g. by the coverage chart
            self.cap = max(known_count, self.cap)
            self.__dict__["_bounded_count"] = known_count

    @cached_property
    def _bounded_count(self) -> int:
        """The number of items, counting no further than cap + 1."""
        items = self.object_list
        if hasattr(items, "count_at_most"):  # a PreparedList (articles.statements)
            return items.count_at_most(self.cap + 1)
        if hasattr(items, "order_by"):
            # Only the keys: annotations the page shows (counts of tags…) are
            # not computed for rows that are only counted.
            return items.order_by().values("pk")[: self.cap + 1].count()
        return min(len(items), self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._bounded_count > self.cap
