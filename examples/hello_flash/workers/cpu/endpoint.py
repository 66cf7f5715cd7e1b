from tetra_rp import CpuInstanceType, CpuLiveServerless, remote

cpu_config = CpuLiveServerless(name="hello_cpu", instanceIds=[CpuInstanceType.CPU3C_2_4])


@remote(cpu_config, dependencies=["six"])
def normalise(text: str) -> str:
    return " ".join(text.split()).lower()
