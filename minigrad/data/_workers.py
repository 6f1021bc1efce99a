"""Worker processes for ``DataLoader(num_workers > 0)``, as torch runs them.

Each worker is a process (started with ``fork`` on Linux, as torch does) with its own
task queue; all send results back through one queue.  The main process hands out
batches of indices round-robin, keeps ``prefetch_factor`` batches per worker in flight
and yields results in sampler order.  An exception in a worker comes back with its
traceback and is raised again in the main process (same type, torch's message);
a worker that dies (killed, crashed) raises RuntimeError instead of hanging.
Results are tagged with an epoch number so a persistent pool can drop what an
abandoned epoch left behind.
"""
import multiprocessing
import os
import queue
import sys
import traceback

_POLL_SECONDS = 1.0


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    def __init__(self, id, num_workers, seed, dataset):  # noqa: A002 - torch's name
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


_worker_info = None


def get_worker_info():
    """Inside a DataLoader worker: its WorkerInfo; in the main process: None."""
    return _worker_info


class _Failure:
    """An exception raised in a worker, sent back as its type and formatted traceback."""

    def __init__(self, worker_id, exc):
        self.exc_type = type(exc)
        self.message = (f"Caught {type(exc).__name__} in DataLoader worker process {worker_id}.\n"
                        f"Original {''.join(traceback.format_exception(exc))}")

    def reraise(self):
        if self.exc_type is KeyError:  # KeyError's str() would quote the whole message
            raise KeyError(_Message(self.message))
        try:
            error = self.exc_type(self.message)
        except Exception:
            error = RuntimeError(self.message)
        raise error


class _Message(str):
    def __repr__(self):
        return str(self)


def _worker_loop(worker_id, num_workers, seed, dataset, fetch, tasks, results, worker_init_fn):
    global _worker_info
    from minigrad.random import manual_seed
    manual_seed(seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as exc:  # reported with the first task
        init_failure = _Failure(worker_id, exc)
    else:
        init_failure = None
    while True:
        try:
            task = tasks.get()
        except KeyboardInterrupt:
            continue
        if task is None:
            break
        epoch, batch_number, indices = task
        if init_failure is not None:
            out = init_failure
        else:
            try:
                out = fetch(indices)
            except Exception as exc:
                out = _Failure(worker_id, exc)
        try:
            results.put((epoch, batch_number, out))
        except Exception as exc:  # the batch could not be pickled
            results.put((epoch, batch_number, _Failure(worker_id, exc)))
    results.cancel_join_thread()


class WorkerPool:
    """``num_workers`` processes computing ``fetch(indices)``; ``run(batches)`` yields results in order."""

    def __init__(self, dataset, fetch, num_workers, base_seed, worker_init_fn=None, prefetch_factor=2,
                 timeout=0, multiprocessing_context=None):
        if multiprocessing_context is None:
            method = "fork" if sys.platform.startswith("linux") else None
            multiprocessing_context = multiprocessing.get_context(method)
        elif isinstance(multiprocessing_context, str):
            multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
        ctx = multiprocessing_context
        self._owner = os.getpid()
        self.prefetch = prefetch_factor * num_workers
        self.timeout = timeout
        self.results = ctx.Queue()
        self.tasks, self.workers = [], []
        self.epoch = 0
        for worker_id in range(num_workers):
            tasks = ctx.Queue()
            process = ctx.Process(target=_worker_loop, daemon=True,
                                  args=(worker_id, num_workers, base_seed + worker_id, dataset, fetch, tasks,
                                        self.results, worker_init_fn))
            process.start()
            self.tasks.append(tasks)
            self.workers.append(process)

    def run(self, batches):
        """Yield ``fetch(b)`` for each list of indices ``b``, in order."""
        self.epoch += 1
        epoch, batches = self.epoch, iter(batches)
        sent = received = 0
        waiting = {}
        exhausted = False
        while True:
            while not exhausted and sent - received < self.prefetch:
                indices = next(batches, None)
                if indices is None:
                    exhausted = True
                    break
                self.tasks[sent % len(self.tasks)].put((epoch, sent, indices))
                sent += 1
            if received == sent:
                return
            while received not in waiting:
                tag, number, out = self._get()
                if tag == epoch:
                    waiting[number] = out
            out = waiting.pop(received)
            received += 1
            if isinstance(out, _Failure):
                self.shutdown()
                out.reraise()
            yield out

    def _get(self):
        waited = 0.0
        while True:
            try:
                return self.results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                waited += _POLL_SECONDS
                dead = [w.pid for w in self.workers if not w.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                                       "unexpectedly") from None
                if self.timeout and waited >= self.timeout:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None

    def shutdown(self):
        """Stop every worker (asked first, then terminated) and close the queues.  Idempotent."""
        workers, self.workers = self.workers, []
        for tasks, w in zip(self.tasks, workers):
            if w.is_alive():
                try:
                    tasks.put(None)
                except (OSError, ValueError):
                    pass
        for w in workers:
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()
                w.join()
        for q in self.tasks + [self.results]:
            q.cancel_join_thread()
            q.close()
        self.tasks = []

    @property
    def alive(self):
        return bool(self.workers) and all(w.is_alive() for w in self.workers)

    def __del__(self):
        if getattr(self, "workers", None) and os.getpid() == self._owner:
            self.shutdown()
