"""Grad mode is per thread, as in torch: ``no_grad()`` in one thread never switches off
recording in another.

Not a recorded comparison: these tests check behaviour.  (Torch itself keeps grad
mode thread-local, and a thread starts with grad enabled even when started inside
``no_grad()``; that part is in the torch recording, ``grad_mode_threads_and_forms``.)
"""
import sys
import threading

import numpy as np

STEPS = 2000


def _switch_often():
    """Make the interpreter switch threads every ~50 µs (restored by the caller)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(5e-5)
    return previous


def test_training_thread_keeps_its_gradients_while_another_evaluates_under_no_grad():
    import minigrad
    import minigrad.nn as nn
    import minigrad.nn.functional as F
    from minigrad.optim import SGD

    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((16, 5)).astype(np.float32))
    y = minigrad.tensor(rng.integers(0, 3, size=16))
    model = nn.Linear(5, 3)
    opt = SGD(model.parameters(), lr=0.01)
    stop = threading.Event()
    failures = {"train": 0, "eval": 0}
    errors = []

    def train():
        try:
            for _ in range(STEPS):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                if not loss.requires_grad:
                    failures["train"] += 1
                    continue
                loss.backward()
                if any(p.grad is None for p in model.parameters()):
                    failures["train"] += 1
                    continue
                opt.step()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            stop.set()

    def evaluate():
        try:
            while not stop.is_set():
                with minigrad.no_grad():
                    if model(x).requires_grad:
                        failures["eval"] += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    previous = _switch_often()
    try:
        threads = [threading.Thread(target=train), threading.Thread(target=evaluate)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(previous)
    assert not errors, errors
    assert failures == {"train": 0, "eval": 0}, f"steps without gradients or evaluations with a graph: {failures}"
    assert minigrad.is_grad_enabled()


def test_no_grad_blocks_exiting_in_the_other_order_leave_both_threads_enabled():
    """Thread A enters no_grad, then B; A exits first, then B.  With one process-wide flag
    B would restore A's "disabled" on exit; per thread, both end enabled."""
    import minigrad

    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def thread_a():
        with minigrad.no_grad():
            a_in.set()
            b_in.wait()
            seen["a_inside"] = minigrad.is_grad_enabled()
        seen["a_after"] = minigrad.is_grad_enabled()
        a_out.set()

    def thread_b():
        a_in.wait()
        with minigrad.no_grad():
            b_in.set()
            a_out.wait()
            seen["b_inside_after_a_exit"] = minigrad.is_grad_enabled()
        seen["b_after"] = minigrad.is_grad_enabled()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"a_inside": False, "a_after": True, "b_inside_after_a_exit": False, "b_after": True}
    assert minigrad.is_grad_enabled()
