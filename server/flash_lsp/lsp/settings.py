"""Settings from `initializationOptions` and `workspace/configuration`, checked against
`schemas/settings.schema.json` (the one source of truth). Invalid values are reported once and
replaced by their defaults; the server keeps running."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import schemas
from ..core.model import Severity
from ..core.rules.catalogue import SEVERITIES


@dataclass(frozen=True)
class Settings:
    profile: str = "auto"
    interpreter: str | None = None
    debounce_ms: int = 150
    rules: dict[str, str] = field(default_factory=dict)
    code_lens: bool = True
    size: bool = True
    migration_notes: str = "auto"
    build_exclude: tuple[str, ...] = ()
    keep_build: bool = True
    no_deps: bool = False
    output: str | None = None
    build_timeout: int = 900
    log_level: str = "info"

    def severity_overrides(self) -> dict[str, Severity | None]:
        return {code: SEVERITIES.get(value) for code, value in self.rules.items()}


_FIELDS = {
    "flash.profile": "profile",
    "flash.interpreter": "interpreter",
    "flash.diagnostics.debounceMs": "debounce_ms",
    "flash.diagnostics.rules": "rules",
    "flash.codeLens.enable": "code_lens",
    "flash.size.enable": "size",
    "flash.migration.notes": "migration_notes",
    "flash.build.exclude": "build_exclude",
    "flash.build.keepBuild": "keep_build",
    "flash.build.noDeps": "no_deps",
    "flash.build.output": "output",
    "flash.build.timeoutSeconds": "build_timeout",
    "flash.logLevel": "log_level",
}
CLIENT_ONLY = {"flash.server.interpreter", "flash.trace.server"}


def flatten(raw: Any, prefix: str = "flash") -> dict[str, Any]:
    """Nested `{"diagnostics": {"debounceMs": 0}}` or flat `{"flash.diagnostics.debounceMs": 0}` → flat keys."""
    if not isinstance(raw, dict):
        return {}
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        full = key if key.startswith("flash.") else f"{prefix}.{key}"
        if full in _FIELDS or full in CLIENT_ONLY or not isinstance(value, dict):
            flat[full] = value
        else:
            flat.update(flatten(value, full))
    return flat


def parse(raw: Any) -> tuple[Settings, list[str]]:
    """Settings and the problems found (unknown keys, wrong types); defaults replace bad values."""
    properties = schemas.load("settings.schema.json")["properties"]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in flatten(raw).items():
        if key in CLIENT_ONLY:
            continue
        if key not in _FIELDS:
            problems.append(f"unknown setting {key}")
            continue
        if value is None and "null" not in _types(properties[key]):
            continue
        error = _check(value, properties[key])
        if error:
            problems.append(f"{key}: {error}; using the default {properties[key].get('default')!r}")
            continue
        values[_FIELDS[key]] = tuple(value) if isinstance(value, list) else value
    return Settings(**values), problems


def _types(schema: dict) -> list[str]:
    t = schema.get("type", [])
    return t if isinstance(t, list) else [t]


def _check(value: Any, schema: dict) -> str | None:
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']}"
    types = _types(schema)
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
    }
    if types and not any(checks[t](value) for t in types):
        return f"expected {' or '.join(types)}, got {type(value).__name__}"
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value} is below {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value} is above {schema['maximum']}"
    if isinstance(value, list) and "items" in schema:
        bad = [v for v in value if _check(v, schema["items"])]
        if bad:
            return f"invalid items {bad!r}"
    if isinstance(value, dict) and "additionalProperties" in schema:
        bad = {k: v for k, v in value.items() if _check(v, schema["additionalProperties"])}
        if bad:
            return f"invalid values {bad!r}"
    return None
