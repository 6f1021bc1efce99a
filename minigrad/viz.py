"""Draw the graph autograd recorded: ``draw_graph(y)`` gives Graphviz DOT text, and a picture.

    from minigrad.viz import draw_graph
    g = draw_graph(loss, params=dict(model.named_parameters()))
    print(g)                 # the DOT text (no dependency needed)
    g.render("graph.svg")    # SVG or PNG, with the `dot` program or `pip install minigrad[viz]`
    g                        # in Jupyter: drawn inline

What is drawn is exactly what ``backward()`` walks: one box per node reachable through
``grad_fn.next_functions``, named as ``grad_fn`` names it (``node.name()``, e.g.
``MulBackward``); an edge from each ``next_functions`` entry to the node that reads it,
labelled with the shape of the tensor that flows along it; a leaf (its ``AccumulateGrad``
node) drawn as the tensor, with the name given in ``params`` (``{"w": w}``), its shape and,
with ``show_data``/``show_grad``, its values and ``.grad``.  A non-leaf tensor named in
``params`` names the node that made it (``z = MulBackward``).  The outputs are drawn as
boxes at the bottom.  ``trace=t`` (from ``minigrad.autograd.trace()``) numbers each node in
the order the engine ran it and, with ``show_grad``, shows the gradient that flowed into it.

Rendering looks for a renderer in this order: ``$MINIGRAD_DOT`` (a program path), the
``dot`` program of Graphviz, the ``graphviz-pure`` command (``pip install graphviz-pure``,
or ``pip install "minigrad[viz]"``; it takes dot's flags), also next to the running Python
(an unactivated virtual environment).
"""
import os
import shutil
import subprocess
import sys

import numpy as np

from minigrad.autograd.node import AccumulateGrad
from minigrad.autograd.trace import format_values, leaf_node, node_names
from minigrad.tensor import Tensor

SMALL = 8          # values are shown for tensors with at most this many elements
FORMATS = ("svg", "png", "pdf")
NO_RENDERER = ("no Graphviz renderer found: install the 'dot' program (Graphviz) or "
               "`pip install graphviz-pure` (or `pip install \"minigrad[viz]\"`); "
               "the DOT text is in graph.source")


class Graph:
    """A drawn graph: ``source`` (DOT text), ``nodes`` ({id: label}), ``edges`` ([(from, to)]),
    ``node_ids`` ({autograd node: id}).  ``render(path)`` writes a picture; ``pipe(format)``
    returns its bytes; Jupyter shows it through ``_repr_mimebundle_``."""

    def __init__(self, source, nodes, edges, node_ids):
        self.source, self.nodes, self.edges, self.node_ids = source, nodes, edges, node_ids

    def __str__(self):
        return self.source.rstrip("\n")  # print(graph) shows the DOT text

    def __repr__(self):
        return f"<Graph: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def pipe(self, format="svg"):
        """The picture as bytes (``format`` svg, png or pdf); RuntimeError without a renderer."""
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        program = find_renderer()
        if program is None:
            raise RuntimeError(NO_RENDERER)
        done = subprocess.run([program, f"-T{format}"], input=self.source.encode(), capture_output=True,
                              timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def render(self, path, format=None):
        """Write the picture to ``path`` (format from its extension: .svg, .png, .pdf; a .dot or
        .gv path gets the DOT text, which needs no renderer).  Returns ``path``."""
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        format = format or ext
        if format in ("dot", "gv"):
            data = self.source.encode()
        else:
            data = self.pipe(format)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.source}
        if find_renderer() is not None:
            bundle["image/svg+xml"] = self.pipe("svg").decode()
        return bundle

    def _repr_svg_(self):
        return self.pipe("svg").decode() if find_renderer() is not None else None


def find_renderer():
    """The path of a program that turns DOT into pictures, or None (see the module docstring)."""
    chosen = os.environ.get("MINIGRAD_DOT")
    if chosen is not None:
        return shutil.which(chosen) or None
    here = os.path.dirname(sys.executable)
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name) or shutil.which(name, path=here)
        if found:
            return found
    return None


