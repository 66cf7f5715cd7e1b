from tetra_rp import CpuLiveLoadBalancer

mothership = CpuLiveLoadBalancer(name="mothership", workersMin=1, workersMax=3)
