"""The ``tracker`` command: the contract of DESIGN.md plus a command for every domain action."""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from tracker import __version__
from tracker.domain.amendment import ACTIONS, OUTCOMES
from tracker.domain.base import Actor, DomainError
from tracker.domain.negotiation import DELEGATION_KINDS, SECRETARIAT_CODE
from tracker.domain.revision import PARAGRAPH_STATUSES
from tracker.records import dumps, event_record, revision_paragraphs
from tracker.storage import StorageError, resolve_db
from tracker.text.document import FormatError

F = TypeVar("F", bound=Callable[..., Any])

MAX_FILE_BYTES = 20 * 1024 * 1024


class UserError(Exception):
    """Anything the user can fix: printed as one line, exit status 1."""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class TrackerGroup(click.Group):
    """Turns every expected failure into one line on stderr and a non-zero exit."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Not click's standalone mode, which shows a usage error as three lines (usage, a
        # hint, the error): the contract is one.
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()  # a bare ``tracker``: the help, as asked
            sys.exit(error.exit_code)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else "tracker"
            _fail(f"{_one_line(error.format_message())} (see '{command} --help')", status=error.exit_code)
        except click.ClickException as error:
            _fail(_one_line(error.format_message()), status=error.exit_code)
        except click.Abort:
            _fail("aborted")
        # What a command returns is not an exit status; --help and --version return theirs.
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (UserError, DomainError, FormatError, StorageError) as error:
            _fail(_one_line(error))
        except _connection_errors() as error:
            _fail(f"cannot reach the database: {_one_line(error)}")
        except KeyboardInterrupt:
            _fail("interrupted", status=130)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as error:  # noqa: BLE001 - the contract: never a traceback
            if os.environ.get("TRACKER_DEBUG"):
                raise
            _fail(f"internal error ({type(error).__name__}): {_one_line(error)}; set TRACKER_DEBUG=1 for details")


def _fail(message: str, status: int = 1) -> None:
    click.echo(f"tracker: {message}", err=True)
    sys.exit(status)


def _connection_errors() -> tuple[type[BaseException], ...]:
    from eventsourcing.persistence import OperationalError

    errors: list[type[BaseException]] = [OperationalError]
    try:
        import psycopg
        import psycopg_pool

        errors += [psycopg.OperationalError, psycopg_pool.PoolTimeout]
    except ImportError:
        pass
    import sqlite3

    errors.append(sqlite3.OperationalError)
    return tuple(errors)


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="SQLite file (default ./tracker.sqlite) or postgresql:// URL; also TRACKER_DB.",
)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Negotiation text tracker: every action in a negotiation, recorded as an event."""
    ctx.obj = _Context(resolve_db(db))


class _Context:
    def __init__(self, db: str) -> None:
        self.db = db
        self._tracker: Any = None
        self._read_model: Any = None

    @property
    def tracker(self) -> Any:
        if self._tracker is None:
            from tracker.application import Tracker

            self._tracker = Tracker.open(self.db)
        return self._tracker

    def read_model(self, catch_up: bool = True) -> Any:
        """The read side, caught up with the log. It sits above this package: found by name."""
        if self._read_model is None:
            from importlib.metadata import entry_points

            found = entry_points(group="tracker.readside", name="readmodel")
            if not found:
                raise UserError("the read side is not installed (entry point tracker.readside:readmodel)")
            self._read_model = next(iter(found)).load().open(self.db, tracker=self.tracker)
            if catch_up:
                self._read_model.catch_up()
        return self._read_model


pass_ctx = click.make_pass_decorator(_Context)


# --- shared options ----------------------------------------------------------------------


