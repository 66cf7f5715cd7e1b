"""`Endpoint`, `remote()` and the resource classes of runpod-flash 1.x, evaluated on simulated
values (docs/flash1.md, "The Endpoint API"). Each check raises `Raised` with the exception type and
the exact text the real code raises; values we cannot know (`UNKNOWN`) skip the check.
"""

from __future__ import annotations

from typing import Any

from ..model import Span
from ..module_exec import UNKNOWN
from .api import (
    CPU_CLASSES,
    CPU_DATACENTERS,
    CUDA_VERSIONS,
    ENDPOINT_PARAMETERS,
    ENUMS,
    HTTP_METHODS_SET_REPR,
    LB_CLASSES,
    LIVE_CLASSES,
    REMOTE_PARAMETERS,
    SUPPORTED_PYTHON_VERSIONS,
    cpu_disk_limit,
)
from .values import (
    CodeValue,
    ConfigValue,
    EndpointValue,
    Member,
    RemoteConfig,
    RemoteDecorator,
    RouteDecorator,
    TemplateValue,
    VolumeValue,
)

_RESERVED = ("/execute", "/ping")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


class Raised(Exception):
    """An exception the real code raises: its type name and its `str()`."""

    def __init__(self, exc_type: str, message: str, argument: str | int | None = None):
        super().__init__(message)
        self.exc_type = exc_type
        self.message = message
        self.argument = argument  # the keyword (or positional index) the error is about


def _known(*values: Any) -> bool:
    return all(v is not UNKNOWN for v in values)


# -- Endpoint(...) ---------------------------------------------------------------------------


def make_endpoint(
    args: list, kwargs: dict, span: Span, pydantic: str = "2.12", accepted: frozenset[str] | None = None
) -> EndpointValue:
    """`Endpoint.__init__`: the checks in the order the constructor makes them (`accepted`: the
    release's keywords, default every one)."""
    if len(args) > 1:
        raise Raised(
            "TypeError", f"Endpoint.__init__() takes from 1 to 2 positional arguments but {len(args) + 1} were given"
        )
    for key in kwargs:
        if key not in (ENDPOINT_PARAMETERS if accepted is None else accepted):
            raise Raised("TypeError", f"Endpoint.__init__() got an unexpected keyword argument '{key}'", key)
    kw = {**{k: v for k, v in ENDPOINT_PARAMETERS.items() if k != "min_cuda_version"}, **kwargs}
    kw.setdefault("min_cuda_version", Member("CudaVersion", "V12_8"))
    if args:
        kw["name"] = args[0]
    gpu, cpu, ident, image, name = kw["gpu"], kw["cpu"], kw["id"], kw["image"], kw["name"]
    if gpu is not None and cpu is not None and _known(gpu, cpu):
        raise Raised("ValueError", "gpu and cpu are mutually exclusive. specify one or neither.", "cpu")
    if ident is not None and image is not None and _known(ident, image):
        raise Raised(
            "ValueError",
            "id and image are mutually exclusive. id= connects to an existing endpoint, image= deploys a new one.",
            "image",
        )
    if name is None and ident is None and image is not None and _known(image):
        raise Raised("ValueError", "name or id is required when image= is set.", "image")
    concurrency = kw["max_concurrency"]
    if isinstance(concurrency, int) and concurrency < 1:
        raise Raised("ValueError", f"max_concurrency must be >= 1, got {concurrency}", "max_concurrency")
    kw["gpu"] = _normalize_gpu(gpu)
    kw["cpu"] = _normalize_cpu(cpu)
    kw["workers"] = _normalize_workers(kw["workers"])
    kw["volume"] = _normalize_volumes(kw["volume"])
    if cpu is None and kw["gpu"] is None and ident is None:
        kw["gpu"] = [Member("GpuGroup", "ANY")]
    if cpu is None and ident is None and not kw["datacenter"] and kw["datacenter"] is not UNKNOWN:
        kw["datacenter"] = [Member("DataCenter", m) for m in ENUMS["DataCenter"]]
    return EndpointValue(kw, span, name=name, pydantic=pydantic)


