"""One-line explanations of `Endpoint` arguments, in our words (the signature, types and defaults
come from the installed package; these only say what each argument does)."""

ENDPOINT = {
    "name": "Endpoint name: the manifest key, the handler file name and the name other endpoints call it by. Defaults to the decorated function's name.",
    "id": "Connect to an already deployed endpoint by id. Client only: nothing of this project is deployed.",
    "gpu": "GPU pool (`GpuGroup`) or card (`GpuType`). One value pins it; a list lets Runpod pick any listed one per worker. Default: any GPU.",
    "cpu": "CPU instance type(s) (`CpuInstanceType` or its string value); makes this a CPU endpoint. Excludes `gpu`.",
    "workers": "Worker count: `N` means (0, N); `(min, max)` sets both. Default (0, 1).",
    "idle_timeout": "Seconds an idle worker stays up before it scales down.",
    "dependencies": "pip requirements installed on the worker for this endpoint.",
    "system_dependencies": "apt packages installed on the worker.",
    "accelerate_downloads": "Use Runpod's accelerated download path for models and packages.",
    "volume": "Network volume(s) mounted on every worker.",
    "datacenter": "Data center(s) the workers may run in (`DataCenter`, or its string id). Default for GPU endpoints: all of them.",
    "env": "Environment variables set on the worker.",
    "gpu_count": "GPUs per worker.",
    "execution_timeout_ms": "Maximum time a request may run, in milliseconds (0: no limit).",
    "flashboot": "FlashBoot: keep worker state warm for faster cold starts.",
    "image": "Deploy this pre-built image instead of your code; the endpoint is then a client of it.",
    "scaler_type": "How workers scale: by queue delay or by request count (`ServerlessScalerType`).",
    "scaler_value": "Threshold of the scaler type.",
    "template": "A `PodTemplate` overriding container settings (disk, start script, registry auth).",
    "min_cuda_version": "Lowest CUDA version a GPU host must offer.",
    "max_concurrency": "Requests one worker handles at once. Above 1 only async handlers run them in parallel.",
}