def negotiation_option(f: F) -> F:
    return click.option("--negotiation", "-n", "slug", required=True, metavar="SLUG", help="The negotiation.")(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(f)


def acting(default: str | None = None) -> Callable[[F], F]:
    """``--as`` and ``--user``: who acts. Taken from options, then TRACKER_AS / TRACKER_USER."""

    def decorate(f: F) -> F:
        @click.option(
            "--as",
            "delegation",
            metavar="CODE",
            envvar="TRACKER_AS",
            default=default,
            required=default is None,
            show_default=bool(default),
            help="The delegation acted for.",
        )
        @click.option("--user", metavar="NAME", envvar="TRACKER_USER", help="Who is at the keyboard (default: login name).")
        @wraps(f)
        def wrapper(*args: Any, delegation: str, user: str | None, **kwargs: Any) -> Any:
            return f(*args, actor=Actor(delegation=delegation, user=user or _login()), **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


@cache
def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _emit(value: Any, as_json: bool, human: str | Callable[[], str]) -> None:
    if as_json:
        sys.stdout.buffer.write(dumps(value) + b"\n")
    else:
        click.echo(human() if callable(human) else human)


def _recorded(position: int, as_json: bool, what: str, **extra: Any) -> None:
    _emit({"position": position, **extra}, as_json, f"{what} (log position {position})")


def _parse_date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"bad {what} {value!r}: use YYYY-MM-DD") from None


# A position in the log: SQLite's and PostgreSQL's largest integer at most.
POSITION = click.IntRange(0, 2**63 - 1)
PORT = click.IntRange(0, 65535)


def _parse_moment(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"bad {what} {value!r}: use an ISO time such as 2026-03-01T18:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the contract --------------------------------------------------------------------------


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@negotiation_option
@click.option("--label", required=True, help='The revision\'s label ("Zero draft", "Rev 1").')
@click.option(
    "--format", "fmt", type=click.Choice(["auto", "akn", "md", "txt", "docx"]), default="auto", show_default=True
)
@click.option("--symbol", default="", help="Document symbol; default: read from the file.")
@click.option("--date", "issued", metavar="YYYY-MM-DD", help="Date of the revision; default: read from the file.")
@click.option("--round", "round_number", type=int, help="The round it was issued for.")
@click.option("--title", default="", help="Title of a new negotiation; default: the file's title.")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def import_(
    ctx: _Context, file: Path, slug: str, label: str, fmt: str, symbol: str, issued: str | None,
    round_number: int | None, title: str, as_json: bool, actor: Actor,
) -> None:
    """Publish FILE as the next revision of a negotiation (created if new)."""
    from tracker.application import source_of
    from tracker.formats import read_document

    data = _read_file(file)
    document = read_document(data, format=fmt, filename=file.name)
    detected = fmt if fmt != "auto" else _detected(data, file.name)
    position = ctx.tracker.publish_revision(
        slug,
        label,
        document,
        actor,
        symbol=symbol,
        issued_on=_parse_date(issued, "date"),
        round_number=round_number,
        source=source_of(data, file.name, detected),
        title=title,
    )
    revision = ctx.tracker.revision(slug, label)
    methods: dict[str, int] = {}
    for p in revision.paragraphs:
        methods[p["match"]["method"]] = methods.get(p["match"]["method"], 0) + 1
    summary = ", ".join(f"{n} {m}" for m, n in sorted(methods.items()))
    _emit(
        {"negotiation": slug, "label": label, "position": position, "paragraphs": len(revision.paragraphs), "matching": methods},
        as_json,
        f"{slug}: published {label!r}, {len(revision.paragraphs)} paragraphs ({summary}); log position {position}",
    )


def _detected(data: bytes, filename: str) -> str:
    from tracker.formats import detect_format

    return detect_format(data, filename)


def _read_file(file: Path) -> bytes:
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(f"{file}: {size} bytes is more than the {MAX_FILE_BYTES // 1024 // 1024} MB limit")
        return file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{file}: is a folder") from None
    except PermissionError:
        raise UserError(f"{file}: permission denied") from None


@main.command()
@negotiation_option
@json_option
@pass_ctx
def revisions(ctx: _Context, slug: str, as_json: bool) -> None:
    """List the published revisions, oldest first."""
    listed = [
        {
            "label": p.label,
            "position": p.position,
            "timestamp": p.timestamp,
            "symbol": p.revision.symbol,
            "date": p.revision.issued_on,
            "round": p.revision.round_number,
            "based_on": p.revision.based_on,
            "paragraphs": len(p.revision.paragraphs),
            "published_by": p.revision.published_by,
        }
        for p in ctx.tracker.published(slug)
    ]
    _emit(
        {"negotiation": slug, "revisions": listed},
        as_json,
        lambda: "\n".join(f"{r['position']:>8}  {r['label']}  ({r['paragraphs']} paragraphs)" for r in listed)
        or f"{slug}: no revisions",
    )


@main.command()
@negotiation_option
@click.option("--label", help="A published revision (default: the latest).")
@click.option("--at", "at", metavar="POSITION_OR_ISO_TIME", help="The text as it stood just after that event.")
@json_option
@pass_ctx
def show(ctx: _Context, slug: str, label: str | None, at: str | None, as_json: bool) -> None:
    """Print a revision's text, or the working text at a moment of the log."""
    if label and at:
        raise UserError("give --label or --at, not both")
    if at:
        read = ctx.read_model()
        if at.isascii() and at.isdigit():
            position = int(at)
            if position > POSITION.max:  # type: ignore[operator]
                raise UserError(f"bad position {at}: positions in the log go up to {POSITION.max}")
            shown = read.at(slug, position)
        else:
            shown = read.at_time(slug, _parse_moment(at, "time"))
        _emit(shown, as_json, lambda: _describe_moment(shown))
        return
    revision = ctx.tracker.revision(slug, label)
    _emit(
        {"negotiation": slug, "label": revision.label, "paragraphs": revision_paragraphs(revision.paragraphs)},
        as_json,
        lambda: "\n\n".join(f"{p['num']} {p['text']}".strip() for p in revision.paragraphs),
    )


def _describe_moment(shown: dict[str, Any]) -> str:
    lines = [f"{shown['negotiation']} just after event {shown['position']}: "
             f"{shown['label'] or 'no revision yet'}, {len(shown['amendments'])} pending amendments", ""]
    lines += [f"{p['num']} {p['text']}".strip() + ("" if p["status"] == "open" else f"  [{p['status']}]")
              for p in shown["paragraphs"]]
    return "\n".join(lines)


@main.command()
@click.option("--negotiation", "-n", "slug", metavar="SLUG", help="The negotiation (FROM and TO are labels).")
@click.option("--files", "files", is_flag=True, help="FROM and TO are files, compared directly by their text.")
@click.argument("from_ref", metavar="FROM")
@click.argument("to_ref", metavar="TO")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text", "html"]), default=None, help="Output format (default: text)."
)
@click.option("--lang", metavar="CODE", help="Language of the texts, for HTML (default: the negotiation's first).")
@json_option
@pass_ctx
def diff(
    ctx: _Context, slug: str | None, files: bool, from_ref: str, to_ref: str, fmt: str | None, lang: str | None,
    as_json: bool,
) -> None:
    """The redline between two revisions (or, with --files, two files), paragraph by paragraph."""
    from tracker.text import render
    from tracker.text.redline import redline_cached

    if as_json and fmt not in (None, "json"):
        raise UserError(f"--json and --format {fmt} disagree: give one")
    fmt = "json" if as_json else fmt or "text"
    if lang is not None and not _LANGUAGE_TAG.match(lang):
        raise UserError(f"bad language {lang!r}: use a code such as en, fr, ar or zh")
    if files == bool(slug):
        raise UserError("give --negotiation SLUG FROM_LABEL TO_LABEL, or --files OLD_FILE NEW_FILE")
    if files:
        (old, old_label, old_lang), (new, new_label, new_lang) = _diff_file(from_ref), _diff_file(to_ref)
        result = redline_cached(old, new, by_id=False)
        lang = lang or new_lang or old_lang or "en"
    else:
        old_revision = ctx.tracker.revision(slug, from_ref)
        new_revision = ctx.tracker.revision(slug, to_ref)
        old, old_label = old_revision.paragraphs, old_revision.label
        new, new_label = new_revision.paragraphs, new_revision.label
        result = redline_cached(old, new)
        if fmt == "html" and lang is None:
            lang = (ctx.tracker.negotiation(slug).languages or ["en"])[0]
    if fmt == "json":
        _emit(render.as_json(result, old_label, new_label), True, "")
    elif fmt == "html":
        click.echo(render.html_page(result, lang or "en", f"{old_label} → {new_label}"), nl=False)
    else:
        click.echo(render.as_text(result))


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


def _diff_file(name: str) -> tuple[list[dict[str, Any]], str, str]:
    """A file's paragraphs as the redline reads them, its name as the label, its language.

    Ids are positions ("1" is the first paragraph): files carry none, and the JSON's
    ``from_id``/``to_id`` still tell which paragraph of each file an entry is about.
    """
    from tracker.formats import read_document

    path = Path(name)
    document = read_document(_read_file(path), format="auto", filename=path.name)
    paragraphs = [
        {"id": str(n), "num": p.num, "text": p.text, "kind": p.kind}
        for n, p in enumerate(document.paragraphs, start=1)
    ]
    return paragraphs, path.name, document.language


@main.command()
@negotiation_option
@json_option
@pass_ctx
def log(ctx: _Context, slug: str, as_json: bool) -> None:
    """Every event of the negotiation, oldest first (JSON Lines with --json)."""
    out = sys.stdout.buffer
    for position, domain_event in ctx.tracker.log(slug):
        record = event_record(position, domain_event)
        if as_json:
            out.write(dumps(record) + b"\n")
        else:
            actor = record["actor"] or {}
            out.write(
                f"{position:>8}  {record['timestamp']:%Y-%m-%d %H:%M:%S}  {record['type']:<28} "
                f"{actor.get('delegation', '')}/{actor.get('user', '')}\n".encode()
            )


@main.command()
@negotiation_option
@click.option("--delegation", "code", required=True, metavar="CODE")
@json_option
@pass_ctx
def positions(ctx: _Context, slug: str, code: str, as_json: bool) -> None:
    """Everything a delegation proposed, supported, opposed, co-sponsored and withdrew."""
    record = ctx.read_model().delegation(slug, code)
    _emit(record, as_json, lambda: _describe_record(record))


def _describe_record(record: dict[str, Any]) -> str:
    d = record["delegation"]
    lines = [f"{d['code']} ({d['name']}, {d['kind'].replace('_', ' ')})"]
    lines += [f"  member of {m['group']} from event {m['from']}" + (f" to {m['to']}" if m["to"] else "")
              for m in record["memberships"]]
    lines += [f"  proposed {p['action']} on paragraph {p['num'] or p['paragraph_id'][:8]} "
              f"({p['status'].replace('_', ' ')})" for p in record["proposed"]]
    lines += [f"  {p['stance'].replace('_', '-')} {p['proposer']}'s {p['action']} on paragraph "
              f"{p['num'] or p['paragraph_id'][:8]}" + ("" if p["current"] else " (no longer)")
              for p in record["positions"]]
    return "\n".join(lines)


@main.command()
@negotiation_option
@click.option("--at", "at", metavar="POSITION", type=POSITION, help="As it stood just after that event.")
@json_option
@pass_ctx
def compilation(ctx: _Context, slug: str, at: int | None, as_json: bool) -> None:
    """The compilation text: each paragraph with its pending proposals, attributed."""
    compiled = ctx.read_model().compilation(slug, at)

    def human() -> str:
        lines = [f"{compiled['label']} with {compiled['totals']['proposals']} pending proposals, "
                 f"{compiled['totals']['brackets']} brackets", ""]
        for p in compiled["paragraphs"]:
            lines.append(f"{p['num']} {p['text']}".strip() + ("" if p["status"] == "open" else f"  [{p['status']}]"))
            if p["attribution"]:
                lines.append(f"    >> {p['attribution']}")
        return "\n".join(lines)

    _emit(compiled, as_json, human)


@main.command()
@negotiation_option
@json_option
@pass_ctx
def progress(ctx: _Context, slug: str, as_json: bool) -> None:
    """Paragraphs agreed, bracketed and open, brackets and amendments, per revision and round."""
    data = ctx.read_model().progress(slug)

    def human() -> str:
        lines = [f"{'revision':<14}{'agreed':>8}{'bracketed':>11}{'open':>7}{'brackets':>10}  amendments"]
        for r in data["revisions"]:
            amendments = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(r["amendments"].items()))
            lines.append(f"{r['label']:<14}{r['agreed_ad_ref']:>8}{r['bracketed']:>11}{r['open']:>7}"
                         f"{r['brackets']:>10}  {amendments}")
        return "\n".join(lines)

    _emit(data, as_json, human)


