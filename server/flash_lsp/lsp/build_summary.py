"""The one-line end of a build or package, as the output, the progress and the client show it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runner import Finished, PackageReport
    from .features.build_commands import BuildJob


def build_summary(job: BuildJob, finished: Finished, report: PackageReport | None) -> str:
    """One line on how a build or package ended (progress end, output, log, client pop-up)."""
    verb = "Package" if job.package else "Build"
    if finished.error:
        return f"{verb} of {job.name} could not run: {finished.error}"
    if finished.cancelled:
        return f"{verb} of {job.name} cancelled"
    if finished.timed_out:
        return f"{verb} of {job.name} timed out after {job.options.timeout:g} s"
    errors = [f for f in finished.findings if f.severity == "error"]
    warnings = [f for f in finished.findings if f.severity == "warning"]
    if not finished.succeeded:
        first = f": {errors[0].message}" if errors else ""
        return f"{verb} of {job.name} failed (exit code {finished.exit_code}){first}"
    text = f"{verb} of {job.name} succeeded in {finished.duration:.1f} s"
    if warnings:
        text += f" with {len(warnings)} warning(s)"
    if report is not None and report.archive_mib is not None:
        text += f"; {report.archive}: {report.archive_mib:.1f} MB of {report.limit_mb:g} MB"
        if report.drift is not None:
            text += "; no drift" if report.drift.no_drift else f"; {len(report.drift.items)} drift difference(s)"
    return text
