"""Where the views live: tables beside the event log, in the same SQLite file or
PostgreSQL database, so that one setting (``--db``) still chooses everything.

SQL is written once with ``?`` placeholders; the PostgreSQL side rewrites them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tracker.storage import is_postgres, persistence_env

# Bumped whenever a table's shape changes: views are rebuilt from the log, never migrated.
SCHEMA_VERSION = 3

TABLES = [
    """CREATE TABLE IF NOT EXISTS view_meta (
        key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS view_tracking (
        name TEXT PRIMARY KEY, position BIGINT NOT NULL)""",
    # Every event, indexed by negotiation: the log as pages and `log` read it.
    """CREATE TABLE IF NOT EXISTS view_events (
        position INTEGER PRIMARY KEY, negotiation TEXT NOT NULL, type TEXT NOT NULL, timestamp TEXT NOT NULL,
        delegation TEXT NOT NULL, usr TEXT NOT NULL, aggregate_id TEXT NOT NULL, version INTEGER NOT NULL)""",
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
    """CREATE TABLE IF NOT EXISTS view_positions (
        amendment_id TEXT NOT NULL, negotiation TEXT NOT NULL, delegation TEXT NOT NULL, stance TEXT NOT NULL,
        note TEXT NOT NULL, usr TEXT NOT NULL, round INTEGER, valid_from BIGINT NOT NULL, valid_to BIGINT)""",
    # Covering: the positions valid at a moment are read from the index alone.
    "CREATE INDEX IF NOT EXISTS view_positions_key ON view_positions "
    "(amendment_id, valid_from, valid_to, delegation, stance)",
    "CREATE INDEX IF NOT EXISTS view_positions_by_delegation ON view_positions (negotiation, delegation)",
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
]

INDEXES = [re.search(r"EXISTS (\w+)", t).group(1) for t in TABLES if t.startswith("CREATE INDEX")]  # type: ignore[union-attr]
# What the projector itself looks rows up by while it writes: these stay during a rebuild.
WRITE_INDEXES = {"view_positions_key", "view_paragraph_status_key", "view_memberships_key"}
READ_INDEXES = [name for name in INDEXES if name not in WRITE_INDEXES]
VIEW_TABLES = [re.search(r"EXISTS (\w+)", t).group(1) for t in TABLES if t.startswith("CREATE TABLE")]  # type: ignore[union-attr]


class ViewDatabase:
    """A connection for the views, with the few SQL differences of the two stores hidden."""

    postgres: bool

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


class _SqliteViews(ViewDatabase):
    postgres = False

    def __init__(self, db: str) -> None:
        path = persistence_env(db)["SQLITE_DBNAME"]
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        # Views are indexed by random UUIDs: a small page cache makes every insert a disk read.
        self.connection.execute("PRAGMA cache_size=-262144")
        self.connection.execute("PRAGMA temp_store=MEMORY")
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


class _PostgresViews(ViewDatabase):
    postgres = True

    def create(self, cursor: Any) -> None:
        super().create(_PgDialect(cursor))

    def __init__(self, db: str) -> None:
        import psycopg

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
        return self.connection.execute(_pg(sql), params).fetchall()

    def close(self) -> None:
        self.connection.close()


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


class _PgCursor:
    """A psycopg cursor that takes the ``?`` placeholders the views are written with."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.cursor.execute(_pg(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self.cursor.executemany(_pg(sql), rows)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()
