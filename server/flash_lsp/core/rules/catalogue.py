"""Every diagnostic code Flash LSP emits, with its default severity and a one-line title."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Diagnostic, Related, Severity, Span


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str

    def at(self, path: str, span: Span, message: str, related: tuple[Related, ...] = (), **data) -> Diagnostic:
        return Diagnostic(self.code, self.severity, message, path, span, related, data)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

_RULES = [
    # resource configs
    Rule("FL101", E, "resource config is not defined in this module"),
    Rule("FL102", E, "resource config is defined after the decorator that uses it"),
    Rule("FL103", W, "assignment the build does not recognise as a resource config"),
    Rule("FL104", W, "resource config imported from another module"),
    Rule("FL105", W, "inline resource config"),
    Rule("FL106", W, "resource config name is not a string literal"),
    Rule("FL107", W, "two configs share one resource name and are merged"),
    # decorators
    Rule("FL201", E, "@remote without a resource config"),
    Rule("FL202", E, "aliased remote decorator is not recognised by the build"),
    Rule("FL203", E, "resource config given as an attribute is skipped by the build"),
    Rule("FL204", E, "@remote on a nested function or method cannot be imported by the worker"),
    # hard build errors
    Rule("FL301", E, "function name used by more than one @remote"),
    Rule("FL302", E, "duplicate route in a load-balanced endpoint"),
    Rule("FL303", E, "reserved path"),
    Rule("FL304", E, "load-balanced function without method and path"),
    Rule("FL305", E, "resource name gives an invalid handler file"),
    Rule("FL306", W, "resource name gives a handler file the build cannot write"),
    Rule("FL307", E, "main.py is missing: flash build refuses to run"),
    # silent pitfalls
    Rule("FL401", E, "invalid HTTP method drops every function of the file"),
    Rule("FL402", E, "lower-case HTTP method"),
    Rule("FL403", W, "method/path on a queue-based endpoint are ignored"),
    Rule("FL404", E, "syntax error: the build skips this file"),
    Rule("FL405", W, "file is not UTF-8: the build skips it"),
    Rule("FL406", W, "deployment fields will be missing from the manifest"),
    Rule("FL407", I, "deployment field cannot be predicted statically"),
    Rule("FL408", W, "mothership name collides with an endpoint"),
    Rule("FL409", W, "main.py does not contain a FastAPI app"),
    Rule("FL410", E, "importing the module at build time exits the build"),
    # dependencies
    Rule("FL501", W, "dependencies of an async function are not installed"),
    Rule("FL502", W, "dependencies outside workers/ are not installed"),
    Rule("FL503", W, "dependencies that are not a literal list are not installed"),
    Rule("FL504", E, "requirements.txt line that makes pip fail"),
    Rule("FL505", I, "pyproject.toml dependencies are not read by flash build"),
    Rule("FL506", W, "exclusion matches no requirement"),
    # shipped files
    Rule("FL601", W, "secret file shipped in the archive"),
    Rule("FL602", W, "junk shipped in the archive"),
    Rule("FL603", W, "stale build output shipped in the archive"),
    Rule("FL604", W, "no @remote functions found"),
    # runpod-flash 1.x: discovery by import, the Endpoint API, manifest validation
    Rule("FL420", E, "importing this file at build time raises: the build fails with 'Failed to load'"),
    Rule("FL421", W, "module-level code with side effects runs during flash build"),
    Rule("FL422", E, "the manifest builder rejects the project"),
    Rule("FL423", I, "value cannot be predicted statically"),
    Rule("FL424", W, "deployment fields will be missing from the manifest"),
    Rule("FL425", E, "flash build finds no Python file"),
    # runpod-flash 1.x: generated handlers, shipped files and the local-module closure check
    Rule("FL470", E, "shipped code imports a local module the ignore rules exclude: the build stops"),
    Rule("FL471", E, "an endpoint file's local imports cannot be followed: the build stops"),
    Rule("FL472", W, "local imports cannot be followed: the build skips this file's check"),
    Rule("FL473", W, "dynamic import with a computed module name"),
    Rule("FL474", W, ".flashignore is no longer read (and is shipped)"),
    Rule("FL475", E, "the generated handler is rejected: the build stops"),
    Rule("FL476", W, "handler file cannot be written: generation stops there"),
    Rule("FL477", W, "max_concurrency the handler generator warns about"),
    Rule("FL478", W, "function grouped into a queue-based endpoint whose handler serves another one"),
    # migration to runpod 2.0 (flash_lsp.migrate)
    Rule("FL950", I, "deployment setting without a runpod 2.0 equivalent: not carried over"),
    Rule("FL951", I, "client-mode endpoint becomes a runpod.Queue/runpod.Api stub: runpod 2.0 does not deploy it"),
    Rule("FL952", I, "resource runpod 2.0 does not build: not carried over"),
    Rule("FL953", W, "code the migration leaves unchanged"),
    Rule("FL954", W, "torch would be vendored into the runpod 2.0 artifact"),
    Rule("FL955", I, "one old resource becomes several runpod 2.0 resources"),
    Rule("FL956", I, "call to a deployed endpoint needs rewriting by hand"),
    Rule("FL957", E, "file does not parse: the migration skips it"),
    Rule("FL958", I, "the old build named this resource after a variable, not after its config"),
]

CATALOGUE: dict[str, Rule] = {r.code: r for r in _RULES}
