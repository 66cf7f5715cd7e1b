"""Warnings that must stay quiet or say the right thing: CA bundles are not secrets, a chained
assignment is one config, a config imported elsewhere is not "unused"."""

from flash_lsp.core.config_uses import distinct_configs, unused_reason
from flash_lsp.core.query import endpoint
from flash_lsp.runner.report import classify

from .conftest import codes

HEAD = "from tetra_rp import remote, LiveServerless\n"
WORKER = HEAD + "cfg = LiveServerless(name='gpu')\n@remote(cfg)\ndef f(): pass\n"
CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


def fl601_paths(model) -> list[str]:
    return sorted(d.path for d in model.diagnostics if d.code == "FL601")


def test_ca_bundles_are_not_secrets(analyze):
    model = analyze(
        {
            "workers/w.py": WORKER,
            "vendor/certifi/cacert.pem": CERT,  # by directory
            "workers/tls/cacert.pem": "not even a PEM",  # by name
            "workers/tls/chain.pem": CERT,  # by content: certificates only
        }
    )
    assert fl601_paths(model) == []


def test_private_keys_and_env_files_are_still_secrets(analyze):
    model = analyze(
        {"workers/w.py": WORKER, "workers/tls/server.pem": CERT + KEY, "keys/deploy.pem": "", ".env": "A=1\n"}
    )
    assert fl601_paths(model) == [".env", "keys/deploy.pem", "workers/tls/server.pem"]


def test_package_report_does_not_flag_ca_bundles():
    assert classify("certifi/cacert.pem") is None
    assert classify("requests/cacert.pem") is None
    assert classify("keys/deploy.pem")[0] == "secret"


def test_chained_assignment_is_one_config(analyze):
    model = analyze(
        {"workers/w.py": HEAD + "primary = backup = LiveServerless(name='gpu')\n@remote(primary)\ndef f(): pass\n"}
    )
    assert "FL107" not in codes(model)
    ep = endpoint(model, "gpu")
    assert [a.variable for _, a in ep.assignments] == ["primary", "backup"]
    assert [a.variable for _, a in distinct_configs(ep.assignments)] == ["primary"]


def test_two_real_configs_with_one_name_are_counted_once_each(analyze):
    model = analyze(
        {
            "workers/a.py": HEAD + "x = y = LiveServerless(name='gpu')\n@remote(x)\ndef f(): pass\n",
            "workers/b.py": HEAD + "z = LiveServerless(name='gpu')\n@remote(z)\ndef g(): pass\n",
        }
    )
    merged = [d for d in model.diagnostics if d.code == "FL107"]
    assert sorted(d.path for d in merged) == ["workers/a.py", "workers/b.py"]
    assert all(d.message.startswith("2 configs use name='gpu'") and len(d.related) == 1 for d in merged)


def test_config_imported_by_another_file_says_where_its_function_went(analyze):
    model = analyze(
        {
            "configs.py": HEAD + "shared = LiveServerless(name='shared-gpu')\n",
            "workers/w.py": HEAD + "from configs import shared\n@remote(shared)\ndef f(): pass\n",
        }
    )
    ep = endpoint(model, "shared-gpu")
    assert not ep.functions
    reason = unused_reason(model, ep.assignments)
    assert reason.startswith("f in workers/w.py imports it, but the build does not follow imports"), reason
    assert "endpoint 'shared'" in reason


def test_config_nobody_uses_says_so(analyze):
    model = analyze({"workers/w.py": WORKER + "spare = LiveServerless(name='spare')\n"})
    assert unused_reason(model, endpoint(model, "spare").assignments) == "no @remote function uses it"