@main.command()
@negotiation_option
@click.option("--label", required=True, help="The revision.")
@json_option
@pass_ctx
def blame(ctx: _Context, slug: str, label: str, as_json: bool) -> None:
    """Every span of a revision's text, traced to the amendment or revision that brought it in."""
    data = ctx.read_model().blame(slug, label)

    def human() -> str:
        lines = []
        for p in data["paragraphs"]:
            parts = [f"{s['text']}<{s['label'] if s['kind'] == 'revision' else s['delegation']}>" for s in p["spans"]]
            lines.append(f"{p['num']} {''.join(parts)}".strip())
        return "\n\n".join(lines)

    _emit(data, as_json, human)


@main.command()
@pass_ctx
def rebuild(ctx: _Context) -> None:
    """Drop every view and rebuild it from the event log."""
    import time

    started = time.perf_counter()
    applied = ctx.read_model(catch_up=False).rebuild()
    seconds = time.perf_counter() - started
    click.echo(f"rebuilt the views from {applied} events in {seconds:.2f} s")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests (one per core for a busy deployment).")
@pass_ctx
def serve(ctx: _Context, host: str, port: int, workers: int) -> None:
    """Serve the tracker over HTTP (the web UI)."""
    from importlib.metadata import entry_points

    # The web package sits above this one: it is found by name, never imported here.
    found = entry_points(group="tracker.web", name="serve")
    if not found:
        raise UserError("the web UI is not installed (entry point tracker.web:serve is missing)")
    click.echo(f"tracker: serving {ctx.db} on http://{host}:{port}/", err=True)
    next(iter(found)).load()(ctx.db, host, port, workers)


