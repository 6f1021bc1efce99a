"""Every ```python block of docs/learn/*.md runs, in order, one namespace per chapter; where a
chapter shows the output (a ```text block right after the code), the output must be exactly it.
Chapter variables that torch has too are compared with its recorded values (learn.npz).

To refresh the shown outputs and the pictures after changing a chapter (then review the diff):

    python tests/test_learn_docs.py --update
"""
import contextlib
import io
import os
import re
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEARN = os.path.join(ROOT, "docs", "learn")
CHAPTERS = sorted(name for name in os.listdir(LEARN) if re.match(r"\d\d-.*\.md$", name))
FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
# chapter -> {expression in the chapter's namespace: key of tests/expected/learn.npz}
TORCH = {
    "02-the-chain-rule.md": {"w.grad": "bp/grad_w", "z.grad": "bp/grad_z", "t.grad": "bp/grad_t", "y": "bp/y"},
    "03-softmax-and-cross-entropy.md": {"F.softmax(z, dim=0)": "sm/softmax", "loss": "sm/ce", "z.grad": "sm/ce_grad",
                                        "F.log_softmax(big, dim=0)": "sm/big_log_softmax",
                                        "F.softmax(big, dim=0).log()": "sm/big_softmax_then_log",
                                        "H_P": "info/H_P", "KL_PQ": "info/KL_PQ", "CE_PQ": "info/CE_PQ"},
}


def code_blocks(text):
    """[(code, shown_output or None, (start, end) of the output block's body)] of a chapter."""
    fences = list(FENCE.finditer(text))
    out = []
    for k, block in enumerate(fences):
        if block.group(1) != "python":
            continue
        shown, span = None, None
        following = fences[k + 1] if k + 1 < len(fences) else None
        if following is not None and following.group(1) == "text" and not text[block.end():following.start()].strip():
            shown, span = following.group(2), following.span(2)
        out.append((block.group(2), shown, span))
    return out


def run_chapter(name, workdir):
    """Run a chapter's code in ``workdir``: -> (namespace, [(printed, shown, span)])."""
    with open(os.path.join(LEARN, name), encoding="utf-8") as f:
        text = f.read()
    namespace = {"__name__": "__main__"}
    results = []
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for k, (code, shown, span) in enumerate(code_blocks(text)):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(code, f"{name} (python block {k + 1})", "exec"), namespace)
            results.append((printed.getvalue(), shown, span))
    finally:
        os.chdir(cwd)
    return namespace, results


@pytest.fixture(autouse=True)
def _restore_kernels():
    import minigrad
    previous = minigrad.kernels_enabled()
    yield
    minigrad.set_kernels(previous)


def test_there_are_chapters():
    assert len(CHAPTERS) >= 4
    for name in TORCH:
        assert name in CHAPTERS


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_and_prints_what_it_shows(name, tmp_path):
    namespace, results = run_chapter(name, tmp_path)
    assert results, f"{name} has no python blocks"
    for k, (printed, shown, _) in enumerate(results):
        if shown is not None:
            assert printed == shown, f"{name}, python block {k + 1}: the output differs from the chapter's"
    with np.load(os.path.join(ROOT, "tests", "expected", "learn.npz")) as recorded:
        for expression, key in TORCH.get(name, {}).items():
            value = eval(expression, namespace)
            value = value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)
            np.testing.assert_allclose(value, recorded[key], rtol=1e-5, atol=1e-7, err_msg=f"{name}: {expression}")


def update():
    """Rewrite every chapter's shown outputs with what its code prints now; pictures go to img/."""
    for name in CHAPTERS:
        path = os.path.join(LEARN, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        _, results = run_chapter(name, os.path.join(LEARN, "img"))
        for printed, shown, span in reversed(results):
            if span is not None:
                text = text[:span[0]] + printed + text[span[1]:]
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"updated {os.path.relpath(path)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()


def readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


def test_readme_learner_path_names_files_that_exist_and_its_code_runs(tmp_path, capsys):
    text = readme()
    path = text[text.index("## Two ways in"):text.index("## A first look")]
    assert path.index("docs/learn/") < path.index("examples/backprop_demo.py") < path.index("train_classifier.py")
    for name in re.findall(r"(?:examples|minigrad|docs)/[\w/.-]+\.(?:py|md)", path):
        assert os.path.exists(os.path.join(ROOT, name)), name
    assert "MINIGRAD_KERNELS=0" in path and "first run" in path.lower()
    (code,) = [c for c, _, _ in code_blocks(path)]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md (learner path)", "exec"), {"__name__": "__main__"})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "5  w" in out and "digraph minigrad {" in out


def test_a_fresh_clone_has_everything_the_learner_path_needs():
    """The examples, the chapters, their pictures and torch's recording are committed files."""
    import shutil
    import subprocess
    if shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")) and \
            not os.path.isfile(os.path.join(ROOT, ".git")):
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("git ls-files failed")
    tracked = set(done.stdout.split())
    needed = {"examples/learn_helpers.py", "examples/backprop_demo.py", "examples/information_theory.py",
              "examples/softmax_and_gradients.py", "examples/cross_entropy_by_hand.py",
              "tests/expected/learn.npz", "docs/learn/README.md"}
    needed |= {f"docs/learn/{name}" for name in CHAPTERS}
    text = "".join(open(os.path.join(LEARN, name), encoding="utf-8").read() for name in CHAPTERS)
    needed |= {f"docs/learn/{picture}" for picture in re.findall(r"\]\((img/[\w.-]+)\)", text)}
    assert not needed - tracked, f"not committed: {sorted(needed - tracked)}"
