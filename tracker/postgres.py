"""The PostgreSQL event store, as the library makes it but for one thing: how a save is sent.

Imported only when ``--db`` is a ``postgresql://`` URL (``storage.persistence_env`` names
``Recorder`` by its topic), so that SQLite deployments need no PostgreSQL driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry


class Recorder(PostgresApplicationRecorder):
    """Sends a save's statements one after the other instead of in psycopg's pipeline.

    In pipeline mode a message of more than ~10 MB never arrives whole: psycopg waits for
    the results while the rest of the message is still unsent, and the server waits for
    that rest, for ever (seen with psycopg 3.2 and 3.3, its C and Python implementations).
    One save of a long revision (the Published event holds the whole text) reaches that.
    Sent one by one, in the same transaction, the statements cost a few round trips more
    per save, and nothing hangs.
    """

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.get_connection() as connection, connection.transaction(), connection.cursor() as cursor:
            # The same steps as the library's, in its order: the hook for what a subclass
            # records beside the events, the table lock and notification, the events.
            self._insert_events(cursor, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(cursor, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)