def _normalize_gpu(gpu: Any) -> Any:
    if gpu is None or gpu is UNKNOWN:
        return gpu
    if isinstance(gpu, Member) and gpu.enum in ("GpuGroup", "GpuType"):
        return [gpu]
    if isinstance(gpu, list):
        return gpu
    raise Raised("ValueError", f"gpu must be a GpuGroup, GpuType, or list, got {_type_name(gpu)}", "gpu")


def _cpu_member(value: Any) -> Any:
    if isinstance(value, Member) or value is UNKNOWN:
        return value
    if isinstance(value, str):
        member = next((m for m, v in ENUMS["CpuInstanceType"].items() if v == value), None)
        if member is None:
            raise Raised("ValueError", f"{value!r} is not a valid CpuInstanceType", "cpu")
        return Member("CpuInstanceType", member)
    return value


def _normalize_cpu(cpu: Any) -> Any:
    if cpu is None or cpu is UNKNOWN:
        return cpu
    if isinstance(cpu, (Member, str)):
        return [_cpu_member(cpu)]
    if isinstance(cpu, list):
        return [_cpu_member(c) for c in cpu]
    raise Raised("ValueError", f"cpu must be a CpuInstanceType, string, or list, got {_type_name(cpu)}", "cpu")


def _normalize_workers(workers: Any) -> Any:
    if workers is None:
        return (0, 1)
    if workers is UNKNOWN:
        return (UNKNOWN, UNKNOWN)
    if isinstance(workers, int) and not isinstance(workers, bool) or isinstance(workers, bool):
        low, high = 0, int(workers)
    elif isinstance(workers, (tuple, list)) and len(workers) == 2:
        if not all(isinstance(w, (int, float)) for w in workers):
            return tuple(w if isinstance(w, int) else UNKNOWN for w in workers)
        low, high = int(workers[0]), int(workers[1])
    else:
        raise Raised(
            "ValueError", f"workers must be an int or (min, max) tuple, got {_type_name(workers)}: {workers}", "workers"
        )
    if low < 0 or high < 0:
        raise Raised("ValueError", f"workers cannot be negative: ({low}, {high})", "workers")
    if low > high:
        raise Raised("ValueError", f"workers min ({low}) cannot exceed max ({high})", "workers")
    return (low, high)


def _normalize_volumes(volume: Any) -> Any:
    if volume is None or volume is UNKNOWN:
        return volume
    if isinstance(volume, VolumeValue):
        return [volume]
    if isinstance(volume, list):
        if not volume:
            raise Raised("ValueError", "volume list must not be empty")
        for index, item in enumerate(volume):
            if not isinstance(item, VolumeValue) and item is not UNKNOWN:
                raise Raised(
                    "ValueError",
                    f"volume list elements must be NetworkVolume; element at index {index} is {_type_name(item)}",
                )
        return volume
    raise Raised("ValueError", f"volume must be a NetworkVolume or list of NetworkVolume, got {_type_name(volume)}")


