"""
Reads from a replica, writes to the primary.

With DATABASE_REPLICA_URL set, settings add a "replica" database (a streaming
replica of the primary) and reads go there, except:

- inside a transaction on the primary: what a transaction reads must be
  consistent with what it writes, and it may hold locks a replica cannot see;
- for the rest of a request (or of a management command's work, or of a
  thread) after it wrote anything: a replica lags by some milliseconds, and an
  editor who saves and then reloads must see the save.

Without a replica every method answers None and Django uses "default": the
router is inert. Migrations run on the primary only; the replica follows.
"""

import contextvars

from django.core.signals import request_finished, request_started
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"

_wrote = contextvars.ContextVar("newsroom_wrote_to_primary", default=False)


def has_replica() -> bool:
    return REPLICA in connections.settings


def forget_writes(**kwargs) -> None:
    """Receiver of request_started/finished: a new request reads from the
    replica again."""
    _wrote.set(False)


def reads_follow_writes():
    """Reads of this context go to the primary from now on."""
    _wrote.set(True)


request_started.connect(forget_writes, dispatch_uid="newsroom.routers.forget_writes")
request_finished.connect(forget_writes, dispatch_uid="newsroom.routers.forget_writes_after")


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not has_replica():
            return None
        if _wrote.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            # Related objects of an instance read from (or saved to) the primary.
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        if not has_replica():
            return None
        reads_follow_writes()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if not has_replica():
            return None
        # Both databases hold the same rows.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if not has_replica():
            return None
        return db == PRIMARY
