"""Where the views live: tables beside the event log, in the same SQLite file or
PostgreSQL database, so that one setting (``--db``) still chooses everything.

SQL is written once with ``?`` placeholders; the PostgreSQL side rewrites them.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import traceback
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

import orjson

from tracker.storage import is_postgres, persistence_env, prepare

# Bumped whenever a table's shape changes: views are rebuilt from the log, never migrated.
SCHEMA_VERSION = 12
# The name of the views' row in view_tracking: how far they have followed the log.
TRACKING = "views"

TABLES = [
    """CREATE TABLE IF NOT EXISTS view_meta (
        key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS view_tracking (
        name TEXT PRIMARY KEY, position BIGINT NOT NULL)""",
    # Every event but the positions taken, indexed by negotiation: the log as pages and `log`
    # read it (projections/catalog.py), with the positions' own rows, which say the same of
    # nine events in ten of a long log and so need no second row here.
    """CREATE TABLE IF NOT EXISTS view_events (
        position INTEGER PRIMARY KEY, negotiation TEXT NOT NULL, type TEXT NOT NULL, timestamp TEXT NOT NULL,
        delegation TEXT NOT NULL, usr TEXT NOT NULL, aggregate_id TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS view_events_by_negotiation ON view_events (negotiation, position)",
    "CREATE INDEX IF NOT EXISTS view_events_by_time ON view_events (negotiation, timestamp)",
    """CREATE TABLE IF NOT EXISTS view_owners (
        aggregate_id TEXT PRIMARY KEY, negotiation TEXT NOT NULL, kind TEXT NOT NULL) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS view_negotiations (
        slug TEXT PRIMARY KEY, id TEXT NOT NULL, title TEXT NOT NULL, symbol TEXT NOT NULL, mandate TEXT NOT NULL,
        languages TEXT NOT NULL, phases TEXT NOT NULL, rounds TEXT NOT NULL, created BIGINT NOT NULL,
        updated BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS view_delegations (
        negotiation TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        registered BIGINT NOT NULL, PRIMARY KEY (negotiation, code))""",
    # Temporal rows: each version of a thing is valid from the event that made it to the
    # event that replaced it (NULL: still valid). "As at X" is then one indexed query.
    """CREATE TABLE IF NOT EXISTS view_memberships (
        negotiation TEXT NOT NULL, grp TEXT NOT NULL, member TEXT NOT NULL,
        valid_from BIGINT NOT NULL, valid_to BIGINT, joined_at TEXT NOT NULL, left_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS view_memberships_key ON view_memberships (negotiation, member, grp)",
    """CREATE TABLE IF NOT EXISTS view_revisions (
        negotiation TEXT NOT NULL, label TEXT NOT NULL, ord INTEGER NOT NULL, position BIGINT NOT NULL,
        timestamp TEXT NOT NULL, symbol TEXT NOT NULL, issued_on TEXT, round INTEGER, based_on TEXT,
        delegation TEXT NOT NULL, usr TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (negotiation, label))""",
    "CREATE INDEX IF NOT EXISTS view_revisions_by_position ON view_revisions (negotiation, position)",
    """CREATE TABLE IF NOT EXISTS view_revision_paragraphs (
        negotiation TEXT NOT NULL, label TEXT NOT NULL, ord INTEGER NOT NULL, paragraph_id TEXT NOT NULL,
        num TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, level INTEGER NOT NULL,
        footnotes TEXT NOT NULL, match TEXT NOT NULL, PRIMARY KEY (negotiation, label, ord))""",
    "CREATE INDEX IF NOT EXISTS view_revision_paragraphs_by_id ON view_revision_paragraphs (paragraph_id)",
    """CREATE TABLE IF NOT EXISTS view_paragraph_status (
        negotiation TEXT NOT NULL, paragraph_id TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL,
        delegation TEXT NOT NULL, usr TEXT NOT NULL, valid_from BIGINT NOT NULL, valid_to BIGINT)""",
    "CREATE INDEX IF NOT EXISTS view_paragraph_status_key ON view_paragraph_status (paragraph_id, valid_from)",
    "CREATE INDEX IF NOT EXISTS view_paragraph_status_at ON view_paragraph_status (negotiation, valid_from)",
    "CREATE INDEX IF NOT EXISTS view_paragraph_status_closed ON view_paragraph_status (negotiation, valid_to)",
    """CREATE TABLE IF NOT EXISTS view_amendments (
        id TEXT NOT NULL, version INTEGER NOT NULL, negotiation TEXT NOT NULL, base_revision TEXT NOT NULL,
        paragraph_id TEXT NOT NULL, action TEXT NOT NULL, old_text TEXT NOT NULL, new_text TEXT NOT NULL,
        after_paragraph_id TEXT NOT NULL, on_behalf_of TEXT NOT NULL, rationale TEXT NOT NULL, round INTEGER,
        delegation TEXT NOT NULL, status TEXT NOT NULL, decided_in TEXT, decision_note TEXT NOT NULL,
        proposed BIGINT NOT NULL, valid_from BIGINT NOT NULL, valid_to BIGINT,
        PRIMARY KEY (id, version)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS view_amendments_at ON view_amendments (negotiation, valid_from)",
    "CREATE INDEX IF NOT EXISTS view_amendments_open ON view_amendments (negotiation, valid_to)",
    "CREATE INDEX IF NOT EXISTS view_amendments_by_delegation ON view_amendments (negotiation, delegation)",
    # A paragraph's history and blame read its amendments only.
    "CREATE INDEX IF NOT EXISTS view_amendments_by_paragraph ON view_amendments (negotiation, paragraph_id)",
    # One row per position taken: the event's position is the row's key (SQLite's rowid),
    # so the event that replaces it closes it without any secondary index. It is the event's
    # entry in the log too: its time, and who took it when not the delegation holding it.
    """CREATE TABLE IF NOT EXISTS view_positions (
        amendment_id TEXT NOT NULL, negotiation TEXT NOT NULL, delegation TEXT NOT NULL, stance TEXT NOT NULL,
        note TEXT NOT NULL, usr TEXT NOT NULL, round INTEGER, valid_from INTEGER PRIMARY KEY, valid_to BIGINT,
        timestamp TEXT NOT NULL, taken_by TEXT)""",
    # Covering: the positions valid at a moment are read from the index alone.
    "CREATE INDEX IF NOT EXISTS view_positions_key ON view_positions "
    "(amendment_id, valid_from, valid_to, delegation, stance)",
    "CREATE INDEX IF NOT EXISTS view_positions_by_delegation ON view_positions (negotiation, delegation)",
    # What opened and closed between a checkpoint and a moment (projections/checkpoints.py).
    "CREATE INDEX IF NOT EXISTS view_positions_opened ON view_positions (negotiation, valid_from)",
    # Only closed rows: most positions are never replaced, and a NULL costs an entry too.
    "CREATE INDEX IF NOT EXISTS view_positions_closed ON view_positions (negotiation, valid_to) "
    "WHERE valid_to IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS view_positions_by_time ON view_positions (negotiation, timestamp)",
    """CREATE TABLE IF NOT EXISTS view_silence (
        id TEXT NOT NULL, version INTEGER NOT NULL, negotiation TEXT NOT NULL, revision_label TEXT NOT NULL,
        paragraph_ids TEXT NOT NULL, deadline TEXT NOT NULL, note TEXT NOT NULL, status TEXT NOT NULL,
        broken_by TEXT, reason TEXT NOT NULL, valid_from BIGINT NOT NULL, valid_to BIGINT,
        PRIMARY KEY (id, version))""",
    "CREATE INDEX IF NOT EXISTS view_silence_at ON view_silence (negotiation, valid_from)",
    """CREATE TABLE IF NOT EXISTS view_inputs (
        id TEXT PRIMARY KEY, negotiation TEXT NOT NULL, delegation TEXT NOT NULL, usr TEXT NOT NULL,
        paragraph_id TEXT NOT NULL, theme TEXT NOT NULL, text TEXT NOT NULL, position BIGINT NOT NULL,
        timestamp TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS view_inputs_by_negotiation ON view_inputs (negotiation, position)",
    # A whole moment every few thousand events (projections/checkpoints.py). BYTEA: the
    # PostgreSQL name for bytes; SQLite stores bytes as they are under any column type.
    """CREATE TABLE IF NOT EXISTS view_checkpoints (
        negotiation TEXT NOT NULL, position BIGINT NOT NULL, whole INTEGER NOT NULL, data BYTEA NOT NULL,
        PRIMARY KEY (negotiation, position))""",
]

INDEXES = [re.search(r"EXISTS (\w+)", t).group(1) for t in TABLES if t.startswith("CREATE INDEX")]  # type: ignore[union-attr]
# Kept through a rebuild: the lookups it still makes while it writes, on small tables. It
# starts from empty views, so it never looks up positions (see projector.State).
REBUILD_KEEPS = frozenset({"view_paragraph_status_key", "view_memberships_key"})
VIEW_TABLES = [re.search(r"EXISTS (\w+)", t).group(1) for t in TABLES if t.startswith("CREATE TABLE")]  # type: ignore[union-attr]


class ViewDatabase:
    """A connection for the views, with the few SQL differences of the two stores hidden."""

    postgres: bool
    db: str

    @staticmethod
    def open(db: str) -> ViewDatabase:
        return _PostgresViews(db) if is_postgres(db) else _SqliteViews(db)

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One transaction holding the views' write lock: followers in several processes
        take turns, so each event is applied exactly once."""
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def settle(self) -> None:
        """After a rebuild, what the store does better at once than bit by bit later."""

    def create(self, cursor: Any) -> None:
        cursor.execute(TABLES[0])
        cursor.execute("SELECT value FROM view_meta WHERE key = 'schema_version'")
        row = cursor.fetchone()
        if row is None or int(row[0]) != SCHEMA_VERSION:
            # Views of another shape (or none yet): drop them all, with their indexes; the
            # follower rebuilds them from the log, as it would after `tracker rebuild`.
            for table in VIEW_TABLES:
                if table != "view_meta":
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("DELETE FROM view_meta WHERE key = 'schema_version'")
            cursor.execute("INSERT INTO view_meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        for statement in TABLES[1:]:
            cursor.execute(statement)

    def clear(self, cursor: Any, keep: Collection[str] = REBUILD_KEEPS) -> None:
        """Empty every view for a rebuild, and drop the indexes but ``keep``: sorting a
        million keys once at the end (``create``) costs less than a million random B-tree
        inserts, though only the inserts can run while the log is still being projected."""
        for table in VIEW_TABLES:
            if table != "view_meta":
                cursor.execute(f"DELETE FROM {table}")
        if self.postgres:
            # Dropping an index would lock its table against every reader until the rebuild
            # commits; and the server maintains indexes in its own process anyway.
            return
        for name in INDEXES:
            if name not in keep:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


class _SqliteViews(ViewDatabase):
    postgres = False

    def __init__(self, db: str) -> None:
        self.db = db
        env = persistence_env(db)
        prepare(env)
        self.connection = sqlite3.connect(
            env["SQLITE_DBNAME"], isolation_level=None, check_same_thread=False, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        # Views are indexed by random UUIDs: a small page cache makes every insert a disk read.
        self.connection.execute("PRAGMA cache_size=-262144")
        self.connection.execute("PRAGMA temp_store=MEMORY")
        # Checkpoints are blobs of megabytes: read through a mapping of the file, not copied
        # into the page cache page by page.
        self.connection.execute("PRAGMA mmap_size=4294967296")
        with self.write() as cursor:
            self.create(cursor)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Cursor]:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def close(self) -> None:
        self.connection.close()

    def settle(self) -> None:
        # Copy the rebuild out of the WAL into the database, so readers stop looking there.
        self.query("PRAGMA wal_checkpoint(PASSIVE)")


class _PostgresViews(ViewDatabase):
    postgres = True

    def create(self, cursor: Any) -> None:
        super().create(_PgDialect(cursor))
        # Checkpoints come compressed already (projections/checkpoints.py): TOAST would try
        # again, with a slower codec. Set once: it locks the table.
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'view_checkpoints'::regclass "
                       "AND attname = 'data'")
        if cursor.fetchone()[0] != "e":
            cursor.execute("ALTER TABLE view_checkpoints ALTER COLUMN data SET STORAGE EXTERNAL")

    def __init__(self, db: str) -> None:
        import psycopg

        self.db = db
        env = persistence_env(db)
        self.schema = env.get("POSTGRES_SCHEMA", "public")
        self.connection = psycopg.connect(
            host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]), autocommit=True,
        )
        self.connection.execute(f'SET search_path TO "{self.schema}"')
        with self.write() as cursor:
            self.create(cursor)

    @contextmanager
    def write(self) -> Iterator[Any]:
        with self.connection.transaction():
            cursor = _PgCursor(self.connection.cursor())
            # One lock for all view writers of this database: held to the end of the batch.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.tracker_views'))")
            yield cursor

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        # Rows in PostgreSQL's binary form: bytes as they are, not written out in hex (a
        # checkpoint of 1.7 MB arrives in 2.6 ms instead of 10).
        return self.connection.cursor(binary=True).execute(_pg(sql), params).fetchall()

    def close(self) -> None:
        self.connection.close()

    def settle(self) -> None:
        # A rebuild leaves a million new rows and statistics of none: without these the
        # planner takes the log's pages for a few rows (a bitmap scan and a sort of 44,000
        # positions, 18 ms, for the 1,000 the index gives in order) until autovacuum comes.
        for table in VIEW_TABLES:
            self.connection.execute(f"ANALYZE {table}")


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


class _PgDialect:
    """Table definitions written for SQLite, as PostgreSQL spells them."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        # SQLite's rowid alias and its clustered tables have no PostgreSQL spelling.
        sql = sql.replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY").replace(" WITHOUT ROWID", "")
        return self.cursor.execute(sql, params)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()


# A plain INSERT of rows (no ON CONFLICT): what COPY can do instead.
_PLAIN_INSERT = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?, ]+\)")


class _PgCursor:
    """A psycopg cursor that takes the ``?`` placeholders the views are written with."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor.execute(_pg(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        if len(rows) == 1:
            # psycopg's executemany goes through its pipeline, which never finishes sending
            # a message of megabytes (tracker/postgres.py): one row, maybe a checkpoint, goes
            # on its own.
            return self.cursor.execute(_pg(sql), rows[0])
        plain = _PLAIN_INSERT.fullmatch(sql)
        if plain is None:
            return self.cursor.executemany(_pg(sql), rows)
        # Rows in bulk: COPY streams them in one statement, several times faster than an
        # INSERT for each (and a page has thousands).
        with self.cursor.copy(f"COPY {plain[1]} ({plain[2]}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return None

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()


_PLAIN_ONLY = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


class BulkWriter:
    """A cursor whose writes run in a second process, in one transaction holding the
    views' write lock: what a rebuild writes through, so that the SQL (its indexes kept
    as it goes) runs on the second core while this one decodes and projects.

    Writes are buffered and sent a page at a time (``send``); a SELECT waits for every
    write sent before it, so lookups see what the same transaction wrote, as a local
    cursor would. Nothing is visible to anyone else until ``commit``; ``abort`` (or any
    error) leaves the views as they were.

    Pages go out through a thread of their own, a couple queued at most: the writer reads
    the next page only once done with the one before, and the projecting process goes on
    with the page after meanwhile, instead of waiting for the pipe to drain.
    """

    QUEUED = 2

    def __init__(self, db: str) -> None:
        ours, theirs = socket.socketpair()
        # A fresh interpreter that imports only this module: not multiprocessing's spawn,
        # which would run the caller's main script again (one without a __main__ guard
        # would start a second rebuild).
        self._process = subprocess.Popen(
            [sys.executable, "-c", f"from projections.database import _writer_main; _writer_main({theirs.fileno()})"],
            pass_fds=(theirs.fileno(),), env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))})
        theirs.close()
        self._channel = Connection(ours.detach())
        self._channel.send(db)
        self._pending: list[tuple[str, Any, bool]] = []
        self._rows: list[tuple[Any, ...]] = []
        self._outbox: queue.Queue[tuple[Any, ...] | None] = queue.Queue(self.QUEUED)
        self._broken: OSError | None = None
        self._sender = threading.Thread(target=self._send_queued, name="views-bulk-writer-sender", daemon=True)
        self._sender.start()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if sql.lstrip()[:6].upper() == "SELECT":
            self.send()
            self._send(("query", sql, params))
            self._rows = self._reply()
        else:
            self._pending.append((sql, params, False))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._pending.append((sql, rows, True))

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def send(self) -> None:
        """Hand the writes buffered so far to the writer; blocks only while it is still
        busy with the previous page."""
        if self._pending:
            statements: list[Any] = []
            for statement in self._pending:
                try:
                    # Rows of plain values: orjson writes them several times faster than pickle.
                    statements.append(orjson.dumps(statement, option=_PLAIN_ONLY))
                except TypeError:
                    # Anything else (checkpoints' bytes, dates...) goes as it is, as a local
                    # cursor gets it.
                    statements.append(statement)
            self._send(("page", statements))
            self._pending = []

    def commit(self) -> None:
        self.send()
        self._send(("commit",))
        self._reply()
        # The writer goes on to checkpoint the WAL (SQLite) and exits: reap it when it does.
        threading.Thread(target=self._process.wait, name="views-bulk-writer-reaper", daemon=True).start()

    def abort(self) -> None:
        if self._process.poll() is None:
            try:
                self._send(("abort",))
                self._process.wait(timeout=30)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()

    def close(self) -> None:
        if self._sender.is_alive():
            self._outbox.put(None)
            self._sender.join()
        self._channel.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        if self._broken is None:
            self._outbox.put(message)
        if self._broken is not None:
            self._reply()  # the writer's own word on why it stopped listening, when it left one
            raise self._broken

    def _send_queued(self) -> None:
        while (message := self._outbox.get()) is not None:
            if self._broken is None:
                try:
                    self._channel.send(message)
                except OSError as error:
                    self._broken = error

    def _reply(self) -> Any:
        try:
            kind, value = self._channel.recv()
        except EOFError:
            raise RuntimeError("the views' bulk writer stopped without a word") from None
        if kind == "error":
            raise RuntimeError(f"the views' bulk writer failed:\n{value}")
        return value


