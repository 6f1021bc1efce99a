"""Two threads running backward through one leaf (shared weights) both add to its ``.grad``,
as torch's AccumulateGrad does under its mutex.  The test holds thread A inside the
moment it sets ``.grad`` (after seeing it empty) and lets thread B run its whole backward
meanwhile: without the engine's lock, A would then overwrite what B added."""
import sys
import threading

import numpy as np
import pytest

import minigrad
from minigrad.tensor import Tensor


@pytest.mark.parametrize("path", ["plain leaf", "hooked leaf"])
def test_two_walks_adding_to_one_grad_at_once_both_count(monkeypatch, path):
    # a plain leaf takes its gradient in the walk's last loop; a hooked one through accumulate()
    where = {"plain leaf": "run_backward", "hooked leaf": "accumulate"}[path]
    w = minigrad.tensor(np.zeros(3, np.float32), requires_grad=True)
    if path == "hooked leaf":
        w.register_hook(lambda g: g)
    a_in_window, b_done = threading.Event(), threading.Event()
    wrap = Tensor.__dict__["_wrap"].__func__

    def held_wrap(cls, array):  # Tensor._wrap, holding thread A just before it sets .grad
        if (threading.current_thread().name == "A" and not a_in_window.is_set()
                and sys._getframe(1).f_code.co_name == where):
            a_in_window.set()
            b_done.wait(timeout=1.0)  # with the lock, B cannot finish meanwhile: A goes on after 1 s
        return wrap(cls, array)
    monkeypatch.setattr(Tensor, "_wrap", classmethod(held_wrap))

    def run_b():
        a_in_window.wait(timeout=5.0)
        (w * 2.0).sum().backward()
        b_done.set()
    threads = [threading.Thread(name="A", target=lambda: (w * 1.0).sum().backward()),
               threading.Thread(name="B", target=run_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10.0)
    assert a_in_window.is_set()  # the hold happened where the test meant it to
    assert w.grad.tolist() == [3.0, 3.0, 3.0]
