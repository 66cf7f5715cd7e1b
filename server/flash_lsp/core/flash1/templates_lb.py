"""The load-balanced handler template of runpod-flash 1.x (1.4.0 to 1.21.0).

Upstream made it from tetra-rp's 0.22–0.24 template by dropping the mothership code: the imports
that code needed and the body of `lifespan` between its two log lines. It is derived here the same
way, so the shared text exists once; `flash build` output is compared byte for byte in the tests.
"""

from __future__ import annotations

from ..handler_templates import LB_HANDLER_024

_TETRA_IMPORTS = """import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from tetra_rp.runtime.lb_handler import create_lb_handler
"""
_FLASH1_IMPORTS = """import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from runpod_flash.runtime.lb_handler import create_lb_handler
"""
_LIFESPAN_START = '    """Handle application startup and shutdown."""\n'
_LIFESPAN_END = '    logger.info("Shutting down {resource_name} endpoint")\n'
_LIFESPAN_BODY = '    logger.info("Starting {resource_name} endpoint")\n    yield\n'


def _derive(tetra: str) -> str:
    if tetra.count(_TETRA_IMPORTS) != 1:
        raise AssertionError("tetra-rp LB template no longer has the expected imports")
    text = tetra.replace(_TETRA_IMPORTS, _FLASH1_IMPORTS)
    head, sep, rest = text.partition(_LIFESPAN_START)
    _body, sep2, tail = rest.partition(_LIFESPAN_END)
    if not sep or not sep2:
        raise AssertionError("tetra-rp LB template no longer has the expected lifespan")
    return head + sep + _LIFESPAN_BODY + sep2 + tail


LB_HANDLER_TEMPLATE = _derive(LB_HANDLER_024)
