"""Every page a user reaches by following links from ``/``, on the demo negotiations (real
texts), for observers and for each role signed in: each answers (200, or a deliberate
redirect), is well-formed HTML with ``lang`` and a strict Content-Security-Policy, has a
label on every form control and nothing inline that the policy would block, a JSON twin
that parses, and no link to a page that does not exist.

A few pages of each kind of URL are fetched; beyond that, a link is checked against the
record (a paragraph, delegation or revision the negotiation has; a log position it has)
instead of being fetched, so that the crawl stays quick on texts of hundreds of paragraphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

import orjson
import pytest
from lxml import etree, html
from starlette.routing import Match
from starlette.testclient import TestClient

from tracker.application import Tracker
from tracker.demo import DEMO_USERS, build_demo
from web.app import create_app

from realdata import DATA, need_data

# Pages fetched per kind of URL: enough to meet each kind on both negotiations.
PER_KIND = 3
# Path segments followed by an identifier (a revision's label may hold "/").
RESOURCES = ("revisions", "paragraphs", "delegations", "amendments")
LABELLED = ("input", "select", "textarea")
UNLABELLED_INPUTS = ("hidden", "submit", "button", "reset", "image")
ROLES = ("", *(u.username for u in DEMO_USERS))
ROLE_OF = {u.username: u.role for u in DEMO_USERS}

# What everyone reaches, and what each role reaches besides.
READING = {
    "/", "/{slug}", "/{slug}/revisions/*", "/{slug}/compare", "/{slug}/compare?from&to",
    "/{slug}/compare?from&to&view", "/{slug}/compare?from&paragraph&to", "/{slug}/compare?from&paragraph&to&view",
    "/{slug}/paragraphs/*", "/{slug}/delegations", "/{slug}/delegations/*", "/{slug}/compilation",
    "/{slug}/replay", "/{slug}/replay?at", "/{slug}/search?q", "/{slug}/amendments/*", "/{slug}/inputs",
}
BY_ROLE = {
    "": {"/-/login?next"},
    "secretariat": {"/-/account", "/-/users", "/{slug}/-/compile", "/{slug}/-/publish", "/{slug}/-/silence",
                    "/{slug}/-/delegations"},
    "delegate": {"/-/account", "/{slug}/paragraphs/*/propose", "/{slug}/-/silence"},
    "stakeholder": {"/-/account", "/{slug}/inputs?paragraph"},
}


def kind(url: str) -> str:
    """What a URL is an instance of: ``/paris/paragraphs/X?at=1`` -> ``/{slug}/paragraphs/*?at``."""
    parts = urlsplit(url)
    twin = parts.path.endswith(".json")
    segments = parts.path.removesuffix(".json").split("/")
    out = segments[:2]
    if len(segments) > 1 and segments[1] not in ("", "-"):
        out[1] = "{slug}"
    rest = segments[2:]
    if rest and rest[0] in RESOURCES and len(rest) > 1:
        # A revision's label runs to the end; other identifiers are one segment.
        rest = [rest[0], "*"] if rest[0] == "revisions" else [rest[0], "*", *rest[2:]]
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(out + rest) + (".json" if twin else "") + ("?" + "&".join(keys) if keys else "")


@dataclass
class Record:
    """What the negotiations hold, to check links that are not fetched."""

    revisions: dict[str, set[str]] = field(default_factory=dict)
    paragraphs: dict[str, set[str]] = field(default_factory=dict)
    delegations: dict[str, set[str]] = field(default_factory=dict)
    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def read(cls, client: TestClient) -> Record:
        found = cls()
        for n in client.get("/index.json").json()["negotiations"]:
            slug = n["slug"]
            details = client.get(f"/{slug}.json").json()
            labels = [r["label"] for r in details["revisions"]]
            found.revisions[slug] = set(labels)
            found.delegations[slug] = {d["code"] for d in details["delegations"]}
            found.paragraphs[slug] = {p["id"] for label in labels
                                      for p in client.get(f"/{slug}/revisions/{label}.json").json()["paragraphs"]}
            replay = client.get(f"/{slug}/replay.json").json()
            found.bounds[slug] = (replay["first"], replay["last"])
        return found

    def knows(self, url: str) -> bool | None:
        """Whether the record has what ``url`` names; None when this cannot tell."""
        parts = urlsplit(url)
        segments = [unquote(s) for s in parts.path.removesuffix(".json").split("/")[1:]]
        slug, rest = segments[0], segments[1:]
        if slug in ("", "-", "index"):
            return None
        if slug not in self.revisions:
            return False
        query = dict(parse_qsl(parts.query))
        checks = []
        if rest[:1] == ["paragraphs"] and len(rest) > 1:
            checks.append(rest[1] in self.paragraphs[slug])
        elif rest[:1] == ["delegations"] and len(rest) > 1:
            checks.append(rest[1] in self.delegations[slug])
        elif rest[:1] == ["revisions"] and len(rest) > 1:
            checks.append("/".join(rest[1:]) in self.revisions[slug])
        elif rest == ["replay"] and query.get("at", "").isdigit():
            # 0: before the negotiation began.
            checks.append(0 <= int(query["at"]) <= self.bounds[slug][1])
        elif rest == ["compare"]:
            checks += [query[k] in self.revisions[slug] for k in ("from", "to") if k in query]
            checks += [query["paragraph"] in self.paragraphs[slug]] if "paragraph" in query else []
        else:
            return None
        return all(checks)


@dataclass
class Crawl:
    role: str
    fetched: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    ids: dict[str, set[str]] = field(default_factory=dict)
    fragments: set[tuple[str, str]] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    posts: set[str] = field(default_factory=set)

    def problem(self, url: str, message: str) -> None:
        self.problems.append(f"{self.role or 'observer'} {url}: {message}")


def resolves(client: TestClient, path: str, method: str = "GET") -> bool:
    scope = {"type": "http", "path": unquote(path), "method": method, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in client.app.router.routes)  # type: ignore[attr-defined]


def form_url(form: Any, base: str) -> str:
    """A GET form submitted as it stands; empty fields take their placeholder (a search
    box, a word every text has)."""
    fields = []
    for control in form.iter("input", "select", "textarea"):
        name = control.get("name")
        kind_ = control.get("type", "text")
        if not name or kind_ in ("submit", "button", "reset", "image") or (
                kind_ in ("radio", "checkbox") and control.get("checked") is None):
            continue
        if control.tag == "select":
            options = control.findall("option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            value = chosen[0].get("value", chosen[0].text or "") if chosen else ""
        else:
            value = control.get("value") or control.text or ""
        fields.append((name, value or control.get("placeholder") or ("the" if kind_ == "search" else "")))
    action = urljoin(base, form.get("action") or base)
    return action + "?" + urlencode(fields)


def _method(element: Any, attribute: str) -> str:
    """How a link is followed: a form's method, a submit button's ``formmethod`` or its form's."""
    if element.tag == "form":
        return (element.get("method") or "get").upper()
    if attribute == "formaction":
        form = next((a for a in element.iterancestors() if a.tag == "form"), None)
        return (element.get("formmethod") or (form.get("method") if form is not None else None) or "get").upper()
    return "GET"


def check_page(crawl: Crawl, url: str, body: bytes) -> Any:
    parser = etree.HTMLParser(recover=True)
    root = etree.fromstring(body, parser)
    for e in parser.error_log:
        crawl.problem(url, f"HTML: {e.message} (line {e.line})")
    document = html.fromstring(body)
    if not document.get("lang"):
        crawl.problem(url, "no lang on <html>")
    if not (document.findtext(".//title") or "").strip():
        crawl.problem(url, "no <title>")
    if len(document.findall(".//main")) != 1 or len(document.findall(".//h1")) != 1:
        crawl.problem(url, "not one <main> and one <h1>")
    labelled_by_for = {label.get("for") for label in document.iter("label")}
    for control in document.iter(*LABELLED):
        if control.get("type") in UNLABELLED_INPUTS:
            continue
        if not (control.get("aria-label") or control.get("aria-labelledby")
                or (control.get("id") and control.get("id") in labelled_by_for)
                or any(a.tag == "label" for a in control.iterancestors())):
            crawl.problem(url, f"no label for <{control.tag} name={control.get('name')!r}>")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and not element.get("src"):
            crawl.problem(url, "an inline <script>")
        if element.tag == "style":
            crawl.problem(url, "a <style> element")
        for name, value in element.attrib.items():
            if name == "style" or name.startswith("on"):
                crawl.problem(url, f"an inline {name}= on <{element.tag}>")
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                crawl.problem(url, f"a javascript: URL on <{element.tag}>")
    return document


def crawl_as(client: TestClient, record: Record, role: str) -> Crawl:
    crawl = Crawl(role)
    queue, seen = ["/"], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if crawl.fetched[kind(url)] >= PER_KIND:
            # Its route was checked with the link; what it names is checked here.
            if record.knows(url) is False:
                crawl.problem(url, "a link to something the record does not have")
            continue
        crawl.fetched[kind(url)] += 1
        response = client.get(url)
        if response.status_code in (302, 303, 307):
            queue.append(response.headers["location"])
            continue
        if response.status_code != 200:
            crawl.problem(url, f"answered {response.status_code}")
            continue
        if not response.headers["content-type"].startswith("text/html"):
            continue
        if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
            crawl.problem(url, "no strict Content-Security-Policy")
        document = check_page(crawl, url, response.content)
        crawl.ids[url] = {e.get("id") for e in document.iter() if isinstance(e.tag, str) and e.get("id")}
        base = "http://testserver" + url
        twin = document.find(".//link[@rel='alternate'][@type='application/json']")
        if twin is None:
            crawl.problem(url, "no JSON twin advertised")
        else:
            answer = client.get(urljoin(base, twin.get("href")))
            try:
                orjson.loads(answer.content)
            except orjson.JSONDecodeError:
                crawl.problem(url, f"the JSON twin is not JSON ({answer.status_code})")
            if answer.status_code != 200:
                crawl.problem(url, f"the JSON twin answered {answer.status_code}")
        for element, attribute, link, _ in document.iterlinks():
            if attribute is None or link.startswith("data:"):
                continue
            method = _method(element, attribute)
            target = form_url(element, base) if attribute == "action" and method == "GET" else urljoin(base, link)
            parts = urlsplit(target)
            if parts.netloc != "testserver":
                crawl.problem(url, f"a link off the site: {link}")
                continue
            path = parts.path + ("?" + parts.query if parts.query else "")
            if parts.fragment:
                crawl.fragments.add((path, parts.fragment))
            if not resolves(client, parts.path, method):
                crawl.problem(url, f"a {method} link to no route: {link}")
            elif method == "GET":
                crawl.links.add(path)
                if path not in seen:
                    queue.append(path)
            else:
                crawl.posts.add(kind(path))
    for page, fragment in crawl.fragments:
        if page in crawl.ids and unquote(fragment) not in crawl.ids[page]:
            crawl.problem(page, f"no element with id {fragment!r}")
    return crawl


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Record]]:
    data = need_data(DATA)
    db = str(tmp_path_factory.mktemp("crawl") / "demo.sqlite")
    tracker = Tracker.open(db)
    list(build_demo(tracker, data))
    tracker.close()
    with TestClient(create_app(db), follow_redirects=False) as client:
        yield client, Record.read(client)


@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "observer")
def test_every_page_a_user_reaches(demo: tuple[TestClient, Record], username: str) -> None:
    client, record = demo
    client.cookies.clear()
    if username:
        signed = client.post("/-/login", data={"username": username, "password": f"demo-{username}"})
        assert signed.status_code == 303, signed.text
    crawl = crawl_as(client, record, username)
    assert crawl.problems == [], "\n".join(crawl.problems)
    reached = {kind(u) for u in crawl.links} | set(crawl.fetched)
    expected = READING | BY_ROLE[ROLE_OF.get(username, "")]
    assert expected - reached == set()
    client.cookies.clear()


def test_kinds_of_urls() -> None:
    assert kind("/paris/revisions/74/148.json") == "/{slug}/revisions/*.json"
    assert kind("/paris/paragraphs/x/propose?a=1&b=") == "/{slug}/paragraphs/*/propose?a&b"
    assert kind("/-/login?next=/") == "/-/login?next"
    assert kind("/") == "/"


def test_the_checks_catch_what_they_look_for() -> None:
    crawl = Crawl("")
    bad = (b'<!doctype html><html><head><title>t</title><style>p{}</style></head><body><main><h1>x</h1>'
           b'<script>alert(1)</script><p style="color:red" onclick="x()">a</div>'
           b'<input name="q"><label>ok <input name="r"></label><input type="hidden" name="s">'
           b'<a href="javascript:alert(1)">j</a></main></body></html>')
    check_page(crawl, "/bad", bad)
    found = "\n".join(crawl.problems)
    for expected in ("lang", "<style>", "inline <script>", "style=", "onclick=", "javascript:", "name='q'",
                     "Unexpected end tag"):
        assert expected in found
    assert "name='r'" not in found and "name='s'" not in found
