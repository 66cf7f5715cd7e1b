"""Rewrite one module from the old API to runpod 2.0, statement by statement (docs/migration.md).

Everything not part of the old API is left exactly as written; a removed statement hands its comment
lines to the next one, so no comment is lost.
"""

from __future__ import annotations

import dataclasses

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..core.model import Diagnostic
from . import routes as R
from .calls import CallSites, ClientCallNotes
from .module_syntax import alias_name, is_import, last_import_index, module_bindings, names_in
from .notes import code_of, note
from .requirements import strip_torch
from .scan import KEPT_NAMES, LB_CLASSES, Config, Decorated, ModuleScan, scan
from .settings import Site, from_endpoint, from_tetra, kw, string, with_commas
from .volumes import VolumeCalls


@dataclasses.dataclass
class Context:
    """What a module's rewrite needs from the rest of the project."""

    app_name: str
    app_import: str | None  # the module to import `app` from; None: define it in the module
    configs: dict[tuple[str, str], Config]  # (module, var) -> config, project-wide
    stubs: dict[tuple[str, str], str]  # (module, var) of client-mode endpoints -> "Queue" | "Api"
    queue_functions: set[tuple[str, str]]  # (module, function) now `@app.queue`
    strip_torch: bool = False  # a CPU or custom-image resource exists: GPU resources drop the torch family


@dataclasses.dataclass
class Resource:
    """One 2.0 resource the rewrite declared (for the project summary and the LSP code actions)."""

    name: str
    kind: str
    lines: tuple[int, int] = (0, 0)  # 0-based first and last line of its declaration in the old source


