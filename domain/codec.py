"""How events are written down: msgpack, decoded by each event class's type hints (upcasting older versions)."""

import typing
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic, resolve_topic

_encoder = msgspec.msgpack.Encoder()
_generic_decoder = msgspec.msgpack.Decoder()
_ENVELOPE = frozenset({"originator_id", "originator_version"})


@cache
def _payload_decoder(cls: type[Any]) -> tuple[Any, "msgspec.msgpack.Decoder[dict[str, Any]]"]:
    """A TypedDict of the event's own fields: a stored payload decodes straight into the event's typed ``__dict__``."""
    fields = {
        name: hint
        for name, hint in typing.get_type_hints(cls).items()
        if name not in _ENVELOPE and hint is not ClassVar and typing.get_origin(hint) is not ClassVar
    }
    payload: Any = typing.TypedDict(f"{cls.__qualname__}.Payload", fields)  # type: ignore[misc]  # built from the type hints
    return payload, msgspec.msgpack.Decoder(payload)


def encode_event(event: Any) -> tuple[str, UUID, int, bytes]:
    """(topic, originator id, version, payload) of a domain event; ``class_version`` kept when above 1."""
    cls = type(event)
    state = dict(vars(event))
    originator_id = state.pop("originator_id")
    originator_version = state.pop("originator_version")
    class_version = getattr(cls, "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return get_topic(cls), originator_id, originator_version, _encoder.encode(state)


def decode_event(topic: str, state: bytes, originator_id: UUID | str, originator_version: int) -> Any:
    """The domain event stored under ``topic``, upcast to its class's current version."""
    cls = resolve_topic(topic)
    payload, decoder = _payload_decoder(cls)
    class_version = getattr(cls, "class_version", 1)
    if class_version == 1:
        fields = decoder.decode(state)
    else:
        raw = _generic_decoder.decode(state)
        version = raw.pop("class_version", 1)
        while version < class_version:
            getattr(cls, f"upcast_v{version}_v{version + 1}")(raw)
            version += 1
        fields = msgspec.convert(raw, payload)
    fields["originator_id"] = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    fields["originator_version"] = originator_version
    event = object.__new__(cls)
    object.__setattr__(event, "__dict__", fields)
    return event


def decode_payload(state: bytes) -> Any:
    """The raw payload as plain data (for audit trails and exports)."""
    return _generic_decoder.decode(state)
