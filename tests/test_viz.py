"""draw_graph: the DOT graph has exactly the nodes and edges that next_functions walks."""
import collections
import re

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.viz import NO_RENDERER, draw_graph, find_renderer


def reachable(*outputs):
    """Nodes and (parent, child) edges from the outputs' grad_fn, by breadth-first search."""
    start = [t.grad_fn for t in outputs if t.grad_fn is not None]
    nodes, edges, queue = set(start), collections.Counter(), collections.deque(start)
    while queue:
        node = queue.popleft()
        for parent, _ in node.next_functions:
            if parent is None:
                continue
            edges[(parent, node)] += 1
            if parent not in nodes:
                nodes.add(parent)
                queue.append(parent)
    return nodes, edges


def assert_same_structure(graph, *outputs):
    nodes, edges = reachable(*outputs)
    assert set(graph.node_ids) == nodes
    ids = graph.node_ids
    drawn = collections.Counter(e for e in graph.edges if not e[1].startswith("out"))
    assert drawn == collections.Counter({(ids[p], ids[c]): n for (p, c), n in edges.items()})
    # the DOT text states the same: one line per node, one per edge
    for node_id in graph.nodes:
        assert re.search(rf"^\s+{node_id} \[label=", graph.source, re.M)
    dot_edges = collections.Counter(re.findall(r"^\s+(\w+) -> (\w+)", graph.source, re.M))
    assert dot_edges == collections.Counter(graph.edges)


def test_chain():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 2).exp().sum()
    g = draw_graph(y, params={"w": w})
    assert_same_structure(g, y)
    labels = sorted(g.nodes.values())
    assert labels == sorted(["SumBackward", "ExpBackward", "MulBackward", "w\n(2,)", "output\n()"])
    assert g.source.startswith("digraph minigrad {") and g.source.rstrip().endswith("}")
    assert str(g) + "\n" == g.source


def test_diamond_names_intermediates_and_labels_edges_with_shapes():
    w = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([2.0, 3.0, -1.0])
    z = w * x
    y = (z + z.tanh()).sum()
    g = draw_graph(y, params={"w": w, "z": z})
    assert_same_structure(g, y)
    mul = g.node_ids[z.grad_fn]
    assert g.nodes[mul].startswith("z = MulBackward")
    assert len([e for e in g.edges if e[0] == mul]) == 2  # z feeds the add and the tanh
    assert g.source.count('[label="(3,)"]') == 5


def test_reused_leaf_is_one_node_with_one_edge_per_use():
    w = minigrad.tensor(3.0, requires_grad=True)
    y = w * w + w
    g = draw_graph(y, params={"w": w})
    assert_same_structure(g, y)
    leaf = g.node_ids[w.grad_fn if w.grad_fn else y.grad_fn.next_functions[1][0]]
    assert g.nodes[leaf] == "w\n()"
    assert sum(1 for e in g.edges if e[0] == leaf) == 3


def test_mlp_with_named_parameters_and_values():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))
    x = minigrad.randn(4, 2)
    loss = F.cross_entropy(model(x), minigrad.tensor([0, 1, 1, 0]))
    loss.backward()
    g = draw_graph(loss, params=dict(model.named_parameters()), show_data=True, show_grad=True)
    assert_same_structure(g, loss)
    leaves = {label.split("\n")[0]: label for label in g.nodes.values() if "\n(" in label}
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= set(leaves)
    bias = model[2].bias
    from minigrad.autograd.trace import format_values
    assert f"grad {format_values(bias.grad.numpy())}" in leaves["2.bias"]
    assert f"data {format_values(bias.detach().numpy())}" in leaves["2.bias"]
    assert leaves["0.weight"].startswith("0.weight\n(3, 2)\ndata [[")


def test_two_outputs_share_nodes():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = w.tanh()
    a, b = h.sum(), (h * h).sum()
    g = draw_graph(a, b)
    assert_same_structure(g, a, b)
    assert [e for e in g.edges if e[1].startswith("out")] == [(g.node_ids[a.grad_fn], "out0"),
                                                              (g.node_ids[b.grad_fn], "out1")]


def test_a_leaf_output_and_bad_arguments():
    w = minigrad.tensor([1.0], requires_grad=True)
    g = draw_graph(w)
    assert g.edges == [] and list(g.nodes) == ["out0"]
    with pytest.raises(TypeError, match="draw_graph expects Tensors"):
        draw_graph(np.ones(2))


def test_without_a_renderer_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIGRAD_DOT", "no-such-renderer-program")
    assert find_renderer() is None
    y = (minigrad.tensor([1.0], requires_grad=True) * 2).sum()
    g = draw_graph(y)
    with pytest.raises(RuntimeError) as info:
        g.render(str(tmp_path / "g.svg"))
    assert str(info.value) == NO_RENDERER and "graphviz-pure" in NO_RENDERER
    assert g.render(str(tmp_path / "g.dot")) and (tmp_path / "g.dot").read_text() == g.source
    assert g._repr_mimebundle_() == {"text/plain": g.source}
    assert g._repr_svg_() is None


@pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer (dot or graphviz-pure) installed")
def test_renders_svg_and_png(tmp_path):
    w = minigrad.tensor([0.5, -1.0], requires_grad=True)
    y = (w * w.tanh()).sum()
    g = draw_graph(y, params={"w": w})
    svg = (tmp_path / "g.svg")
    g.render(str(svg))
    text = svg.read_text()
    assert "<svg" in text and "MulBackward" in text and ">w<" in text
    png = tmp_path / "g.png"
    g.render(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "image/svg+xml" in g._repr_mimebundle_()
    with pytest.raises(ValueError, match="format must be one of"):
        g.pipe("jpg")


def test_graph_module_is_the_same():
    from minigrad.autograd import graph
    assert graph.draw_graph is draw_graph
