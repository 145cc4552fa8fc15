"""One setting chooses the event store: a SQLite file path or a ``postgresql://`` URL.

``--db`` or ``TRACKER_DB``; the default is ``./tracker.sqlite``. Everything else in the
program is the same on both.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DB = "tracker.sqlite"
ENV_VAR = "TRACKER_DB"
# SQLite's pages are 4 KiB unless a new file says otherwise. With 16 KiB the checkpoints
# (blobs of megabytes: projections/checkpoints.py) are a quarter as many overflow pages to
# write, read and free, and the views' indexes are shallower: a rebuild of a million
# events ran ~12% faster, commands no slower. A file has its page size from its first
# page on: an existing one keeps its own.
SQLITE_PAGE_SIZE = 16 * 1024
_SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(ValueError):
    """A --db value that cannot name an event store."""


def resolve_db(db: str | None) -> str:
    return db or os.environ.get(ENV_VAR) or DEFAULT_DB


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def prepare(env: dict[str, str]) -> None:
    """What the store of these settings (``persistence_env``) needs before anything
    connects to it: a SQLite file that is not there yet (or is empty) made with
    ``SQLITE_PAGE_SIZE``, and any other refused unless it is one. Nothing for PostgreSQL."""
    if env["PERSISTENCE_MODULE"] != "eventsourcing.sqlite":
        return
    path = Path(env["SQLITE_DBNAME"])
    if path.exists() and path.stat().st_size:
        try:
            with path.open("rb") as file:
                header = file.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StorageError(f"cannot read the database file {str(path)!r}: {error.strerror}") from None
        if header != _SQLITE_HEADER:
            raise StorageError(f"{str(path)!r} is not a SQLite database")
        return
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        # Writes the first page, which fixes the page size; in WAL mode, as the store keeps it.
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def persistence_env(db: str) -> dict[str, str]:
    """The eventsourcing settings for ``db``."""
    common = {
        "TRANSCODER_TOPIC": "tracker.transcoder:OrjsonTranscoder",
        "CREATE_TABLE": "y",
    }
    if is_postgres(db):
        return common | _postgres_env(db)
    if "://" in db:
        scheme = db.split("://", 1)[0]
        raise StorageError(f"unsupported database URL scheme {scheme!r}: use a file path or postgresql://")
    path = Path(db).expanduser()
    if path.is_dir():
        raise StorageError(f"database path {db!r} is a folder, expected a file")
    if not path.parent.exists():
        raise StorageError(f"folder {str(path.parent)!r} for the database does not exist")
    return common | {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def _postgres_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise StorageError("the PostgreSQL URL names no database: postgresql://USER@HOST:PORT/DBNAME")
    try:
        port = parts.port or 5432
    except ValueError as error:
        raise StorageError(f"bad port in the PostgreSQL URL: {error}") from None
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or os.environ.get("PGUSER", "postgres")),
        "POSTGRES_PASSWORD": unquote(parts.password or os.environ.get("PGPASSWORD", "")),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        # The library's recorder, sending a save without psycopg's pipeline (see there).
        "APPLICATION_RECORDER_TOPIC": "tracker.postgres:Recorder",
    }
    schema = parse_qs(parts.query).get("schema")
    if schema:
        env["POSTGRES_SCHEMA"] = schema[0]
    return env
