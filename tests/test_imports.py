"""After a bare ``import minigrad``, torch's module paths are reachable as attributes, and
importing stays light: numba is not imported until a kernel first runs."""
import subprocess
import sys

NAMES = """
import minigrad
m = minigrad
for path in ["nn", "nn.functional", "nn.init", "optim", "optim.lr_scheduler", "autograd", "utils.data", "cuda"]:
    obj = m
    for part in path.split("."):
        obj = getattr(obj, part)
for name in ["Dataset", "TensorDataset", "DataLoader", "random_split", "Subset", "Sampler", "RandomSampler",
             "SequentialSampler", "BatchSampler", "default_collate"]:
    getattr(m.utils.data, name)
for name in ["RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "SGD", "Adam", "AdamW"]:
    getattr(m.optim, name)
for name in ["MultiStepLR", "ExponentialLR", "LambdaLR", "MultiplicativeLR", "LinearLR", "ConstantLR", "OneCycleLR",
             "CyclicLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler", "CosineAnnealingWarmRestarts"]:
    getattr(m.optim.lr_scheduler, name)
hasattr(m.nn, "utils")   # a package of its own when present; never an ImportError
print("ok")
"""


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_torch_paths_are_attributes_after_a_bare_import():
    result = run(NAMES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_numba_waits_for_the_first_kernel_call():
    code = ("import sys, minigrad, minigrad.nn, minigrad.optim, minigrad.utils.data\n"
            "print('numba' in sys.modules)\n"
            "import minigrad.nn.functional as F\n"
            "x = minigrad.randn(4, 3, requires_grad=True)\n"
            "F.cross_entropy(x, minigrad.tensor([0, 1, 2, 0])).backward()\n"
            "print('numba' in sys.modules)\n")
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_an_optimizer_step_loads_its_kernels_lazily():
    code = ("import sys, minigrad\n"
            "p = minigrad.nn.Parameter(minigrad.ones(3))\n"
            "opt = minigrad.optim.Adam([p])\n"
            "print('numba' in sys.modules)\n"
            "p.grad = minigrad.ones(3)\n"
            "opt.step()\n"
            "print('numba' in sys.modules, p.detach().numpy().astype(float).round(4).tolist())\n")
    result = run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["False", "True [0.999, 0.999, 0.999]"]


def test_each_loss_and_softmax_runs_first_in_a_fresh_process():
    """Kernel modules load on first use: every entry point that reaches them must find its
    module from a fresh process, with and without gradients."""
    calls = {
        "cross_entropy": "F.cross_entropy(x, t).backward()",
        "cross_entropy, no_grad": "with minigrad.no_grad(): F.cross_entropy(x, t)",
        "nll_loss": "F.nll_loss(x, t).backward()",
        "nll_loss, no_grad": "with minigrad.no_grad(): F.nll_loss(x, t)",
        "log_softmax": "F.log_softmax(x, 1).sum().backward()",
        "softmax": "F.softmax(x, 1).sum().backward()",
        "bce_with_logits": "F.binary_cross_entropy_with_logits(x, x.detach().sigmoid()).backward()",
        "binary_cross_entropy": "F.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid()).backward()",
    }
    for name, call in calls.items():
        code = ("import minigrad, minigrad.nn.functional as F\n"
                "x = minigrad.randn(4, 3, requires_grad=True)\n"
                "t = minigrad.tensor([0, 1, 2, 0])\n" + call + "\nprint('ok')\n")
        result = run(code)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert result.stdout.strip() == "ok", name
