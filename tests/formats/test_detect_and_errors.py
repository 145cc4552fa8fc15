from __future__ import annotations

import io
import time
import zipfile

import pytest

from tracker.formats import FORMATS, detect_format, read_document
from tracker.text.document import FormatError

from formats_helpers import MIGRANTS, PARIS, SEED, data_files

AKN_NS = b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'


@pytest.mark.parametrize("path", data_files(MIGRANTS, "*.xml") + data_files(PARIS, "*.md")
                         + ([SEED] if SEED.exists() else []), ids=lambda p: p.name)
def test_detect_each_sample(path) -> None:
    expected = {".xml": "akn", ".md": "md", ".txt": "txt"}[path.suffix]
    data = path.read_bytes()
    assert detect_format(data, path.name) == expected
    assert detect_format(data, "") == expected  # content alone is enough


def test_formats_tuple() -> None:
    assert set(FORMATS) >= {"akn", "md", "txt", "docx"}


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<akomaNtoso>&lol4;</akomaNtoso>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<akomaNtoso><statement><preamble><p>&xxe;</p></preamble></statement></akomaNtoso>"""

BAD = {
    "not xml claimed akn": (b"1. Hello world\n", "akn"),
    "truncated xml": (AKN_NS + b"<statement><preamble><p>Text", "auto"),
    "binary garbage": (bytes(range(256)) * 4, "auto"),
    "nul bytes txt": (b"1. Hello\x00 world", "txt"),
    "nul bytes md": (b"# Title\x00\n", "md"),
    "invalid utf-8": (b"1. Caf\xe9 cr\xe8me\n", "txt"),
    "latin-1 xml": (AKN_NS + b"<statement><preamble><p>Caf\xe9</p></preamble></statement>"
                    b"</akomaNtoso>", "akn"),
    "empty": (b"", "auto"),
    "whitespace only": (b"  \n\t\n  ", "auto"),
    "whitespace only md": (b"\n\n", "md"),
    "billion laughs": (BOMB, "auto"),
    "external entity": (XXE, "akn"),
    "xml not akoma ntoso": (b"<html><body><p>Hi</p></body></html>", "auto"),
    "akn without text": (AKN_NS + b"<statement><meta/></statement></akomaNtoso>", "akn"),
    "docx": (_docx(), "auto"),
    "front matter only": (b"---\ntitle: x\n---\n", "md"),
    "unknown format": (b"1. x", "pdf"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_one_line_format_error(name: str) -> None:
    data, fmt = BAD[name]
    start = time.monotonic()
    with pytest.raises(FormatError) as info:
        read_document(data, format=fmt, filename="")
    message = str(info.value)
    assert message and "\n" not in message and len(message) < 200
    assert time.monotonic() - start < 2


def test_messages_name_the_problem() -> None:
    with pytest.raises(FormatError, match=r"not well-formed XML at line 1, column \d+"):
        read_document(AKN_NS + b"<statement><p>x</q>", format="akn")
    with pytest.raises(FormatError, match="docx import is not supported yet"):
        read_document(_docx())
    with pytest.raises(FormatError, match="empty"):
        read_document(b"")
    with pytest.raises(FormatError, match="not UTF-8"):
        read_document(b"1. Caf\xe9\n", format="txt")
    with pytest.raises(FormatError, match="not Akoma Ntoso"):
        read_document(b"<root/>")
    with pytest.raises(FormatError, match="too large"):
        read_document(b"1. x" + b" " * (21 * 1024 * 1024), format="txt")


def test_deep_nesting_is_a_format_error() -> None:
    deep = AKN_NS + b"<statement><mainBody>" + b"<hcontainer>" * 5000 + b"<p>x</p>" \
        + b"</hcontainer>" * 5000 + b"</mainBody></statement></akomaNtoso>"
    try:
        doc = read_document(deep)
    except FormatError:
        return
    assert doc.paragraphs