# --- negotiations, phases, rounds ----------------------------------------------------------


@main.group()
def negotiation() -> None:
    """Create, change and inspect negotiations."""


@negotiation.command("create")
@negotiation_option
@click.option("--title", required=True)
@click.option("--symbol", default="")
@click.option("--mandate", default="", help="The mandate, e.g. the resolution that set up the process.")
@click.option("--language", "languages", multiple=True, default=("en",), show_default=True, help="Repeat for each.")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def negotiation_create(
    ctx: _Context, slug: str, title: str, symbol: str, mandate: str, languages: tuple[str, ...], as_json: bool,
    actor: Actor,
) -> None:
    """Start a negotiation (its secretariat, code SECRETARIAT, comes with it)."""
    position = ctx.tracker.create_negotiation(slug, title, actor, symbol, mandate, languages)
    _recorded(position, as_json, f"created negotiation {slug!r}", negotiation=slug)


@negotiation.command("update")
@negotiation_option
@click.option("--title")
@click.option("--symbol")
@click.option("--mandate")
@click.option("--language", "languages", multiple=True)
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def negotiation_update(
    ctx: _Context, slug: str, title: str | None, symbol: str | None, mandate: str | None,
    languages: tuple[str, ...], as_json: bool, actor: Actor,
) -> None:
    """Change a negotiation's title, symbol, mandate or languages."""
    position = ctx.tracker.change_negotiation(
        slug, actor, title=title, symbol=symbol, mandate=mandate, languages=list(languages) or None
    )
    _recorded(position, as_json, f"updated negotiation {slug!r}")


