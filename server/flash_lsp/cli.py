"""`flash-lsp`: the language server (`serve`) and headless commands over the analysis core."""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.deps import parse_exclusions
from .core.environment import detect_environment
from .core.model import Severity
from .core.profile_detect import detect_profile
from .core.profiles import PROFILES, Profile, get_profile
from .core.project import Project, ProjectModel
from .core.report import endpoints, render_check_text
from .migrate.command import add_migrate_command

if TYPE_CHECKING:
    from .bundle.verdict import PipVerdict

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXCLUDE_HELP = "packages the build leaves out, as `flash build --exclude` / `rp flash deploy --exclude` (a,b)"
# control characters (C0 but newline, DEL, C1), bidirectional overrides and lone surrogates: a file
# or config name holding them could move the cursor, recolour or rewrite the user's terminal
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def escape(text: str) -> str:
    """`text` with every character that could act on a terminal shown as a `\\x..`/`\\u....` escape."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _print(text: str, file=None) -> None:
    print(escape(text), file=file or sys.stdout)


class UsageError(Exception):
    """Bad input that gets one clear line and exit code 2."""


def main(argv: list[str] | None = None) -> int:
    """Run one command; `argv` None: the program's own arguments, and a command that only prints
    an analysis ends the process itself (`_exit_without_teardown`)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    if getattr(args, "python", None) and os.sep in args.python:  # a path: resolvers run in a temp dir
        args.python = os.path.abspath(args.python)
    if args.command != "serve":
        # one-shot: the analysis allocates many small acyclic objects, and the default collector
        # (every 700 allocations) costs a quarter of the time on a large project
        gc.set_threshold(100_000, 20, 100)
    try:
        code = args.run(args)
    except UsageError as exc:
        _print(f"flash-lsp: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    if argv is None and args.command in _ANALYSIS_ONLY:
        _exit_without_teardown(code)
    return code


# commands that start no process, thread or temporary file: nothing is left to clean up at exit
_ANALYSIS_ONLY = frozenset({"manifest", "files", "handlers"})


def _exit_without_teardown(code: int) -> None:
    """Flush the output and end the process without freeing the analysis object by object: the
    interpreter's teardown costs ~4% of a one-shot run on a 10,000-module project."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = EXIT_OK
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flash-lsp", description="Predict what Runpod Flash's `flash build` will do.")
    parser.add_argument("--version", action="version", version=f"flash-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.add_argument("--log-file", help="write the server log here")
    serve.set_defaults(run=_serve)

    def project_command(name: str, help_text: str, run) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
        p.add_argument(
            "--profile",
            default="auto",
            choices=["auto", *sorted(PROFILES)],
            help="Flash version family (default auto: the Flash package installed or pinned, else the one the sources import)",
        )
        p.add_argument(
            "--python",
            metavar="INTERPRETER",
            help="the interpreter `flash build` runs with (default: the project's .venv)",
        )
        p.set_defaults(run=run)
        return p

    check = project_command("check", "print diagnostics and the endpoints the build will create", _check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    _resolution_options(check)
    manifest = project_command("manifest", "print the predicted flash_manifest.json", _manifest)
    manifest.add_argument("--exclude", default=None, metavar="A,B", help=EXCLUDE_HELP)  # runpod 2.0 lists them
    handlers = project_command("handlers", "write the predicted handler files", _handlers)
    handlers.add_argument("--out", required=True, metavar="DIR", help="directory to write the handler files into")
    project_command("files", "list the project files the archive will carry", _files)
    size = project_command("size", "predict the archive size (resolves dependencies for Linux x86_64)", _size)
    size.add_argument("--format", choices=("text", "json"), default="text")
    _resolution_options(size)
    size.add_argument(
        "--requirement",
        action="append",
        metavar="REQ",
        help="size these requirement strings alone, as the build passes them to pip (repeat; no PATH)",
    )
    size.add_argument("--gpu", action="store_true", help="with --requirement: the project has GPU endpoints")
    size.add_argument("--no-uv", action="store_true", help="do not use uv for the fast provisional answer")
    add_migrate_command(sub, _checked_root)
    return parser


def _resolution_options(p: argparse.ArgumentParser) -> None:
    """What `flash build --exclude` gets, and whether pip may reach the index."""
    p.add_argument("--exclude", default=None, metavar="A,B", help=EXCLUDE_HELP)
    p.add_argument("--offline", action="store_true", help="answer from the cache or installed packages only")


def _checked_root(path: str) -> Path:
    root = Path(path)
    if not root.exists():
        raise UsageError(f"no such directory: {path}")
    if not root.is_dir():
        raise UsageError(f"not a directory: {path} (give the project directory that contains main.py)")
    if not os.access(root, os.R_OK | os.X_OK):
        raise UsageError(f"cannot read directory: {path}")
    return root


def _profile(args, root: Path, reads: dict) -> Profile:
    """The profile asked for, or the detected one (`auto`), remembered on `args` for the header;
    `reads` receives the files the detection read."""
    if args.profile != "auto":
        args.profile_reason = "chosen with --profile"
        return get_profile(args.profile)
    profile, args.profile_reason = detect_profile(root.resolve(), args.python, reads)
    return profile


def _analyze(args, with_diagnostics: bool = True) -> ProjectModel:
    """One analysis of the project: each file is read once (nothing changes it meanwhile); the
    commands that print a build output skip the diagnostics rules."""
    root = _checked_root(args.path)
    reads: dict = {}
    profile = _profile(args, root, reads)
    environment = detect_environment(root.resolve(), args.python, profile)
    exclusions = parse_exclusions(getattr(args, "exclude", None))
    project = Project(
        root, profile, environment, os.environ, exclusions, trust_disk_cache=True, with_diagnostics=with_diagnostics
    )
    project.read_ahead(reads)
    return project.analyze()


def _check(args) -> int:
    from .bundle.verdict import combined_outcome

    model = _analyze(args)
    verdict, size_findings = _pip_verdict(model, args)
    model.outcome = combined_outcome(model.outcome, verdict)  # the same model: runpod 2.0 keeps its App list on it
    model.diagnostics = [*model.diagnostics, *size_findings]
    if args.format == "json":
        print(json.dumps(_check_json(model, args, verdict), indent=2))
    else:
        _print(render_check_text(model, getattr(args, "profile_reason", "")))
    failed = model.outcome.succeeds is False or any(d.severity == Severity.ERROR for d in model.diagnostics)
    return EXIT_FINDINGS if failed else EXIT_OK


def _pip_verdict(model: ProjectModel, args) -> tuple[PipVerdict, list]:
    """pip's verdict on the requirements (from the size cache, or resolved now unless --offline)
    and the size findings of that resolution."""
    from .bundle import SizePredictor
    from .bundle.diagnostics import size_diagnostics
    from .bundle.request import request_for
    from .bundle.verdict import pip_verdict

    verdict = pip_verdict(model, None)
    if verdict.state != "unknown":
        return verdict, []
    request = request_for(model)
    predictor = SizePredictor(python=args.python, offline=args.offline)
    try:
        estimate = predictor.estimate_sync(request, mode="cached" if args.offline else "authoritative")
    finally:
        predictor.close()
    findings = size_diagnostics(model, model.root, str(model.root), estimate, request)
    return pip_verdict(model, estimate), findings


def _check_json(model: ProjectModel, args, verdict: PipVerdict) -> dict:
    return {
        "project": str(model.root),
        "profile": model.profile.name,
        "profile_release": model.profile.release or None,
        "profile_reason": getattr(args, "profile_reason", ""),
        "build": {
            "succeeds": model.outcome.succeeds,  # None: pip's verdict is unknown, or a step is uncertain
            "errors": model.outcome.errors,
            "warnings": model.outcome.warnings,
            "uncertain": [u.to_json() for u in model.outcome.uncertain],
            "dependencies": verdict.to_json(),
        },
        "diagnostics": [d.to_json() for d in model.diagnostics],
        "endpoints": endpoints(model),
        "files": model.files.files,
        "requirements": [r.text for r in model.requirements.installed],
        "environment": model.environment.source,
    }


def _manifest(args) -> int:
    model = _analyze(args, with_diagnostics=False)
    text = model.manifest_text()
    if text is None:
        reason = "; ".join(model.outcome.errors) or "the build writes no manifest for this project"
        _print(f"flash-lsp: no manifest: {reason}", file=sys.stderr)
        return EXIT_FINDINGS
    sys.stdout.write(text)  # JSON: ASCII only, control characters escaped
    sys.stdout.flush()
    return EXIT_OK


def _handlers(args) -> int:
    model = _analyze(args, with_diagnostics=False)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is not a directory: {out}")
    if not model.outcome.succeeds:
        _print(f"flash-lsp: the build fails: {'; '.join(model.outcome.errors)}", file=sys.stderr)
        return EXIT_FINDINGS
    for relpath, text in model.handlers.files.items():
        target = out / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        _print(relpath)
    return EXIT_OK


def _files(args) -> int:
    model = _analyze(args, with_diagnostics=False)
    for relpath in sorted(model.files.files):
        _print(relpath)
    return EXIT_OK


def _size(args) -> int:
    from .bundle import SizePredictor
    from .bundle.format import format_estimate

    request = _requirements_request(args) if args.requirement else _project_request(args)
    predictor = SizePredictor(python=args.python, offline=args.offline, use_uv=not args.no_uv)
    try:
        estimate = predictor.estimate_sync(request)
    finally:
        predictor.close()
    if args.format == "json":
        print(json.dumps(estimate.to_dict(), indent=2))
    else:
        _print(format_estimate(estimate))
    return EXIT_FINDINGS if estimate.archive_bytes is None else EXIT_OK


def _project_request(args):
    from .bundle.request import request_for

    return request_for(_analyze(args))


def _requirements_request(args):
    """The requirement strings alone, for this interpreter's Python, after `--exclude`."""
    from .bundle import SizeRequest, split_requirements

    if args.path != ".":
        raise UsageError("--requirement sizes requirement strings alone: give no PATH")
    exclusions = parse_exclusions(args.exclude)
    kept, removed, _unmatched = split_requirements(list(dict.fromkeys(args.requirement)), exclusions)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return SizeRequest.make(kept, python, exclusions=exclusions, excluded_requirements=removed, gpu=args.gpu)


def _serve(args) -> int:
    from .lsp.server import run

    return run(tcp=args.tcp, log_file=args.log_file)
