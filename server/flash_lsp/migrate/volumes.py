"""`NetworkVolume(name=, size=, dataCenterId=)` of the old APIs → runpod 2.0 `NetworkVolume(name, size=, datacenter=)`.

The old default size (100 GB) and data centre (EU-RO-1) are written out: 2.0 defaults to 50 GB and no
data centre, and a volume created on first deploy should come out as before (docs/migration.md).
"""

from __future__ import annotations

import libcst as cst

from .scan import dotted
from .settings import OLD_VOLUME_SIZE, kw, string, with_commas

OLD_DATACENTER = "EU-RO-1"


class VolumeCalls(cst.CSTTransformer):
    def __init__(self, old_names: dict[str, str]):
        self.locals = {local for local, canonical in old_names.items() if canonical == "NetworkVolume"}

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if dotted(updated.func) not in self.locals:
            return updated
        by_key = {a.keyword.value: a for a in updated.args if a.keyword}
        ref = by_key.get("name") or by_key.get("id")
        if ref is None:
            return updated
        args = [cst.Arg(ref.value)]
        args.append(
            kw("size", by_key["size"].value) if "size" in by_key else kw("size", cst.Integer(str(OLD_VOLUME_SIZE)))
        )
        dc = by_key.get("datacenter") or by_key.get("dataCenterId")
        args.append(kw("datacenter", dc.value if dc is not None else string(OLD_DATACENTER)))
        return updated.with_changes(args=with_commas(args))