@negotiation.command("list")
@json_option
@pass_ctx
def negotiation_list(ctx: _Context, as_json: bool) -> None:
    """Every negotiation in the database."""
    listed = [
        {"slug": n.slug, "title": n.title, "symbol": n.symbol, "revisions": len(n.revision_labels)}
        for n in ctx.tracker.negotiations()
    ]
    _emit(listed, as_json, lambda: "\n".join(f"{n['slug']}  {n['title']}" for n in listed) or "no negotiations")


@negotiation.command("show")
@negotiation_option
@json_option
@pass_ctx
def negotiation_show(ctx: _Context, slug: str, as_json: bool) -> None:
    """A negotiation's details, phases, rounds, delegations and revisions."""
    n = ctx.tracker.negotiation(slug)
    info = {
        "slug": n.slug,
        "title": n.title,
        "symbol": n.symbol,
        "mandate": n.mandate,
        "languages": n.languages,
        "phases": n.phases,
        "rounds": n.rounds,
        "delegations": list(n.delegations.values()),
        "memberships": n.memberships,
        "revisions": n.revision_labels,
    }
    _emit(info, as_json, lambda: _describe_negotiation(info))


def _describe_negotiation(info: dict[str, Any]) -> str:
    lines = [f"{info['title']} ({info['slug']}{', ' + info['symbol'] if info['symbol'] else ''})"]
    lines += [f"  round {r['number']}: {r['starts']} to {r['ends']}, {r['venue']} [{r['status']}]" for r in info["rounds"]]
    lines.append(f"  {len(info['delegations'])} delegations; revisions: {', '.join(info['revisions']) or 'none'}")
    return "\n".join(lines)


@main.group("phase")
def phase() -> None:
    """Phases of the process (consultations, negotiations, adoption)."""


