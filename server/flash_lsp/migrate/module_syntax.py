"""Questions about a module's syntax tree that the rewrite asks: free names, module-level bindings,
the leading import block."""

from __future__ import annotations

import libcst as cst


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Free names of an expression (attribute names excluded)."""
    import libcst.matchers as m

    attrs = {id(a.attr) for a in m.findall(node, m.Attribute())}
    kws = {id(a.keyword) for a in m.findall(node, m.Arg()) if a.keyword is not None}
    return [n for n in m.findall(node, m.Name()) if id(n) not in attrs and id(n) not in kws]


def module_bindings(module: cst.Module) -> set[str]:
    """Names bound by module-level assignments, definitions and imports."""
    names = set()
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            names.add(stmt.name.value)
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign):
                names |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
            elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for a in small.names:
                    names.add(
                        a.asname.name.value if a.asname else (a.name.value if isinstance(a.name, cst.Name) else "")
                    )
    return names


def alias_name(alias: cst.ImportAlias) -> str:
    """The imported name (the last part of a dotted one)."""
    return alias.name.value if isinstance(alias.name, cst.Name) else alias.name.attr.value


def is_import(stmt: cst.BaseStatement) -> bool:
    """Whether a statement line holds an import."""
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def last_import_index(body) -> int:
    """Index of the last statement of the leading import block (docstrings and `__future__` included)."""
    last = -1
    for i, stmt in enumerate(body):
        if is_import(stmt):
            last = i
        elif not (
            isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            break
    return last
