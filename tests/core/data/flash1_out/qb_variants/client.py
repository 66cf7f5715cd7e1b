from runpod_flash import Endpoint

ext = Endpoint(name="ext_img", image="nginx:latest")
old = Endpoint(id="abc123")
