"""Interpreters, the "tbb off" environment and the machine description for ``compare.py``.

"tbb off" means what a user who did not install the ``tbb`` package gets.  minigrad
looks for tbb in two places (``minigrad/kernels/threading.py``): the ``tbb``
distribution's ``libtbb.so.12`` (found through ``importlib.metadata``) and
``<sys.prefix>/lib/libtbb.so.12``; when neither loads it runs its kernels serially.
:func:`python_without_tbb` builds exactly that situation: a venv on the same base
interpreter whose site-packages is a directory of links to every entry of the given
interpreter's site-packages *except* the ``tbb`` distribution, and whose prefix has no
``lib/libtbb.so.12``.  Same numpy, numba, llvmlite files; no tbb.  The workers check
the outcome (``threading_info()``) and the table header prints it.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile

_PROBE = r"""
import ctypes, json, os, site, sys, sysconfig, importlib.util
from importlib.metadata import distribution, PackageNotFoundError
try:
    distribution("tbb"); tbb = True
except PackageNotFoundError:
    tbb = False
try:
    ctypes.CDLL("libtbb.so.12"); libtbb = True
except OSError:
    libtbb = any(os.path.exists(os.path.join(p, "lib", "libtbb.so.12")) for p in (sys.prefix, sys.base_prefix))
paths = sysconfig.get_paths()
print(json.dumps({
    "executable": sys.executable, "prefix": sys.prefix, "version": sys.version.split()[0],
    "site": sorted({paths["purelib"], paths["platlib"]}),
    "tbb_dist": tbb, "libtbb": libtbb,
    "torch": importlib.util.find_spec("torch") is not None,
    "numba": importlib.util.find_spec("numba") is not None}))
"""


def probe(python):
    """What an interpreter has: site-packages, tbb distribution / libtbb, torch, numba."""
    out = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=120)
    if out.returncode:
        raise RuntimeError(f"cannot run {python}: {out.stderr[-1000:]}")
    return json.loads(out.stdout)


def _is_tbb_entry(name):
    low = name.lower()
    return low.startswith("tbb-") and low.endswith((".dist-info", ".egg-info"))


def python_without_tbb(python, info=None):
    """An interpreter like ``python`` without the tbb package (see the module docstring):
    ``python`` itself when it has no tbb, else a linked venv kept in the temp dir."""
    info = info or probe(python)
    if not info["tbb_dist"] and not info["libtbb"]:
        return python
    key = hashlib.sha1(os.path.realpath(info["executable"]).encode()).hexdigest()[:10]
    venv = os.path.join(tempfile.gettempdir(), f"minigrad-bench-notbb-{key}")
    new_python = os.path.join(venv, "bin", "python")
    if not os.path.exists(new_python):
        subprocess.run([python, "-m", "venv", "--without-pip", venv], check=True,
                       capture_output=True, text=True)
    site_dir = probe(new_python)["site"][0]
    for entry in os.listdir(site_dir):            # relink: the source may have changed
        path = os.path.join(site_dir, entry)
        if os.path.islink(path):
            os.unlink(path)
    for src_dir in info["site"]:
        if not os.path.isdir(src_dir):
            continue
        for entry in os.listdir(src_dir):
            target = os.path.join(site_dir, entry)
            if _is_tbb_entry(entry) or os.path.lexists(target):
                continue
            os.symlink(os.path.join(src_dir, entry), target)
    check = probe(new_python)
    if check["tbb_dist"] or check["libtbb"]:
        raise RuntimeError(f"{new_python} still finds tbb (a system libtbb.so.12?): "
                           "cannot build a tbb-free environment")
    return new_python


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return f"{cpu_model()}, {cores} logical CPUs ({usable} usable), {platform.system()} {platform.release()}"


def git_describe(root):
    """Short commit of the tree being measured, with ``+dirty`` for uncommitted changes."""
    try:
        rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "minigrad"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        branch = subprocess.run(["git", "-C", root, "rev-parse", "--abbrev-ref", "HEAD"],
                                capture_output=True, text=True, timeout=30).stdout.strip()
        return f"{branch}@{rev}" + ("+dirty" if dirty else "") if rev else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def default_torch_python(minigrad_python):
    """The interpreter for torch's worker: the minigrad one if it has torch, else the
    project's torch venv if it exists, else None (minigrad is timed alone)."""
    if probe(minigrad_python)["torch"]:
        return minigrad_python
    candidate = "/tmp/venv-torch/bin/python"
    if os.path.exists(candidate) and probe(candidate)["torch"]:
        return candidate
    return None


if __name__ == "__main__":  # python bench/_envs.py: show the tbb-free interpreter
    print(python_without_tbb(sys.executable))
