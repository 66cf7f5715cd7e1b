from runpod_flash import Endpoint

@Endpoint(max_concurrency=4)
def plainfn(x):
    return x

vllm = Endpoint(name="vllm", image="vllm/vllm-openai:latest")
other = Endpoint(id="abc")
