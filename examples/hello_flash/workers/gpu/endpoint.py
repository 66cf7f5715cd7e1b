from tetra_rp import GpuGroup, LiveServerless, remote

gpu_config = LiveServerless(
    name="hello_gpu",
    gpus=[GpuGroup.ADA_24, GpuGroup.AMPERE_48],
    workersMax=2,
)


@remote(resource_config=gpu_config, dependencies=["transformers"])
async def generate(prompt: str) -> dict:
    from transformers import pipeline

    return {"text": pipeline("text-generation")(prompt)[0]["generated_text"]}


@remote(gpu_config)
class Embedder:
    def embed(self, text: str) -> list[float]:
        return [float(len(text))]
