"""The torch recording ``tests/expected/semantics.npz`` and the scenarios it was made from.

``tests/record`` is not a package and its modules import each other by plain names
(``common``, ``semantics_common``), which could clash with other test folders; they
are loaded here under ``minigrad_record_*`` names, the plain names pointing at them
only while the scenario files load.  Nothing here calls minigrad.
"""
import importlib.util
import sys
from pathlib import Path

RECORD_DIR = Path(__file__).resolve().parents[1] / "record"


def _load(filename, name):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, RECORD_DIR / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _load_all():
    aliases = {"common": "minigrad_record_common", "semantics_common": "minigrad_record_semantics_common"}
    previous = {plain: sys.modules.get(plain) for plain in aliases}
    try:
        for plain, name in aliases.items():
            sys.modules[plain] = _load(plain + ".py", name)
        semantics = sys.modules[aliases["semantics_common"]]
        for stem in semantics.SCENARIO_FILES:
            _load(stem + ".py", "minigrad_record_" + stem)
    finally:
        for plain, module in previous.items():
            if module is None:
                sys.modules.pop(plain, None)
            else:
                sys.modules[plain] = module
    return sys.modules[aliases["common"]], semantics


common, semantics = _load_all()
ARRAYS, META = common.load_expected(common.EXPECTED_DIR / semantics.OUTPUT_NAME)
RUN_KEYS = sorted(META["results"])
