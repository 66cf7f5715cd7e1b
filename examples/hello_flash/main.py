"""Hello Flash: a FastAPI front door whose heavy lifting runs on Runpod Serverless workers."""

from fastapi import FastAPI

from workers.gpu.endpoint import generate

app = FastAPI(title="hello-flash")


@app.post("/generate")
async def generate_route(prompt: str) -> dict:
    return await generate(prompt)