def build_config(ep: EndpointValue, span: Span) -> ConfigValue:
    """`Endpoint._build_resource_config`: during `flash build` the Live classes are chosen."""
    if ep.config is not None:
        return ep.config
    kw = ep.kwargs
    lb, cpu = bool(ep.routes), ep.is_cpu
    low, high = kw["workers"]
    scaler = kw["scaler_type"]
    config_kw: dict[str, Any] = {
        "name": ep.name,
        "workersMin": low,
        "workersMax": high,
        "idleTimeout": kw["idle_timeout"],
        "executionTimeoutMs": kw["execution_timeout_ms"],
        "flashboot": kw["flashboot"],
        "datacenter": kw["datacenter"],
        "scalerType": scaler.value
        if isinstance(scaler, Member)
        else scaler
        if scaler is not None
        else ("REQUEST_COUNT" if lb else "QUEUE_DELAY"),
        "scalerValue": kw["scaler_value"],
    }
    if kw["template"] is not None:
        config_kw["template"] = kw["template"]
    volumes = kw["volume"]
    if volumes is UNKNOWN:
        config_kw["networkVolumes"] = UNKNOWN
    elif volumes is not None:
        config_kw["networkVolume" if len(volumes) == 1 else "networkVolumes"] = (
            volumes[0] if len(volumes) == 1 else volumes
        )
    if kw["env"] is not None:
        config_kw["env"] = kw["env"]
    if cpu:
        config_kw["instanceIds"] = kw["cpu"]
    else:
        config_kw["gpus"] = kw["gpu"]
        config_kw["gpuCount"] = kw["gpu_count"]
    if kw["image"] is not None:
        config_kw["imageName"] = kw["image"]
    if not cpu and kw["min_cuda_version"] is not None:
        config_kw["minCudaVersion"] = kw["min_cuda_version"]
    type_name = (
        ("CpuLiveLoadBalancer" if cpu else "LiveLoadBalancer")
        if lb
        else ("CpuLiveServerless" if cpu else "LiveServerless")
    )
    ep.config = make_config(type_name, config_kw, span, ep.pydantic)
    return ep.config


def endpoint_call(ep: EndpointValue, code: Any) -> Any:
    """`@Endpoint(...)` / `@ep` on a function or class: queue-based."""
    if ep.is_client:
        mode = "id" if ep.kwargs.get("id") is not None else "image"
        raise Raised(
            "ValueError",
            f"cannot use Endpoint({mode}=...) as a decorator. {mode}= endpoints are clients for external/pre-built services. use Endpoint(name=...) for your own code.",
        )
    if ep.routes:
        raise Raised(
            "ValueError",
            "cannot use Endpoint as a direct decorator after registering routes with .get()/.post()/etc. use one pattern or the other.",
        )
    if ep.name is None and isinstance(code, CodeValue):
        ep.name = code.name
    ep.qb_target = code
    config = build_config(ep, ep.span)
    return apply_remote(
        RemoteDecorator(RemoteConfig(config, max_concurrency=ep.kwargs["max_concurrency"], endpoint=ep)), code
    )


def route(ep: EndpointValue, method: str, args: list, kwargs: dict, span: Span) -> Any:
    """`ep.get("/p")` in decorator mode (client endpoints make HTTP calls instead: UNKNOWN)."""
    if ep.is_client:
        return UNKNOWN
    path = args[0] if args else kwargs.get("path", UNKNOWN)
    if len(args) > 1 or set(kwargs) - {"path"}:
        raise Raised(
            "TypeError",
            f"data and keyword arguments are only valid in client mode (Endpoint with id= or image=). in decorator mode, use @api.{method.lower()}('/path') with no extra arguments.",
        )
    if ep.name is None:
        raise Raised(
            "ValueError",
            "name is required for load-balanced endpoints. use Endpoint(name='my-api', ...) when registering routes.",
        )
    if not isinstance(path, str):
        return UNKNOWN
    if not path.startswith("/"):
        raise Raised("ValueError", f"path must start with '/', got: {path}", 0)
    if path in _RESERVED:
        raise Raised(
            "ValueError",
            f"path '{path}' is reserved by the framework. reserved paths: {', '.join(sorted(_RESERVED))}",
            0,
        )
    if ep.qb_target is not None:
        raise Raised(
            "ValueError", "cannot add routes after using Endpoint as a direct decorator. use one pattern or the other."
        )
    return RouteDecorator(ep, method, path, span)


def apply_route(deco: RouteDecorator, code: Any) -> Any:
    ep = deco.endpoint
    name = code.name if isinstance(code, CodeValue) else UNKNOWN
    for method, path, existing in ep.routes:
        if method == deco.method and path == deco.path:
            raise Raised("ValueError", f"duplicate route: {method} {path} (already registered to '{existing}')")
    ep.routes.append((deco.method, deco.path, name))
    config = build_config(ep, deco.span)
    return apply_remote(RemoteDecorator(RemoteConfig(config, deco.method, deco.path, endpoint=ep)), code)


