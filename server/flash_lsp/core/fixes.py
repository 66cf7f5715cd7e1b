"""Source edits behind the quick fixes, computed with libcst (formatting and comments preserved).

Each function takes the file's text and returns the new text, or None when the fix does not apply.
"""

from __future__ import annotations

import ast

import libcst as cst

DEFAULT_CONFIG_CLASS = "LiveServerless"


def _import_end(module: cst.Module) -> int:
    """Index in `module.body` after the leading docstring/imports block."""
    index = 0
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom))
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString))
            for s in stmt.body
        ):
            index = i + 1
        elif index or i > 0:
            break
    return index


def _imports_name(module: cst.Module, package: str, name: str) -> bool:
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for s in stmt.body:
                if (
                    isinstance(s, cst.ImportFrom)
                    and _dotted(s.module) == package
                    and not isinstance(s.names, cst.ImportStar)
                ):
                    if any(_dotted(a.name) == name and a.asname is None for a in s.names):
                        return True
    return False


def _dotted(node) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _insert_after_imports(module: cst.Module, statements: list[cst.BaseStatement]) -> cst.Module:
    index = _import_end(module)
    return module.with_changes(body=[*module.body[:index], *statements, *module.body[index:]])


def create_config(
    text: str, variable: str, package: str = "tetra_rp", class_name: str = DEFAULT_CONFIG_CLASS
) -> str | None:
    """Define `variable = LiveServerless(name="variable")` after the imports (importing the class)."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    new: list[cst.BaseStatement] = []
    if not _imports_name(module, package, class_name):
        new.append(cst.parse_statement(f"from {package} import {class_name}"))
    assign = cst.parse_statement(f'{variable} = {class_name}(name="{variable}")')
    index = _import_end(module)
    body = [*module.body[:index], *new, assign.with_changes(leading_lines=[cst.EmptyLine()]), *module.body[index:]]
    return module.with_changes(body=body).code


def add_import(text: str, module_name: str, name: str) -> str | None:
    """Add `from module_name import name` after the existing imports."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    if _imports_name(module, module_name, name):
        return None
    return _insert_after_imports(module, [cst.parse_statement(f"from {module_name} import {name}")]).code


def move_import_into_functions(text: str, line: int) -> str | None:
    """Move the module-level import on (0-based) `line` into the body of every top-level function
    or method that uses one of its names; None when a name is also used at module level."""
    try:
        tree = ast.parse(text)
        module = cst.parse_module(text)
    except (SyntaxError, cst.ParserSyntaxError):
        return None
    target = next(
        (
            n
            for n in tree.body
            if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno - 1 <= line <= (n.end_lineno or n.lineno) - 1
        ),
        None,
    )
    if target is None:
        return None
    names = {(a.asname or a.name).split(".")[0] for a in target.names if a.name != "*"}
    users: set[str] = set()
    for node in tree.body:
        if node is target:
            continue
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & names
        if not used:
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        if isinstance(node, ast.ClassDef):
            users.update(
                f"{node.name}.{m.name}"
                for m in node.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                and {n.id for n in ast.walk(m) if isinstance(n, ast.Name)} & names
            )
        else:
            users.add(node.name)
    index = next(i for i, node in enumerate(tree.body) if node is target)
    statement = module.body[index]
    moved = statement.with_changes(leading_lines=[])
    transformer = _InsertIntoBodies(users, moved)
    body = [s for i, s in enumerate(module.body) if i != index]
    if index == 0 and body:  # the file's new first statement starts the file, with no blank lines
        body[0] = body[0].with_changes(leading_lines=[])
    return module.with_changes(body=body).visit(transformer).code


class _InsertIntoBodies(cst.CSTTransformer):
    def __init__(self, targets: set[str], statement: cst.BaseStatement):
        self.targets = targets
        self.statement = statement
        self.stack: list[str] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(node.name.value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.stack.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(node.name.value)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        qualified = ".".join(self.stack)
        self.stack.pop()
        if qualified not in self.targets or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = list(updated.body.body)
        at = 1 if body and _is_docstring(body[0]) else 0
        body.insert(at, self.statement)
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def set_name_literal(text: str, line: int, variable: str) -> str | None:
    """Give the resource-config call assigned on (0-based) `line` a literal `name="variable"`."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    wrapper = cst.MetadataWrapper(module)
    positions = wrapper.resolve(cst.metadata.PositionProvider)
    calls = [
        node
        for node in positions
        if isinstance(node, cst.Call) and positions[node].start.line - 1 <= line <= positions[node].end.line - 1
    ]
    if not calls:
        return None
    call = min(calls, key=lambda c: positions[c].end.line - positions[c].start.line)
    literal = cst.SimpleString(f'"{variable}"')

    class SetName(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if original is not call:
                return updated
            args = [a for a in updated.args if not (a.keyword and a.keyword.value == "name")]
            named = cst.Arg(
                keyword=cst.Name("name"),
                value=literal,
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            return updated.with_changes(args=[named, *args]) if args else updated.with_changes(args=[named])

    return wrapper.module.visit(SetName()).code
