"""The import names of a fresh venv holding only `runpod==2.0.0rc2` (pip's resolution on
2026-12-05, with pip and setuptools): what discovery can import when no build interpreter is found
(docs/runpod2.md, "Which interpreter")."""

RUNPOD2_BASELINE = frozenset({
    "InquirerPy", "_brotli", "_cares", "_cffi_backend", "_distutils_hack", "_sodium", "_yaml",
    "agent_detector", "aiodns", "aiohappyeyeballs", "aiohttp", "aiohttp_retry", "aiosignal", "annotated_doc",
    "annotated_types", "anyio", "attr", "attrs", "backoff", "backports", "bcrypt", "boto3", "botocore",
    "brotli", "certifi", "cffi", "charset_normalizer", "click", "cloudpickle", "colorama", "cpuinfo",
    "cryptography", "dateutil", "detect_installer", "dns", "dotenv", "email_validator", "fastapi",
    "fastapi_cli", "fastapi_cloud_cli", "fastar", "frozenlist", "google", "h11", "httpcore", "httpcore2",
    "httptools", "httpx", "httpx2", "idna", "invoke", "itsdangerous", "jinja2", "jmespath", "markdown_it",
    "markupsafe", "mdurl", "multidict", "multipart", "nacl", "opentelemetry", "paramiko", "pathspec", "pfzy",
    "pip", "pkg_resources", "prettytable", "prompt_toolkit", "propcache", "psutil", "pycares", "pycparser",
    "pydantic", "pydantic_core", "pydantic_extra_types", "pydantic_settings", "pygments", "python_multipart",
    "requests", "rich", "rich_toolkit", "rignore", "runpod", "s3transfer", "sentry_sdk", "setuptools",
    "shellingham", "six", "starlette", "tomli", "tomlkit", "tqdm", "tqdm_loggable", "truststore", "typer",
    "typing_extensions", "typing_inspection", "urllib3", "uvicorn", "uvloop", "watchdog", "watchfiles",
    "wcwidth", "websockets", "yaml", "yarl",
})
BASELINE_PYTHON = "3.12"