class ModuleRewrite:
    def __init__(self, path: str, module_name: str, source: str, ctx: Context):
        self.path, self.module_name, self.ctx = path, module_name, ctx
        self.wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self.scan: ModuleScan = scan(self.module)
        self.notes: list[Diagnostic] = []
        self.resources: list[Resource] = []
        self.replace: dict[int, list[cst.BaseStatement]] = {}  # id(stmt) -> replacement (may be empty)
        self.taken = {s.name.value for s in self.module.body if isinstance(s, (cst.ClassDef, cst.FunctionDef))}
        self.borrowed: dict[str, set[str]] = {}  # module -> names the migrated decorators need from it
        self.app_var = "rp_app" if "app" in module_bindings(self.module) else "app"

    # ------------------------------------------------------------------ helpers

    def where(self, node: cst.CSTNode):
        return self.positions.get(node)

    def lines(self, first: cst.CSTNode, last: cst.CSTNode | None = None) -> tuple[int, int]:
        start, end = self.where(first), self.where(last or first)
        return (start.start.line - 1, end.end.line - 1) if start and end else (0, 0)

    def site(self, resource: str) -> Site:
        return Site(self.path, resource, self.where, self.notes)

    def _gpu_deps(self, args: list[cst.Arg], carried, name: str) -> list[cst.Arg]:
        if self.ctx.strip_torch and not carried.is_cpu and not carried.image:
            return strip_torch(args, self.site(name))
        return args

    def config(self, ref: str | None) -> Config | None:
        if ref is None:
            return None
        if ref in self.scan.configs:
            return self.scan.configs[ref]
        target = self.scan.project_imports.get(ref)
        return self.ctx.configs.get(target) if target else None

    # ------------------------------------------------------------------ endpoints

    def run(self) -> str:
        if not (self.scan.uses_old_api or self.scan.module_imports) and not self._imports_migrated_names():
            return self.module.code
        for node in self.scan.nested:
            self.notes.append(
                note(
                    "FL953",
                    self.path,
                    self.where(node),
                    "old-API decorator on a nested function or method: not migrated",
                )
            )
        for node in self.scan.module_imports:
            self.notes.append(
                note(
                    "FL953",
                    self.path,
                    self.where(node),
                    "`import runpod_flash`/`import tetra_rp`: uses through the module name are not migrated; "
                    "import the names (`from runpod_flash import Endpoint`) and run the migration again",
                )
            )
        self.wrapper.visit(ClientCallNotes(self))
        self._queues()
        self._groups()
        self._configs()
        body = self._assemble()
        module = self.module.with_changes(body=body)
        module = module.visit(VolumeCalls(self.scan.old_names))
        module = module.visit(CallSites(self))
        return module.code

    def _imports_migrated_names(self) -> bool:
        imported = set(self.scan.project_imports.values())
        return bool(imported & (self.ctx.queue_functions | set(self.ctx.configs) | set(self.ctx.stubs)))

    def _queues(self) -> None:
        """`@Endpoint(...)` functions/classes and `@remote(<queue config>)` functions."""
        seen: dict[int, str] = {}
        for dec in self.scan.decorated:
            if dec.form == "endpoint":
                self._endpoint_decorated(dec)
            elif dec.form == "remote":
                cfg = self.config(dec.config_ref)
                inline = dec.decorator.decorator.args[0].value if dec.decorator.decorator.args else None
                if cfg is None and isinstance(inline, cst.Call):
                    cls = self.scan.old_names.get(getattr(inline.func, "value", ""), "LiveServerless")
                    cfg = Config(dec.name, cls, inline, None)
                if cfg is None:
                    self.notes.append(
                        note(
                            "FL953",
                            self.path,
                            self.where(dec.decorator),
                            f"@remote on '{dec.name}': its resource config is unknown; not migrated",
                        )
                    )
                    continue
                if cfg.cls in LB_CLASSES or dec.method:
                    continue  # grouped into an api class by _groups()
                self._remote_queue(dec, cfg, seen)

    def _endpoint_decorated(self, dec: Decorated) -> None:
        call = dec.decorator.decorator
        name = Config(dec.name, "Endpoint", call, None).name
        carried = from_endpoint(call, self.site(name))
        self._declare(dec, name, carried.args, carried, call)

    def _declare(self, dec: Decorated, name: str, args: list[cst.Arg], carried, like: cst.Call) -> None:
        """A decorated function becomes `@app.queue`; a decorated class an `@app.api` class (FL955)."""
        args = self._gpu_deps(args, carried, name)
        if isinstance(dec.node, cst.FunctionDef):
            new_dec = R.app_decorator(self.app_var, "queue", with_commas(args), like)
            self.replace[id(dec.node)] = [_swap_decorator(dec.node, dec.decorator, new_dec)]
            self.resources.append(Resource(name, "queue", self.lines(dec.node.decorators[0], dec.node)))
            return
        kept = [a for a in args if a.keyword.value != "max_concurrency"]
        if len(kept) != len(args):
            self.site(name).drop("max_concurrency", like)
        new_dec = R.app_decorator(self.app_var, "api", with_commas(kept), like)
        cls, methods = R.queue_class_routes(dec.node, dec.decorator, new_dec)
        self.replace[id(dec.node)] = [cls]
        self.notes.append(
            note(
                "FL955",
                self.path,
                self.where(dec.decorator),
                f"queue-based class '{name}' becomes an @app.api class: its public methods "
                f"({', '.join(methods) or 'none'}) are served as POST /<method>; callers use "
                f"{dec.name}.post('/<method>', body) instead of calling the method",
                resource=name,
                setting="kind",
            )
        )
        self.resources.append(Resource(name, "api", self.lines(dec.node.decorators[0], dec.node)))

    def _remote_queue(self, dec: Decorated, cfg: Config, seen: dict[int, str]) -> None:
        name = cfg.name
        carried = from_tetra(cfg.cls, cfg.call, self.site(name))
        self._borrow(carried.args, dec.config_ref)
        self._imported_name(cfg, dec.config_ref, dec.decorator)
        args = list(carried.args)
        if id(cfg.call) in seen:
            new_name = f"{name}-{dec.name}".replace("_", "-").lower()
            args = [kw("name", string(new_name)) if a.keyword.value == "name" else a for a in args]
            if not any(a.keyword.value == "name" for a in args):
                args.insert(0, kw("name", string(new_name)))
            self.notes.append(
                note(
                    "FL955",
                    self.path,
                    self.where(dec.decorator),
                    f"'{dec.name}' shared resource '{name}' with '{seen[id(cfg.call)]}'; a 2.0 resource serves one "
                    f"function or class, so it becomes its own resource '{new_name}'",
                    resource=name,
                    setting="split",
                    new_resource=new_name,
                )
            )
            name = new_name
        else:
            seen[id(cfg.call)] = dec.name
        self._declare(dec, name, args + _remote_extras(dec.decorator.decorator), carried, cfg.call)

    def _groups(self) -> None:
        """Route functions (1.x `@ep.get`, tetra `@remote(lb, method=, path=)`) → one api class per endpoint."""
        groups: dict[int, tuple[Config, list[Decorated]]] = {}
        for dec in self.scan.decorated:
            cfg = self.config(dec.config_ref)
            if dec.form == "route" or (
                dec.form == "remote" and cfg is not None and (cfg.cls in LB_CLASSES or dec.method)
            ):
                if cfg is None:
                    continue
                groups.setdefault(id(cfg.call), (cfg, []))[1].append(dec)
        for cfg, decs in groups.values():
            self._api_group(cfg, decs)

    def _api_group(self, cfg: Config, decs: list[Decorated]) -> None:
        name = cfg.name
        site = self.site(name)
        carried = from_endpoint(cfg.call, site) if cfg.cls == "Endpoint" else from_tetra(cfg.cls, cfg.call, site)
        self._borrow(carried.args, decs[0].config_ref)
        self._imported_name(cfg, decs[0].config_ref, decs[0].decorator)
        extra: list[cst.Arg] = []
        methods = []
        for dec in decs:
            if not isinstance(dec.node, cst.FunctionDef) or dec.method is None or dec.path is None:
                self.notes.append(
                    note(
                        "FL953",
                        self.path,
                        self.where(dec.decorator),
                        f"route '{dec.name}' has no literal method and path: not migrated",
                    )
                )
                continue
            if dec.form == "remote":
                extra += [
                    a
                    for a in _remote_extras(dec.decorator.decorator)
                    if not any(a.keyword.value == e.keyword.value for e in extra)
                ]
            methods.append(R.as_method(dec.node, dec.decorator, dec.method, dec.path))
        if not methods:
            return
        args = [a for a in carried.args if a.keyword.value != "max_concurrency"] + extra
        decorator = R.app_decorator(self.app_var, "api", with_commas(self._gpu_deps(args, carried, name)), cfg.call)
        first = decs[0].node
        blank = [line for line in first.leading_lines if line.comment is None]
        cls = R.api_class(R.class_name(cfg.var, self.taken), decorator, methods, blank)
        self.replace[id(first)] = [cls]
        for dec in decs[1:]:
            self.replace[id(dec.node)] = []
        self.resources.append(Resource(name, "api", self.lines(cfg.stmt or decs[0].node.decorators[0], decs[-1].node)))

    def _configs(self) -> None:
        """Config assignments: removed (tetra, 1.x load-balanced) or turned into a client stub (1.x client mode)."""
        for cfg in self.scan.configs.values():
            kind = self.ctx.stubs.get((self.module_name, cfg.var))
            if kind is None:
                self.replace[id(cfg.stmt)] = []
                continue
            ref = cfg.keyword("id")
            stub_args = [
                kw("app", string(self.ctx.app_name)).with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                ),
                kw("id", ref.value) if ref is not None else kw("name", string(cfg.name)),
            ]
            stub = cst.Call(cst.Attribute(cst.Name("runpod"), cst.Name(kind)), stub_args)
            assign = cfg.stmt.body[0].with_changes(value=stub)
            self.replace[id(cfg.stmt)] = [cfg.stmt.with_changes(body=[assign])]
            image = cfg.keyword("image")
            what = f"deployed from image {code_of(image.value)}" if image is not None else "an existing endpoint (id=)"
            self.notes.append(
                note(
                    "FL951",
                    self.path,
                    self.where(cfg.call),
                    f"client-mode endpoint '{cfg.name}' ({what}) becomes runpod.{kind}(...): runpod 2.0 does not "
                    "deploy it; deploy that endpoint on its own and keep calling it through the stub",
                    resource=cfg.name if image is not None else None,
                    setting="resource" if image is not None else None,
                )
            )
            for arg in cfg.call.args:
                if arg.keyword and arg.keyword.value not in ("name", "id", "image"):
                    self.site(cfg.name).drop(arg.keyword.value, arg, "the stub carries no deployment settings")

    # ------------------------------------------------------------------ assembly

    def _assemble(self) -> list[cst.BaseStatement]:
        body: list[cst.BaseStatement] = []
        pending: list[cst.EmptyLine] = []
        last_import = last_import_index(self.module.body)
        for i, stmt in enumerate(self.module.body):
            new = self._imports(stmt) if is_import(stmt) else self.replace.get(id(stmt), [stmt])
            if not new:
                pending += [line for line in stmt.leading_lines if line.comment is not None]
                if i == last_import and self.resources:
                    body += self._borrowed_imports() + [self._app_statement()]
                continue
            if pending:
                new[0] = new[0].with_changes(leading_lines=[*pending, *new[0].leading_lines])
                pending = []
            body.extend(new)
            if i == last_import and self.resources:
                body += self._borrowed_imports() + [self._app_statement()]
        if not self.resources:
            return body
        if last_import < 0:
            body.insert(0, cst.parse_statement("import runpod\n"))
            body.insert(1, self._app_statement())
        return body

    def _imported_name(self, cfg: Config, ref: str | None, where: cst.CSTNode) -> None:
        """tetra-rp does not follow a config imported from another module: it names the resource after
        the variable (and builds it as LiveServerless); 2.0 uses the config's own name."""
        if cfg.cls != "Endpoint" and ref in self.scan.project_imports and ref != cfg.name:
            self.notes.append(
                note(
                    "FL958",
                    self.path,
                    self.where(where),
                    f"tetra-rp built this as resource '{ref}' (a LiveServerless queue named after the imported variable); "
                    f"runpod 2.0 declares it as its config says: '{cfg.name}'",
                    resource=ref,
                    setting="resource",
                    new_resource=cfg.name,
                )
            )

    def _borrow(self, args: list[cst.Arg], ref: str | None) -> None:
        """Names a config from another module brings along (`CpuInstanceType`, a volume variable)."""
        source = self.scan.project_imports.get(ref or "")
        if source is None:
            return
        bound = module_bindings(self.module)
        for arg in args:
            for name in (n.value for n in names_in(arg.value)):
                if name not in bound and name != "runpod":
                    self.borrowed.setdefault("runpod" if name in KEPT_NAMES else source[0], set()).add(name)

    def _borrowed_imports(self) -> list[cst.BaseStatement]:
        return [
            cst.parse_statement(f"from {module} import {', '.join(sorted(names))}\n")
            for module, names in sorted(self.borrowed.items())
        ]

    def _app_statement(self) -> cst.SimpleStatementLine:
        if self.ctx.app_import is not None:
            alias = f" as {self.app_var}" if self.app_var != "app" else ""
            return cst.parse_statement(f"from {self.ctx.app_import} import app{alias}\n")
        return cst.parse_statement(f"{self.app_var} = runpod.App({string(self.ctx.app_name).value})\n").with_changes(
            leading_lines=[cst.EmptyLine()]
        )

    def _imports(self, stmt: cst.SimpleStatementLine) -> list[cst.BaseStatement]:
        """Old-package imports → `import runpod` (+ `from runpod import <kept names>`); imports of removed configs go."""
        out: list[cst.BaseStatement] = []
        for small in stmt.body:
            if small in self.scan.old_imports:
                kept = [a for a in small.names if alias_name(a) in KEPT_NAMES]
                line = cst.parse_statement("import runpod\n")
                if self.scan.old_imports.index(small) == 0:
                    out.append(line.with_changes(leading_lines=stmt.leading_lines))
                if kept:
                    names = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in kept]
                    out.append(
                        cst.parse_statement(
                            "from runpod import " + ", ".join(cst.Module([]).code_for_node(a) for a in names) + "\n"
                        )
                    )
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar) and small.module:
                names = [a for a in small.names if not self._removed_import(small, a)]
                if names:
                    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    out.append(
                        stmt.with_changes(body=[small.with_changes(names=names)])
                        if len(stmt.body) == 1
                        else cst.SimpleStatementLine([small.with_changes(names=names)])
                    )
            else:
                out.append(cst.SimpleStatementLine([small]) if len(stmt.body) > 1 else stmt)
        if out and out[0] is not stmt and not out[0].leading_lines and stmt.leading_lines:
            out[0] = out[0].with_changes(leading_lines=stmt.leading_lines)
        return out

    def _removed_import(self, node: cst.ImportFrom, alias: cst.ImportAlias) -> bool:
        local = alias.asname.name.value if alias.asname else alias_name(alias)
        target = self.scan.project_imports.get(local)
        return target in self.ctx.configs and target not in self.ctx.stubs


def _swap_decorator(node, old: cst.Decorator, new: cst.Decorator):
    return node.with_changes(
        decorators=[new.with_changes(leading_lines=old.leading_lines) if d is old else d for d in node.decorators]
    )


def _remote_extras(call: cst.Call) -> list[cst.Arg]:
    """`@remote(cfg, dependencies=[...], system_dependencies=[...])` keywords that 2.0 takes as they are."""
    return [
        kw(a.keyword.value, a.value)
        for a in call.args
        if a.keyword and a.keyword.value in ("dependencies", "system_dependencies")
    ]
