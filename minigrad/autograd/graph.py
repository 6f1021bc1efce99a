"""``minigrad.autograd.graph``: the same as ``minigrad.viz`` (``draw_graph``, ``Graph``)."""
from minigrad.viz import Graph, draw_graph, find_renderer, walk  # noqa: F401
