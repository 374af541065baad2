"""``warm_up``: every compiled kernel is built before a solve's clock starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matchmaker

SOLVE = Path(matchmaker.__file__).parent / "solve"

# Run in a fresh process: in this one, earlier tests may have compiled the kernels already.
_REPORT = """
import importlib, json, sys
from numba.core.registry import CPUDispatcher
from matchmaker.generate import warm_up
first, again = warm_up(), warm_up()
compiled = {}
for name in sys.argv[1:]:
    module = importlib.import_module("matchmaker.solve." + name)
    for attribute in module.__all__:
        value = getattr(module, attribute)
        if isinstance(value, CPUDispatcher):
            compiled[name + "." + attribute] = len(value.signatures)
print(json.dumps({"first": first, "again": again, "compiled": compiled}))
"""


def test_warm_up_compiles_every_kernel_of_the_solvers_once_per_process() -> None:
    """After ``warm_up`` every kernel the solvers call (the numba functions each kernel
    module exports; a kernel module added later is found by its ``@njit``) has a compiled
    signature, and a second call in the same process does nothing. (The functions a
    kernel calls inside are compiled into it: loaded from the cache, they show none.)"""
    modules = sorted(p.stem for p in SOLVE.glob("*.py") if "@njit" in p.read_text("utf-8"))
    assert "_recreate_kernel" in modules and "_bound_kernel" in modules
    done = subprocess.run(
        [sys.executable, "-c", _REPORT, *modules], capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report["first"] > 0.0 and report["again"] == 0.0
    compiled = report["compiled"]
    assert {name.split(".")[0] for name in compiled} == set(modules)
    assert [name for name, count in compiled.items() if count == 0] == []
