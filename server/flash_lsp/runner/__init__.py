"""Run the user's real `flash build` out of process and make sense of what it did.

No pygls/lsprotocol here: the LSP adapter turns these events, findings and reports into
progress notifications, diagnostics and previews.
"""

from .build_process import BuildHandle, BuildOptions, BuildRunner
from .clean import CleanResult, clean, remove_unfinished
from .drift import DriftItem, DriftReport, compare_build, drift_for_project
from .errors import BuildFinding, FindingCollector, SourceLocation, locate, parse_build_output
from .events import AlreadyRunning, BuildEvent, Finished, Output, Progress, Started
from .interpreter import FlashCommand, FlashNotFound, choose_interpreter, resolve_flash
from .locator import BuildLocator
from .recommend import ExclusionAdvice, recommend_exclusions
from .report import PackageReport, package_report

__all__ = [
    "AlreadyRunning",
    "BuildEvent",
    "BuildFinding",
    "BuildHandle",
    "BuildLocator",
    "BuildOptions",
    "BuildRunner",
    "CleanResult",
    "DriftItem",
    "DriftReport",
    "ExclusionAdvice",
    "FindingCollector",
    "Finished",
    "FlashCommand",
    "FlashNotFound",
    "Output",
    "PackageReport",
    "Progress",
    "SourceLocation",
    "Started",
    "choose_interpreter",
    "clean",
    "compare_build",
    "drift_for_project",
    "locate",
    "package_report",
    "parse_build_output",
    "recommend_exclusions",
    "remove_unfinished",
    "resolve_flash",
]
