"""Catalogue entries for what a real `flash build` reported (FL7xx), shown where the code is.

`kinds` are the runner's names for the findings it parses from the build output
(`flash_lsp.runner.errors`); the runner imports nothing of ours, so the mapping lives here.
"""

from __future__ import annotations

from ..model import Severity
from .catalogue import BUILD, Rule

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

BUILD_RULES = (
    Rule("FL701", W, "the real build differs from the prediction", BUILD,
         build="`flash.package` compares the build directory it produced with Flash LSP's prediction (manifest, "
               "handlers, files) and reports each difference.",
         example="manifest: resource 'gpu' predicted but not built",
         fix="Read the package report; report a difference you cannot explain as a Flash LSP bug."),
    Rule("FL702", E, "the build failed: duplicate function name", BUILD,
         build="Stopped: two @remote functions share a name (predicted as FL301).",
         example="Duplicate function name 'infer' found in resources 'gpu' and 'cpu'",
         fix="Rename one of the functions.", kinds=("duplicate_function",)),
    Rule("FL703", E, "the build failed: duplicate route", BUILD,
         build="Stopped: two functions of a load-balanced endpoint share method and path (predicted as FL302).",
         example="Duplicate route 'GET /x' in resource 'api': both 'a' and 'b' are mapped to the same route",
         fix="Give each function its own route.", kinds=("duplicate_route",)),
    Rule("FL704", E, "the build failed: reserved path", BUILD,
         build="Stopped: a function uses a path the endpoint reserves (predicted as FL303).",
         example="Function 'ping' cannot use reserved path '/ping'",
         fix="Choose another path.", kinds=("reserved_path",)),
    Rule("FL705", E, "the build failed: load-balanced function without route", BUILD,
         build="Stopped: a load-balanced function has no method and path (predicted as FL304).",
         example="LoadBalancedServerless endpoint 'api' requires method and path for function 'run'",
         fix="Add method= and path= to the decorator.", kinds=("lb_without_route",)),
    Rule("FL706", E, "the build failed: generated handler has syntax errors", BUILD,
         build="Stopped: a resource name made the generated handler invalid Python (predicted as FL305).",
         example="Handler has syntax errors: unterminated string literal (handler_my'api.py, line 12)",
         fix="Avoid quotes and backslashes in resource names and paths.", kinds=("handler_syntax_error",)),
    Rule("FL707", W, "the build could not write a handler", BUILD,
         build="Warned 'Handler generation failed' and wrote no further handlers (predicted as FL306).",
         example="Warning: Handler generation failed: [Errno 2] No such file or directory: '.../handler_a/b.py'",
         fix="Use a resource name that is a valid file name.", kinds=("handler_generation_failed",)),
    Rule("FL708", W, "the build skipped a file with a syntax error", BUILD,
         build="Skipped the file's @remote functions and shipped it (predicted as FL404).",
         example="Syntax error in workers/bad.py: invalid syntax (line 1)",
         fix="Fix the syntax error.", kinds=("syntax_error",)),
    Rule("FL709", E, "the build failed: main.py not found", BUILD,
         build="Stopped before building anything (predicted as FL307).",
         example="main.py not found in /home/me/project",
         fix="Add main.py to the project root.", kinds=("main_py_missing",)),
    Rule("FL710", W, "the build found no FastAPI app in main.py", BUILD,
         build="Warned and went on (predicted as FL409).",
         example="main.py does not appear to have a FastAPI app",
         fix="Define `app = FastAPI()` in main.py.", kinds=("main_py_not_fastapi",)),
    Rule("FL711", E, "the build failed: code analysis failed", BUILD,
         build="Stopped while scanning the project for @remote functions.",
         example="Code analysis failed: ...",
         fix="Read the message in the build output; it names the failing file or construct.",
         kinds=("code_analysis_failed",)),
    Rule("FL712", E, "the build failed: pip could not install a requirement", BUILD,
         build="Stopped while installing dependencies (predicted as FL504 or FL810 when the cause is visible).",
         example="pip could not install 'nonexistent-pkg==9.9': No matching distribution found",
         fix="Fix the requirement (name, version, markers).", kinds=("requirement_failed",)),
    Rule("FL713", E, "the build failed: installing dependencies failed", BUILD,
         build="Stopped: pip failed, timed out, or no pip was found in the build's interpreter.",
         example="Failed to install dependencies: ERROR: ...",
         fix="Read the pip output in the build output; install pip in the interpreter the build uses.",
         kinds=("pip_failed",)),
    Rule("FL714", W, "the archive exceeds the size limit", BUILD,
         build="tetra-rp warns and still writes the archive; runpod-flash 1.x fails (then an error). Predicted "
               "as FL801.",
         example="Archive exceeds RunPod limit: 612.3 MB > 500 MB (over by 112.3 MB)",
         fix="Exclude what the worker image already has (--exclude torch,...), drop unused requirements.",
         kinds=("archive_too_large",)),
    Rule("FL715", W, "an exclusion matched no requirement", BUILD,
         build="Warned 'No packages matched exclusions' (predicted as FL506).",
         example="No packages matched exclusions: my_pkg",
         fix="Write the exclusion exactly as the requirement's name is written.", kinds=("exclusion_unmatched",)),
    Rule("FL716", INFO, "the build found no @remote functions", BUILD,
         build="Built nothing to deploy (predicted as FL604).",
         example="No @remote functions found",
         fix="Decorate the functions to deploy with @remote(config).", kinds=("no_resources",)),
    Rule("FL717", E, "the build reported an error", BUILD,
         build="Any other error line of the build output.",
         example="Error: ...",
         fix="Read the message in the build output.", kinds=("build_error",)),
)
