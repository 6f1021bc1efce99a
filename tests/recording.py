"""Load the torch-free modules of ``tests/record`` (case lists, ``common``) from a test.

``tests/record`` is not a package, and its generic module name ``common`` could clash
with another folder's, so each module is loaded under its own name
(``minigrad_record_<stem>``), with ``common`` meaning ours while a case list imports it.
"""
import importlib.util
import sys
from pathlib import Path

RECORD_DIR = Path(__file__).resolve().parent / "record"


def load_record(filename):
    """The module ``tests/record/<filename>``, loaded once as ``minigrad_record_<stem>``."""
    name = "minigrad_record_" + filename.removesuffix(".py")
    if name in sys.modules:
        return sys.modules[name]
    if name == "minigrad_record_common":
        return _exec("common.py", name)
    load_record("common.py")
    # the case lists say ``from common import ...`` (and ``import higher_cases``): while one
    # loads, those plain names mean the record modules already loaded
    prefix = "minigrad_record_"
    plain = {n[len(prefix):]: m for n, m in list(sys.modules.items()) if n.startswith(prefix)}
    previous = {n: sys.modules.get(n) for n in plain}
    sys.modules.update(plain)
    try:
        return _exec(filename, name)
    finally:
        for n, module in previous.items():
            if module is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = module


def _exec(filename, name):
    spec = importlib.util.spec_from_file_location(name, RECORD_DIR / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
