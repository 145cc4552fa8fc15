"""Event serialisation with orjson that keeps the library's type tags.

orjson writes UUIDs and datetimes as plain strings, which would come back as strings;
so typed values are tagged (``{"_type_": ..., "_data_": ...}``) before encoding, the
same tags the library's own JSON transcoder uses, and untagged after decoding.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)

from tracker.domain.base import Actor


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return obj.as_dict()

    def __init__(self) -> None:
        # Actors are frozen and few (one per delegate), while nearly every event names one:
        # sharing the instances spares a dataclass construction per decoded event.
        self._known: dict[tuple[str, str], Actor] = {}

    def decode(self, data: dict[str, str]) -> Actor:
        key = (data["delegation"], data["user"])
        actor = self._known.get(key)
        if actor is None:
            actor = Actor(**data)
            if len(self._known) >= 65536:
                self._known.clear()
            self._known[key] = actor
        return actor


class TupleAsList(Transcoding):
    type = tuple
    name = "tuple_list"

    def encode(self, obj: tuple[Any, ...]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


_PLAIN = (str, int, float, bool, type(None))
# What the library's transcodings of plain strings call to decode.
_CONSTRUCTORS: dict[type[Transcoding], Callable[[Any], Any]] = {
    DatetimeAsISO: datetime.fromisoformat, DateAsISO: date.fromisoformat, UUIDAsHex: UUID,
}
_CONTAINERS = (dict, list)


class OrjsonTranscoder(JSONTranscoder):
    """A drop-in for ``JSONTranscoder``: same tags, orjson underneath."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._tag(obj))

    def decode(self, data: bytes) -> Any:
        return self._untag(orjson.loads(data))

    def untag_shallow(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``decode``'s untagging of a top-level object already loaded from JSON, walking
        only into values that can hold tags; replaces them in place, and returns it.

        Most events are a flat object with a tagged timestamp and actor; lists of plain
        strings or numbers (paragraph ids, languages) and tagged values whose data is flat
        (an actor) need no walk at all.
        """
        decoders = self._by_name or self._decoders()
        for key, value in obj.items():
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and "_type_" in value and "_data_" in value:
                    inner = value["_data_"]
                    inner_kind = type(inner)
                    if inner_kind is list or (inner_kind is dict and "_type_" in inner):
                        inner = self._untag(inner)
                    elif inner_kind is dict:
                        for item in inner.values():
                            if type(item) in _CONTAINERS:
                                inner = self._untag(inner)
                                break
                    decoder = decoders.get(value["_type_"])
                    if decoder is None:
                        # The library's own error for a type nobody registered.
                        self._decode_obj(value)
                    obj[key] = decoder(inner)  # type: ignore[misc]
                else:
                    obj[key] = self._untag(value)
            elif kind is list and any(type(item) in _CONTAINERS for item in value):
                obj[key] = self._untag(value)
        return obj

    def __init__(self) -> None:
        super().__init__()
        self._by_name: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._by_name = {}  # made again on the next untag_shallow

    def _decoders(self) -> dict[str, Callable[[Any], Any]]:
        """Each registered name's decode, the library's own string types straight to the
        constructor they call (what they do, without a method call and an assert)."""
        for name, transcoding in self.names.items():
            kind = type(transcoding)
            self._by_name[name] = _CONSTRUCTORS[kind] if kind in _CONSTRUCTORS else transcoding.decode
        return self._by_name

    def _tag(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is dict:
            return {key: self._tag(value) for key, value in obj.items()}
        if kind is list:
            return [self._tag(value) for value in obj]
        try:
            transcoding = self.types[kind]
        except KeyError:
            # Reuse the library's error message for unknown types.
            return self._encode_obj(obj)
        return {"_type_": transcoding.name, "_data_": self._tag(transcoding.encode(obj))}

    def _untag(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is dict:
            if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
                return self._decode_obj({"_type_": obj["_type_"], "_data_": self._untag(obj["_data_"])})
            return {key: self._untag(value) for key, value in obj.items()}
        if kind is list:
            return [self._untag(value) for value in obj]
        return obj


def register_tracker_transcodings(transcoder: JSONTranscoder) -> None:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO(), TupleAsList(), ActorAsDict()):
        transcoder.register(transcoding)

