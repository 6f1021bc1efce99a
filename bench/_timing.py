"""The batch timer the loss benchmarks share (imports neither library)."""
import time


def time_batches(run, budget, batch_seconds=0.002, max_number=1000):
    """Per-call seconds of ``run`` over batches of back-to-back calls (about ``batch_seconds``
    each, like timeit's ``number``) for ``budget`` seconds."""
    run()
    t0 = time.perf_counter()
    run()
    number = max(1, min(max_number, int(batch_seconds / max(time.perf_counter() - t0, 1e-7))))
    times, start = [], time.perf_counter()
    while not times or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        for _ in range(number):
            run()
        times.append((time.perf_counter() - t0) / number)
    return times