# ---------------------------------------------------------------------- building the graph
def walk(outputs):
    """Every node reachable from the outputs' ``grad_fn`` through ``next_functions``, each once,
    in the order first met (depth-first), and the edges ``(parent, child, input index)``."""
    nodes, edges, seen = [], [], set()
    stack = [t.grad_fn if t.grad_fn is not None else leaf_node(t) for t in outputs]
    stack = [n for n in reversed(stack) if n is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        nodes.append(node)
        parents = [(i, fn) for i, (fn, _) in enumerate(node.next_functions) if fn is not None]
        for i, fn in parents:
            edges.append((fn, node, i))
        stack.extend(fn for _, fn in reversed(parents) if fn not in seen)
    return nodes, edges


def draw_graph(*outputs, params=None, show_data=False, show_grad=False, trace=None, rankdir="TB"):
    """The graph that produced ``outputs`` (Tensors), as a ``Graph`` (DOT text + rendering).

    ``params``: {name: Tensor} (e.g. ``dict(model.named_parameters())``) names leaves, and the
    nodes of named non-leaf tensors.  ``show_data``: show the values of small leaves and
    outputs.  ``show_grad``: show ``.grad`` of leaves (and of named tensors that called
    ``retain_grad``); with ``trace``, the gradient that flowed into each node.  ``trace``: a
    ``minigrad.autograd.trace()`` record; nodes are numbered in the order the engine ran them.
    """
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph expects Tensors, got {type(t).__name__}")
    names = node_names(params)
    named_tensors = {node: t for node, t in _named_tensor_nodes(params).items()}
    order = {}
    grads_in = {}
    if trace is not None:
        for step in trace.steps:
            order.setdefault(step.node, step.index)
            grads_in.setdefault(step.node, step.grad_in)
    nodes, edges = walk(outputs)
    node_ids = {node: f"n{k}" for k, node in enumerate(nodes)}
    labels, lines = {}, []
    for node in nodes:
        lines_of_label = []
        if node in order:
            lines_of_label.append(f"#{order[node]}")
        if type(node) is AccumulateGrad:
            t = node.variable
            lines_of_label.append(names.get(node, "leaf"))
            lines_of_label.append(_shape(t))
            if show_data and t is not None:
                lines_of_label.append(_values("data", t._data))
            if show_grad and t is not None and t.grad is not None:
                lines_of_label.append(_values("grad", t.grad._data))
            style = 'shape=box, style="rounded,filled", fillcolor="#cfe8fc"'
        else:
            lines_of_label.append(names.get(node, node.name()))
            t = named_tensors.get(node)
            if t is not None:
                lines_of_label.append(_shape(t))
                if show_data:
                    lines_of_label.append(_values("data", t._data))
                if show_grad and t._grad is not None and node not in grads_in:  # (a retained grad: no warning)
                    lines_of_label.append(_values("grad", t._grad._data))
            style = "shape=box"
        if show_grad and node in grads_in and not (type(node) is AccumulateGrad and node.variable is not None
                                                 and node.variable.grad is not None):
            lines_of_label.append(_values("grad in", *(g for g in grads_in[node] if g is not None)))
        labels[node_ids[node]] = "\n".join(line for line in lines_of_label if line)
        lines.append(f'    {node_ids[node]} [label="{_escape(labels[node_ids[node]])}", {style}]')
    edge_pairs = []
    for parent, child, i in edges:
        edge_pairs.append((node_ids[parent], node_ids[child]))
        meta = [m for m in child.input_meta if m is not None][i]
        shape = f'label="{_escape(_shape_text(meta[0]))}"' if meta else ""
        lines.append(f"    {node_ids[parent]} -> {node_ids[child]} [{shape}]")
    for k, t in enumerate(outputs):
        oid = f"out{k}"
        text = ["output", _shape(t)] + ([_values("data", t._data)] if show_data else [])
        labels[oid] = "\n".join(text)
        lines.append(f'    {oid} [label="{_escape(labels[oid])}", shape=box, style=filled, fillcolor="#d5f5c8"]')
        source_node = t.grad_fn if t.grad_fn is not None else leaf_node(t)
        if source_node is not None:
            edge_pairs.append((node_ids[source_node], oid))
            lines.append(f"    {node_ids[source_node]} -> {oid}")
    header = ["digraph minigrad {", f"    rankdir={rankdir}",
              '    node [fontname="Helvetica", fontsize=11]', '    edge [fontname="Helvetica", fontsize=9]']
    source = "\n".join(header + lines + ["}"]) + "\n"
    return Graph(source, labels, edge_pairs, node_ids)


def _named_tensor_nodes(params):
    return {t.grad_fn: t for t in (params or {}).values() if isinstance(t, Tensor) and t.grad_fn is not None}


def _shape(t):
    return _shape_text(t.shape) if t is not None else ""


def _shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _values(title, *arrays):
    shown = [format_values(a) if np.size(a) <= SMALL else f"shape {tuple(np.shape(a))}" for a in arrays]
    return f"{title} " + ", ".join(shown) if shown else ""


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
