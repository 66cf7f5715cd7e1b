"""Read the public API of an installed runpod-flash from its source files, statically
(docs/editor-1x.md, "The API of the version in use"): `parse` only, the package is never imported.

What is read: the names `runpod_flash` exports (`__all__`), the parameters of `Endpoint.__init__`,
the fields of the resource-config classes (pydantic models: annotated class attributes, bases
first) and the members of every `Enum` subclass under `core/resources/` with their docstrings.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..profiles import RESOURCE_CLASSES

ENUM_BASES = frozenset({"Enum", "str", "IntEnum", "StrEnum"})
CONFIG_CLASSES = ("NetworkVolume", "PodTemplate", *RESOURCE_CLASSES)


def read_package(package: Path) -> dict:
    """The API of the runpod_flash package directory `package`, as plain JSON-ready data."""
    init = _parse(package / "__init__.py")
    classes: dict[str, ast.ClassDef] = {}
    for path in sorted((package / "core" / "resources").glob("*.py")) + [package / "endpoint.py"]:
        tree = _parse(path)
        for node in tree.body if tree else ():
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)
    endpoint = classes.get("Endpoint")
    signatures = {"Endpoint": _init_parameters(endpoint)} if endpoint else {}
    for name in CONFIG_CLASSES:
        if name in classes:
            signatures[name] = _fields(name, classes)
    return {
        "version": _version(init),
        "exports": sorted(_all_names(init)),
        "signatures": signatures,
        "docs": {
            name: _first_paragraph(ast.get_docstring(classes[name]) or "") for name in signatures if name in classes
        },
        "enums": {c.name: _members(c) for c in classes.values() if _is_enum(c)},
    }


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def _assigned(init: ast.Module | None, name: str) -> ast.expr | None:
    """The value of the module-level assignment to `name`."""
    for node in init.body if init else ():
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    return None


def _version(init: ast.Module | None) -> str:
    value = _assigned(init, "__version__")
    return str(value.value) if isinstance(value, ast.Constant) else "unknown"


def _all_names(init: ast.Module | None) -> set[str]:
    value = _assigned(init, "__all__")
    if isinstance(value, (ast.List, ast.Tuple)):
        return {e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def _base_names(node: ast.ClassDef) -> list[str]:
    return [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in node.bases]


def _is_enum(node: ast.ClassDef) -> bool:
    bases = set(_base_names(node))
    return bool(bases) and bases <= ENUM_BASES and bool(bases & {"Enum", "IntEnum", "StrEnum"})


def _members(node: ast.ClassDef) -> dict[str, dict]:
    out: dict[str, dict] = {}
    body = node.body
    for i, stmt in enumerate(body):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        if name.startswith("_") or not isinstance(stmt.value, ast.Constant):
            continue
        after = body[i + 1] if i + 1 < len(body) else None
        doc = (
            after.value.value
            if isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
            else ""
        )
        out[name] = {"value": stmt.value.value, "doc": doc.strip()}
    return out


def _parameter(name: str, annotation: ast.expr | None, default: ast.expr | None, keyword_only: bool) -> dict:
    return {
        "name": name,
        "annotation": ast.unparse(annotation) if annotation is not None else "",
        "default": ast.unparse(default) if default is not None else None,
        "keyword_only": keyword_only,
    }


def _init_parameters(node: ast.ClassDef) -> list[dict]:
    init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    if init is None:
        return []
    args = init.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [
        _parameter(a.arg, a.annotation, d, False) for a, d in zip(positional, defaults, strict=False) if a.arg != "self"
    ]
    out += [_parameter(a.arg, a.annotation, d, True) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)]
    return out


def _fields(name: str, classes: dict[str, ast.ClassDef], seen: frozenset = frozenset()) -> list[dict]:
    """Annotated attributes of a pydantic model and its bases (bases first, overrides in place)."""
    node = classes.get(name)
    if node is None or name in seen:
        return []
    fields: dict[str, dict] = {}
    for base in _base_names(node):
        for field in _fields(base, classes, seen | {name}):
            fields[field["name"]] = field
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            field_name = stmt.target.id
            annotation = ast.unparse(stmt.annotation)
            if field_name.startswith("_") or annotation.startswith("ClassVar"):
                continue
            fields[field_name] = _parameter(field_name, stmt.annotation, stmt.value, True)
    return list(fields.values())


def _first_paragraph(doc: str) -> str:
    return doc.strip().split("\n\n", 1)[0].strip()
