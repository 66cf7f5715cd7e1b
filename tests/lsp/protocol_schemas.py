"""Every `flash/*` response and notification a test client receives is checked against
`schemas/protocol/`, so a schema that drifts from the server fails the test that saw it.

The check sits on the client's JSON-RPC layer (raw JSON, before pygls structures it): requests the
client sends are remembered by id, their responses and every server notification validated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
from pygls.protocol import JsonRPCProtocol

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "protocol"


def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    """Method → validator of its response (requests) or params (notifications)."""
    out = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        defs = schema.get("$defs", {})
        title = schema.get("title", "")
        if title.endswith(" request"):
            out[title.removesuffix(" request")] = {**defs["result"], "$defs": defs}
        elif path.name == "notifications.schema.json":
            out.update({method: {**definition, "$defs": defs} for method, definition in defs.items()})
    return {method: jsonschema.Draft202012Validator(s) for method, s in out.items()}


VALIDATORS = _validators()


@dataclass
class ProtocolWatch:
    """The flash/* messages seen and the ones that broke their schema."""

    pending: dict[str, str] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def sent(self, data) -> None:
        method = getattr(data, "method", None)
        if isinstance(method, str) and method.startswith("flash/") and getattr(data, "id", None) is not None:
            self.pending[str(data.id)] = method

    def received(self, data) -> None:
        if not isinstance(data, dict):
            return
        if "method" in data and "id" not in data:
            method, value = data["method"], data.get("params")
        elif "result" in data and str(data.get("id")) in self.pending:
            method, value = self.pending.pop(str(data["id"])), data["result"]
        else:
            return
        validator = VALIDATORS.get(method)
        if validator is None:
            if method.startswith("flash/"):
                self.violations.append(f"{method}: no schema in schemas/protocol")
            return
        self.checked.append(method)
        self.violations += [f"{method}: {e.json_path}: {e.message}" for e in validator.iter_errors(value)]


def watch(monkeypatch) -> ProtocolWatch:
    """Checks every client in this test (the servers run in subprocesses, only clients are patched)."""
    seen = ProtocolWatch()
    send, structure = JsonRPCProtocol._send_data, JsonRPCProtocol.structure_message

    def _send_data(self, data):
        seen.sent(data)
        return send(self, data)

    def structure_message(self, data):
        seen.received(data)
        return structure(self, data)

    monkeypatch.setattr(JsonRPCProtocol, "_send_data", _send_data)
    monkeypatch.setattr(JsonRPCProtocol, "structure_message", structure_message)
    return seen