def _writer_main(fd: int) -> None:
    channel = Connection(fd)
    _write_in_bulk(channel.recv(), channel)


def _write_in_bulk(db: str, channel: Any) -> None:
    """The writer's side of ``BulkWriter``: clear the views, run what arrives, and
    commit on ``commit``."""
    import gc

    # Pages arrive as tens of thousands of small lists and no cycles.
    gc.disable()
    try:
        views = ViewDatabase.open(db)
    except BaseException:
        channel.send(("error", traceback.format_exc()))
        return
    if not views.postgres:
        # Not at commit, in the caller's time: copying the whole transaction from the WAL
        # into the database is done below, after the caller has its answer.
        views.query("PRAGMA wal_autocheckpoint=0")
    failure: str | None = None
    try:
        with views.write() as cursor:
            # Every index kept: its inserts run on this second core while the other
            # projects, where sorting it once the last event is in would run with nothing
            # beside it (on 1M events, the positions' own index, by random amendment ids:
            # 1.8 s more of inserts, 1.6 s less of sorting, the rebuild 2-3 s shorter).
            views.clear(cursor, keep=INDEXES)
            while True:
                message = channel.recv()
                if message[0] == "page":
                    if failure is None:
                        try:
                            for statement in message[1]:
                                sql, data, many = orjson.loads(statement) if type(statement) is bytes else statement
                                if many:
                                    cursor.executemany(sql, data)
                                else:
                                    cursor.execute(sql, data)
                        except Exception:
                            failure = traceback.format_exc()
                elif message[0] == "query":
                    if failure is None:
                        try:
                            cursor.execute(message[1], message[2])
                            channel.send(("rows", cursor.fetchall()))
                            continue
                        except Exception:
                            failure = traceback.format_exc()
                    channel.send(("error", failure))
                elif message[0] == "commit":
                    if failure is not None:
                        raise _Abandoned
                    break
                else:
                    raise _Abandoned
    except _Abandoned:
        if failure is not None:
            channel.send(("error", failure))
    except EOFError:
        pass  # the rebuilding process went away: the transaction is rolled back
    except BaseException:
        channel.send(("error", traceback.format_exc()))
    else:
        channel.send(("done", None))
        # In the background: the caller has its answer.
        views.settle()
    finally:
        views.close()
        channel.close()


class _Abandoned(Exception):
    """Raised inside the writer's transaction to roll it back."""