# -- remote() --------------------------------------------------------------------------------


def make_remote(args: list, kwargs: dict) -> RemoteDecorator:
    """`remote(resource_config, ...)`: unknown keywords are rejected with a suggestion."""
    import difflib

    extra = sorted(k for k in kwargs if k not in REMOTE_PARAMETERS)
    if extra:
        known = sorted(REMOTE_PARAMETERS)
        parts = []
        for name in extra:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            parts.append(f"'{name}'" + (f" (Did you mean '{close[0]}'?)" if close else ""))
        noun = "argument" if len(extra) == 1 else "arguments"
        raise Raised("TypeError", f"remote() got unknown keyword {noun}: {', '.join(parts)}", extra[0])
    if not args and "resource_config" not in kwargs:
        raise Raised("TypeError", "remote() missing 1 required positional argument: 'resource_config'")
    config = kwargs.get("resource_config", args[0] if args else UNKNOWN)
    local = kwargs.get("local", args[4] if len(args) > 4 else False)
    method = kwargs.get("method", args[5] if len(args) > 5 else None)
    path = kwargs.get("path", args[6] if len(args) > 6 else None)
    return RemoteDecorator(RemoteConfig(config, method, path, local=local))


def apply_remote(deco: RemoteDecorator, code: Any) -> Any:
    """The decorator `remote()` returns, applied: LB routing checks, then the stub or passthrough."""
    rc = deco.config
    config, method, path = rc.resource, rc.method, rc.path
    if not isinstance(code, CodeValue):
        return UNKNOWN
    local = bool(rc.local) and rc.local is not UNKNOWN
    lb = isinstance(config, ConfigValue) and config.type_name in LB_CLASSES
    if lb and _known(method, path):
        if not method or not path:
            raise Raised(
                "ValueError",
                f"LoadBalancerSlsResource requires both 'method' and 'path' parameters. Got method={method}, path={path}. Example: @remote(resource_config, method='POST', path='/api/process')",
            )
        if isinstance(path, str) and not path.startswith("/"):
            raise Raised("ValueError", f"path must start with '/'. Got: {path}")
        if method not in _METHODS:
            raise Raised("ValueError", f"method must be one of {HTTP_METHODS_SET_REPR}. Got: {method}")
    route_handler = lb and method is not None and path is not None
    remote = RemoteConfig(config, method, path, rc.local, rc.max_concurrency, rc.endpoint)
    wrapped = not (route_handler or local) and not code.is_class
    return CodeValue(
        code.name,
        code.relpath,
        code.span,
        code.is_class,
        code.is_async,
        code.class_methods,
        remote,
        wrapped,
        code.decorator_span,
    )


# -- resource classes ------------------------------------------------------------------------


