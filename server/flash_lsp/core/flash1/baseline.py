"""Top-level import names of a fresh venv holding only `pip install runpod-flash==1.21.0` (read
from its site-packages), assumed when no build interpreter is found for a 1.x project."""

from __future__ import annotations

FLASH1_BASELINE = frozenset(
    """InquirerPy _brotli _cffi_backend _distutils_hack _yaml agent_detector aiodns aiohappyeyeballs aiohttp
    aiohttp_retry aiosignal annotated_doc annotated_types anyio attr attrs backoff backports bcrypt boto3
    botocore brotli certifi cffi charset_normalizer click cloudpickle colorama cpuinfo cryptography dateutil
    detect_installer dns dotenv email_validator fastapi fastapi_cli fastapi_cloud_cli fastar frozenlist google
    h11 httpcore httpcore2 httptools httpx httpx2 idna invoke itsdangerous jinja2 jmespath markdown_it
    markupsafe mdurl multidict multipart nacl opentelemetry paramiko pathspec pfzy pip pkg_resources
    prettytable prompt_toolkit propcache psutil pycares pycparser pydantic pydantic_core pydantic_extra_types
    pydantic_settings pygments python_multipart questionary requests rich rich_toolkit rignore runpod
    runpod_flash s3transfer sentry_sdk setuptools shellingham six starlette tomli tomlkit tqdm tqdm_loggable
    truststore typer typing_extensions typing_inspection urllib3 uvicorn uvloop watchdog watchfiles wcwidth
    websockets yaml yarl""".split()
)
BASELINE_PYDANTIC = "2.14"