@phase.command("add")
@negotiation_option
@click.option("--name", required=True)
@click.option("--starts", metavar="YYYY-MM-DD")
@click.option("--ends", metavar="YYYY-MM-DD")
@click.option("--description", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def phase_add(
    ctx: _Context, slug: str, name: str, starts: str | None, ends: str | None, description: str, as_json: bool,
    actor: Actor,
) -> None:
    """Add a phase."""
    position = ctx.tracker.add_phase(
        slug, name, actor, _parse_date(starts, "start date"), _parse_date(ends, "end date"), description
    )
    _recorded(position, as_json, f"added phase {name!r}")


@main.group("round")
def round_() -> None:
    """Schedule, open and close rounds of negotiations."""


@round_.command("schedule")
@negotiation_option
@click.option("--number", type=int, required=True)
@click.option("--starts", required=True, metavar="YYYY-MM-DD")
@click.option("--ends", required=True, metavar="YYYY-MM-DD")
@click.option("--venue", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def round_schedule(
    ctx: _Context, slug: str, number: int, starts: str, ends: str, venue: str, as_json: bool, actor: Actor
) -> None:
    """Schedule a round."""
    position = ctx.tracker.schedule_round(
        slug, number, _parse_date(starts, "start date"), _parse_date(ends, "end date"), venue, actor
    )
    _recorded(position, as_json, f"scheduled round {number}")


@round_.command("open")
@negotiation_option
@click.argument("number", type=int)
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def round_open(ctx: _Context, slug: str, number: int, as_json: bool, actor: Actor) -> None:
    """Open a scheduled round."""
    _recorded(ctx.tracker.open_round(slug, number, actor), as_json, f"opened round {number}")


@round_.command("close")
@negotiation_option
@click.argument("number", type=int)
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def round_close(ctx: _Context, slug: str, number: int, as_json: bool, actor: Actor) -> None:
    """Close an open round."""
    _recorded(ctx.tracker.close_round(slug, number, actor), as_json, f"closed round {number}")


# --- delegations and groups --------------------------------------------------------------


@main.group()
def delegation() -> None:
    """Register delegations and groups, and who belongs to which group."""


@delegation.command("register")
@negotiation_option
@click.option("--code", required=True, help="MEX, EU, G77 ...")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(DELEGATION_KINDS), default="member_state", show_default=True)
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def delegation_register(ctx: _Context, slug: str, code: str, name: str, kind: str, as_json: bool, actor: Actor) -> None:
    """Register a delegation."""
    _recorded(ctx.tracker.register_delegation(slug, code, name, kind, actor), as_json, f"registered {code}")


@delegation.command("join")
@negotiation_option
@click.argument("member")
@click.argument("group")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def delegation_join(ctx: _Context, slug: str, member: str, group: str, as_json: bool, actor: Actor) -> None:
    """MEMBER joins GROUP."""
    _recorded(ctx.tracker.join_group(slug, member, group, actor), as_json, f"{member} joined {group}")


@delegation.command("leave")
@negotiation_option
@click.argument("member")
@click.argument("group")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def delegation_leave(ctx: _Context, slug: str, member: str, group: str, as_json: bool, actor: Actor) -> None:
    """MEMBER leaves GROUP."""
    _recorded(ctx.tracker.leave_group(slug, member, group, actor), as_json, f"{member} left {group}")


@delegation.command("list")
@negotiation_option
@json_option
@pass_ctx
def delegation_list(ctx: _Context, slug: str, as_json: bool) -> None:
    """Every delegation, with its groups."""
    n = ctx.tracker.negotiation(slug)
    listed = [{**d, "groups": n.groups_of(d["code"]), "members": n.members_of(d["code"])} for d in n.delegations.values()]
    _emit(listed, as_json, lambda: "\n".join(f"{d['code']:<12} {d['kind']:<13} {d['name']}" for d in listed))


# --- paragraphs and silence procedures ---------------------------------------------------


@main.group()
def paragraph() -> None:
    """Paragraph status: bracketed, agreed ad ref, re-opened."""


@paragraph.command("mark")
@negotiation_option
@click.argument("paragraph_ref", metavar="PARAGRAPH")
@click.argument("status", type=click.Choice(PARAGRAPH_STATUSES))
@click.option("--note", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def paragraph_mark(
    ctx: _Context, slug: str, paragraph_ref: str, status: str, note: str, as_json: bool, actor: Actor
) -> None:
    """Set PARAGRAPH (its id, or its number in the latest revision) to STATUS."""
    position = ctx.tracker.mark_paragraph(slug, paragraph_ref, status, actor, note)
    _recorded(position, as_json, f"paragraph {paragraph_ref} is now {status.replace('_', ' ')}")


@main.group()
def silence() -> None:
    """Silence procedures: open with a deadline, break, conclude."""


@silence.command("open")
@negotiation_option
@click.option("--deadline", required=True, metavar="ISO_TIME")
@click.option("--paragraph", "paragraphs", multiple=True, help="Repeat; none: the whole text.")
@click.option("--note", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def silence_open(
    ctx: _Context, slug: str, deadline: str, paragraphs: tuple[str, ...], note: str, as_json: bool, actor: Actor
) -> None:
    """Put text under a silence procedure until the deadline."""
    procedure_id, position = ctx.tracker.open_silence(
        slug, _parse_moment(deadline, "deadline"), actor, paragraphs, note
    )
    _recorded(position, as_json, f"opened silence procedure {procedure_id}", id=str(procedure_id))


@silence.command("break")
@negotiation_option
@click.argument("procedure_id")
@click.option("--reason", required=True)
@json_option
@acting()
@pass_ctx
def silence_break(ctx: _Context, slug: str, procedure_id: str, reason: str, as_json: bool, actor: Actor) -> None:
    """Break silence (for the acting delegation)."""
    position = ctx.tracker.break_silence(slug, procedure_id, reason, actor)
    _recorded(position, as_json, f"{actor.delegation} broke silence")


@silence.command("conclude")
@negotiation_option
@click.argument("procedure_id")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def silence_conclude(ctx: _Context, slug: str, procedure_id: str, as_json: bool, actor: Actor) -> None:
    """Record that silence held past the deadline: its paragraphs become agreed ad ref."""
    _recorded(ctx.tracker.conclude_silence(slug, procedure_id, actor), as_json, "silence procedure passed")


# --- amendments ---------------------------------------------------------------------------


@main.group()
def amendment() -> None:
    """Propose, revise, support, oppose, co-sponsor, withdraw and decide amendments."""


@amendment.command("propose")
@negotiation_option
@click.argument("paragraph_ref", metavar="PARAGRAPH")
@click.argument("action", type=click.Choice(ACTIONS))
@click.option("--old", "old_text", default="", help="The words replaced, deleted, or inserted after.")
@click.option("--new", "new_text", default="", help="The new words, or the new paragraph.")
@click.option("--after", default="", help="For a move: the paragraph it goes after.")
@click.option("--on-behalf-of", default="", metavar="GROUP")
@click.option("--rationale", default="")
@click.option("--base", "base_label", help="Base revision (default: the latest).")
@json_option
@acting()
@pass_ctx
def amendment_propose(
    ctx: _Context, slug: str, paragraph_ref: str, action: str, old_text: str, new_text: str, after: str,
    on_behalf_of: str, rationale: str, base_label: str | None, as_json: bool, actor: Actor,
) -> None:
    """Propose ACTION on PARAGRAPH (its id, or its number in the base revision)."""
    amendment_id, position = ctx.tracker.propose(
        slug, paragraph_ref, action, actor, old_text=old_text, new_text=new_text, after=after,
        on_behalf_of=on_behalf_of, rationale=rationale, base_label=base_label,
    )
    _recorded(position, as_json, f"proposed amendment {amendment_id}", id=str(amendment_id))


@amendment.command("revise")
@negotiation_option
@click.argument("amendment_id")
@click.option("--old", "old_text")
@click.option("--new", "new_text")
@click.option("--rationale")
@json_option
@acting()
@pass_ctx
def amendment_revise(
    ctx: _Context, slug: str, amendment_id: str, old_text: str | None, new_text: str | None,
    rationale: str | None, as_json: bool, actor: Actor,
) -> None:
    """Revise one's own amendment."""
    position = ctx.tracker.revise_amendment(
        slug, amendment_id, actor, old_text=old_text, new_text=new_text, rationale=rationale
    )
    _recorded(position, as_json, f"revised amendment {amendment_id}")


def _stance_command(name: str, stance: str, doc: str) -> None:
    @amendment.command(name, help=doc)
    @negotiation_option
    @click.argument("amendment_id")
    @click.option("--note", default="")
    @json_option
    @acting()
    @pass_ctx
    def command(ctx: _Context, slug: str, amendment_id: str, note: str, as_json: bool, actor: Actor) -> None:
        position = ctx.tracker.take_position(slug, amendment_id, stance, actor, note)
        _recorded(position, as_json, f"{actor.delegation} {stance.replace('_', '-')} {amendment_id}")


_stance_command("support", "supports", "Support another delegation's amendment.")
_stance_command("oppose", "opposes", "Oppose an amendment.")
_stance_command("cosponsor", "co_sponsors", "Co-sponsor an amendment.")
_stance_command("reserve", "reserves", "Reserve one's position on an amendment.")


@amendment.command("unposition")
@negotiation_option
@click.argument("amendment_id")
@json_option
@acting()
@pass_ctx
def amendment_unposition(ctx: _Context, slug: str, amendment_id: str, as_json: bool, actor: Actor) -> None:
    """Drop the acting delegation's position on an amendment."""
    _recorded(ctx.tracker.drop_position(slug, amendment_id, actor), as_json, f"{actor.delegation} dropped its position")


@amendment.command("withdraw")
@negotiation_option
@click.argument("amendment_id")
@click.option("--reason", default="")
@json_option
@acting()
@pass_ctx
def amendment_withdraw(ctx: _Context, slug: str, amendment_id: str, reason: str, as_json: bool, actor: Actor) -> None:
    """Withdraw one's own amendment."""
    _recorded(ctx.tracker.withdraw_amendment(slug, amendment_id, actor, reason), as_json, f"withdrew {amendment_id}")


@amendment.command("decide")
@negotiation_option
@click.argument("amendment_id")
@click.argument("outcome", type=click.Choice(OUTCOMES))
@click.option("--revision", "revision_label", help="The revision that settles it (default: the latest).")
@click.option("--note", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def amendment_decide(
    ctx: _Context, slug: str, amendment_id: str, outcome: str, revision_label: str | None, note: str,
    as_json: bool, actor: Actor,
) -> None:
    """Record what became of an amendment in a revision."""
    position = ctx.tracker.decide_amendment(slug, amendment_id, outcome, actor, revision_label, note)
    _recorded(position, as_json, f"amendment {amendment_id}: {outcome.replace('_', ' ')}")


@amendment.command("show")
@negotiation_option
@click.argument("amendment_id")
@json_option
@pass_ctx
def amendment_show(ctx: _Context, slug: str, amendment_id: str, as_json: bool) -> None:
    """One amendment as it stands."""
    a = ctx.tracker.amendment(slug, amendment_id)
    info = {
        "id": str(a.id),
        "delegation": a.delegation,
        "on_behalf_of": a.on_behalf_of,
        "base_revision": a.base_revision,
        "paragraph_id": a.paragraph_id,
        "action": a.action,
        "old_text": a.old_text,
        "new_text": a.new_text,
        "after_paragraph_id": a.after_paragraph_id,
        "rationale": a.rationale,
        "round": a.round_number,
        "status": a.status,
        "positions": a.positions,
        "decision": a.decision,
    }
    _emit(info, as_json, lambda: "\n".join(f"{k}: {v}" for k, v in info.items()))


# --- stakeholder inputs ------------------------------------------------------------------


@main.group("input")
def input_() -> None:
    """Stakeholder inputs: recorded and attributed, never amending the text."""


@input_.command("submit")
@negotiation_option
@click.option("--text", required=True)
@click.option("--paragraph", "paragraph_ref", default="", help="The paragraph it is about.")
@click.option("--theme", default="", help="Or the theme it is about.")
@json_option
@acting()
@pass_ctx
def input_submit(
    ctx: _Context, slug: str, text: str, paragraph_ref: str, theme: str, as_json: bool, actor: Actor
) -> None:
    """Submit a stakeholder input."""
    input_id, position = ctx.tracker.submit_input(slug, text, actor, paragraph=paragraph_ref, theme=theme)
    _recorded(position, as_json, f"recorded input {input_id}", id=str(input_id))


# --- demo ------------------------------------------------------------------------------------


@main.command()
@click.argument("names", nargs=-1, type=click.Choice(["paris", "migrants"]))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), envvar="TRACKER_DATA",
              help="Folder of real texts (default: ../shared/data beside the repository).")
@click.option("--serve/--no-serve", "then_serve", default=False, help="Serve the UI afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@pass_ctx
def demo(
    ctx: _Context, names: tuple[str, ...], data_dir: Path | None, then_serve: bool, host: str, port: int
) -> None:
    """Build the demo negotiations NAMES (default: all) from the real texts, or a sample
    negotiation when they are absent, and print a summary."""
    from tracker.demo import build_demo

    for line in build_demo(ctx.tracker, data_dir, names):
        click.echo(line)
    if then_serve:
        click.get_current_context().invoke(serve, host=host, port=port)


# --- user accounts (the web's sign-in) ------------------------------------------------------


@main.group()
def user() -> None:
    """User accounts for the web UI: the first secretariat user is made here."""


def _new_password(from_stdin: bool) -> str:
    from tracker.passwords import check_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise UserError("no terminal to ask for the password on: pipe it in with --password-stdin")
    return check_password(password)


def _hashed(password: str) -> str:
    from tracker.passwords import hash_password

    return hash_password(password)


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["delegate", "secretariat", "stakeholder"]), required=True)
@click.option("--delegation", "code", required=True, metavar="CODE",
              help="The delegation the user acts for (SECRETARIAT, COFAC, MEX ...).")
@click.option("--name", default="", help="The person's name (default: the username).")
@click.option("--password-stdin", "from_stdin", is_flag=True, help="Read the password from the first line of stdin.")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def user_add(
    ctx: _Context, username: str, role: str, code: str, name: str, from_stdin: bool, as_json: bool, actor: Actor
) -> None:
    """Register USERNAME, who signs in to the web with a password."""
    password_hash = _hashed(_new_password(from_stdin))
    position = ctx.tracker.register_user(username, name or username, role, code, password_hash, actor)
    _recorded(position, as_json, f"registered user {username.strip().lower()} ({role} for {code})",
              username=username.strip().lower())


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", "from_stdin", is_flag=True, help="Read the password from the first line of stdin.")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def user_passwd(ctx: _Context, username: str, from_stdin: bool, as_json: bool, actor: Actor) -> None:
    """Set a new password for USERNAME."""
    ctx.tracker.account(username)
    position = ctx.tracker.change_password(username, _hashed(_new_password(from_stdin)), actor)
    _recorded(position, as_json, f"changed the password of {username}")


@user.command("disable")
@click.argument("username")
@click.option("--reason", default="")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def user_disable(ctx: _Context, username: str, reason: str, as_json: bool, actor: Actor) -> None:
    """Stop USERNAME from signing in (their sessions end at once)."""
    _recorded(ctx.tracker.disable_user(username, actor, reason), as_json, f"disabled {username}")


@user.command("enable")
@click.argument("username")
@json_option
@acting(default=SECRETARIAT_CODE)
@pass_ctx
def user_enable(ctx: _Context, username: str, as_json: bool, actor: Actor) -> None:
    """Let a disabled USERNAME sign in again."""
    _recorded(ctx.tracker.enable_user(username, actor), as_json, f"enabled {username}")


@user.command("list")
@json_option
@pass_ctx
def user_list(ctx: _Context, as_json: bool) -> None:
    """Every account (never the password hashes)."""
    listed = [
        {"username": a.username, "name": a.name, "role": a.role, "delegation": a.delegation, "disabled": a.disabled}
        for a in ctx.tracker.accounts()
    ]
    _emit({"users": listed}, as_json, lambda: "\n".join(
        f"{u['username']:<20} {u['role']:<12} {u['delegation']:<12} {u['name']}"
        + (" (disabled)" if u["disabled"] else "") for u in listed) or "no users")