def make_config(type_name: str, kwargs: dict, span: Span, pydantic: str = "2.12") -> ConfigValue:
    """A resource class called with keywords: the validators whose messages we reproduce."""
    name = kwargs.get("name")
    version = kwargs.get("python_version")
    unsupported = isinstance(version, str) and version not in SUPPORTED_PYTHON_VERSIONS
    docs = f" \n    For further information visit https://errors.pydantic.dev/{pydantic}/v/value_error"
    if unsupported and type_name in LIVE_CLASSES:  # the image default (a "before" validator) checks it first
        problem = f"Python {version} is not supported. Supported versions: {', '.join(SUPPORTED_PYTHON_VERSIONS)}"
        raise Raised(
            "ValidationError", f"1 validation error for {type_name}\n  Value error, {problem}{docs}", "python_version"
        )
    if "name" not in kwargs or name is None:
        missing = docs.replace("/value_error", "/missing")
        raise Raised("ValidationError", f"1 validation error for {type_name}\nname\n  Field required{missing}")
    idle = kwargs.get("idleTimeout", 60)
    if isinstance(idle, int) and not isinstance(idle, bool) and not 1 <= idle <= 3600:
        raise Raised(
            "ValidationError",
            _value_error(type_name, "idleTimeout", "idleTimeout must be between 1 and 3600 seconds", idle, pydantic),
        )
    cuda = kwargs.get("minCudaVersion")
    if isinstance(cuda, str) and cuda not in CUDA_VERSIONS.values():
        raise Raised(
            "ValidationError",
            _value_error(type_name, "minCudaVersion", f"{cuda!r} is not a valid CudaVersion", cuda, pydantic),
        )
    problem = _model_problem(type_name, kwargs)
    if problem:
        raise Raised(
            "ValidationError",
            f"1 validation error for {type_name}\n  Value error, {problem} \n    For further information visit https://errors.pydantic.dev/{pydantic}/v/value_error",
        )
    if isinstance(name, str) and kwargs.get("flashboot", True):
        while name.endswith("-fb"):
            name = name[:-3]
    return ConfigValue(type_name, kwargs, span, name)


def _model_problem(type_name: str, kw: dict) -> str | None:
    """The first model-validator error of a resource class (pydantic prints its input as a
    `[type=..., input_value=...]` tag, which the build's Rich console swallows)."""
    from .deployment import cpu_instances, template_fields

    low, high = kw.get("workersMin", 0), kw.get("workersMax", 1)
    if isinstance(low, int) and isinstance(high, int) and low > high:
        return f"workersMin ({low}) cannot be greater than workersMax ({high})"
    instances = cpu_instances(kw, type_name in CPU_CLASSES)
    datacenter = kw.get("datacenter")
    centers = datacenter if isinstance(datacenter, list) else [datacenter] if datacenter else []
    if instances and instances is not UNKNOWN and all(isinstance(c, Member) for c in centers):
        outside = [c.value for c in centers if c.member not in CPU_DATACENTERS]
        if outside:
            return f"CPU endpoints are not available in: {', '.join(outside)}. Supported CPU data centers: EU-RO-1"
    if type_name not in LIVE_CLASSES and not any(kw.get(k) for k in ("imageName", "template", "templateId")):
        if _known(*(kw.get(k) for k in ("imageName", "template", "templateId"))):
            return "Either imageName, template, or templateId must be provided"
    template = template_fields(kw, instances)
    limit = cpu_disk_limit(instances) if instances and instances is not UNKNOWN else None
    if limit is not None and isinstance(template, dict) and template["containerDiskInGb"] > limit:
        limits = ", ".join(f"{ENUMS['CpuInstanceType'][i]}: max {cpu_disk_limit([i])}GB" for i in instances)
        text = f"Container disk size {template['containerDiskInGb']}GB exceeds the maximum allowed for CPU instances. Instance limits: {limits}. Maximum allowed: {limit}GB"
        return (
            text
            if type_name in CPU_CLASSES
            else f"{text}. Consider using CpuServerlessEndpoint or CpuLiveServerless classes for CPU-only deployments."
        )
    return None


def _value_error(type_name: str, field: str, message: str, value: Any, pydantic: str) -> str:
    """A pydantic v2 field-validator error as `str(ValidationError)` prints it."""
    return (
        f"1 validation error for {type_name}\n{field}\n  Value error, {message} "
        f"[type=value_error, input_value={_py_repr(value)}, input_type={_type_name(value)}]\n"
        f"    For further information visit https://errors.pydantic.dev/{pydantic}/v/value_error"
    )


def _type_name(value: Any) -> str:
    if isinstance(value, Member):
        return value.enum
    if isinstance(value, (TemplateValue, VolumeValue)):
        return "PodTemplate" if isinstance(value, TemplateValue) else "NetworkVolume"
    return type(value).__name__


def _py_repr(value: Any) -> str:
    if isinstance(value, Member):
        return f"<{value.enum}.{value.member}: {value.value!r}>"
    return repr(value)
