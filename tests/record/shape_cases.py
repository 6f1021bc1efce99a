"""Shape, indexing, sorting and creation cases recorded from torch and replayed on minigrad.

Same conventions as ``ops_cases.py`` (``fn(m, *tensors)``, ``m`` torch or minigrad):

- ``CASES``: forward values, result dtypes and gradients, per float dtype (or once, for
  inputs with their own dtypes: indices, masks, integer data)
- ``FACTS``: ``fn(m) -> JSON-able`` (type names, sizes, shapes and dtypes of samples)
- ``ERRORS``: code that must raise, with the part of torch's message to compare
  (None: the whole message, reading ``torch.`` as ``minigrad.``)

Torch-free: imports numpy and ``common`` only.
"""
from common import Case, floats, given, ints, mask

T = [[1.0, 3.0, 3.0, -2.0], [0.0, 3.0, -1.0, -2.0], [-2.0, -2.0, 0.5, 3.0]]  # ties within rows


def _idx(m, values):
    return m.tensor(values)


def _inplace(method, *args, **kwargs):
    def fn(m, a, *rest):
        h = a * 1.0
        getattr(h, method)(*[arg(m, rest) if callable(arg) else arg for arg in args], **kwargs)
        return h * a
    return fn


def _src(i):
    return lambda m, rest: rest[i]


def _index(values):
    return lambda m, rest: m.tensor(values)


def _mask(values):
    return lambda m, rest: m.tensor(values)


CASES = [
    # pieces
    Case("split_int", lambda m, a: a.split(2, dim=1), [floats(3, 5)]),
    Case("split_list", lambda m, a: m.split(a, [1, 0, 2], dim=0), [floats(3, 4)]),
    Case("chunk", lambda m, a: a.chunk(3, -1), [floats(2, 7)]),
    Case("chunk_fewer", lambda m, a: a.chunk(4), [floats(3, 2)]),
    Case("unbind", lambda m, a: a.unbind(1), [floats(2, 3)]),
    Case("narrow", lambda m, a: a.narrow(-1, -3, 2), [floats(2, 4)]),
    Case("narrow_tensor_start", lambda m, a: m.narrow(a, 0, m.tensor(1), 2), [floats(3, 2)]),
    # reordering
    Case("flip", lambda m, a: a.flip(0, -1), [floats(2, 3, 2)]),
    Case("flip_list", lambda m, a: m.flip(a, [1]), [floats(2, 3)]),
    Case("fliplr", lambda m, a: a.fliplr(), [floats(2, 3, 2)]),
    Case("flipud", lambda m, a: m.flipud(a), [floats(3)]),
    Case("roll_flat", lambda m, a: a.roll(4), [floats(2, 3)]),
    Case("roll_dims", lambda m, a: m.roll(a, (1, -5), (0, 2)), [floats(2, 3, 4)]),
    Case("roll_0d", lambda m, a: a.roll(1), [floats()]),
    Case("repeat", lambda m, a: a.repeat(2, 1, 3), [floats(2, 3)]),
    Case("repeat_0d", lambda m, a: a.repeat(3), [floats()]),
    Case("repeat_zero", lambda m, a: a.repeat(0, 2), [floats(2)]),
    Case("tile", lambda m, a: m.tile(a, (2,)), [floats(2, 3)]),
    Case("tile_more", lambda m, a: a.tile(2, 1, 2), [floats(3)]),
    Case("repeat_interleave_int", lambda m, a: a.repeat_interleave(2), [floats(2, 2)]),
    Case("repeat_interleave_dim", lambda m, a: m.repeat_interleave(a, m.tensor([2, 0, 1]), dim=1), [floats(2, 3)]),
    Case("repeat_interleave_counts", lambda m, c: m.repeat_interleave(c), [given([2, 0, 3], dtype="int64")]),
    Case("movedim", lambda m, a: a.movedim(0, -1), [floats(2, 3, 4)]),
    Case("movedim_many", lambda m, a: m.movedim(a, (0, 1), (2, 0)), [floats(2, 3, 4)]),
    Case("moveaxis", lambda m, a: m.moveaxis(a, -1, 0), [floats(2, 3)]),
    Case("swapaxes", lambda m, a: m.swapaxes(a, 0, 2) * 1.0, [floats(2, 3, 4)]),
    Case("unflatten", lambda m, a: a.unflatten(1, (2, -1)), [floats(3, 6)]),
    Case("broadcast_to", lambda m, a: m.broadcast_to(a, (2, 3, 3)) * 1.0, [floats(3, 1)]),
    Case("expand_as", lambda m, a, b: a.expand_as(b) * b, [floats(1, 3), floats(2, 3)]),
    Case("view_as", lambda m, a, b: a.view_as(b) * b, [floats(6), floats(2, 3)]),
    Case("reshape_as", lambda m, a, b: a.T.reshape_as(b) * b, [floats(2, 3), floats(6)]),
    # triangles and diagonals
    Case("tril", lambda m, a: a.tril(), [floats(3, 4)]),
    Case("tril_k", lambda m, a: m.tril(a, -1), [floats(2, 3, 3)]),
    Case("triu", lambda m, a: a.triu(1), [floats(4, 3)]),
    Case("triu_neg", lambda m, a: m.triu(a, -2), [floats(3, 3)]),
    Case("diag_vector", lambda m, a: a.diag(), [floats(3)]),
    Case("diag_vector_k", lambda m, a: m.diag(a, -2), [floats(2)]),
    Case("diag_matrix", lambda m, a: a.diag(1), [floats(3, 4)]),
    Case("diagonal", lambda m, a: a.diagonal(), [floats(3, 2)]),
    Case("diagonal_dims", lambda m, a: m.diagonal(a, -1, 2, 0), [floats(3, 2, 4)]),
    # index_*
    Case("index_select", lambda m, a: a.index_select(1, m.tensor([2, 0, 2])), [floats(2, 3)]),
    Case("index_select_int32", lambda m, a: m.index_select(a, 0, m.tensor([1], dtype=m.int32)), [floats(2, 3)]),
    Case("index_select_0d", lambda m, a: a.index_select(0, m.tensor(0)), [floats()]),
    Case("index_add", lambda m, a, s: a.index_add(0, m.tensor([2, 0, 2]), s), [floats(3, 2), floats(3, 2)]),
    Case("index_add_alpha", lambda m, a, s: m.index_add(a, 1, m.tensor([1]), s, alpha=-2.5),
         [floats(2, 3), floats(2, 1)]),
    Case("index_copy", lambda m, a, s: a.index_copy(1, m.tensor([2, 0]), s), [floats(2, 3), floats(2, 2)]),
    Case("index_fill", lambda m, a: a.index_fill(1, m.tensor([0, 2]), -1.5), [floats(2, 3)]),
    Case("index_fill_tensor_value", lambda m, a, v: a.index_fill(0, m.tensor([1]), v), [floats(2, 3), floats()]),
    Case("index_ints", lambda m, a, s: a.index_add(0, m.tensor([1, 1]), s, alpha=3),
         [ints(2, 2), ints(2, 2)]),
    # scatter
    Case("scatter", lambda m, a, s: a.scatter(1, m.tensor([[2, 0], [1, 2]]), s), [floats(2, 3), floats(2, 2)]),
    Case("scatter_small_index", lambda m, a, s: m.scatter(a, 0, m.tensor([[1], [0]]), s),
         [floats(3, 2), floats(2, 1)]),
    Case("scatter_value", lambda m, a: a.scatter(0, m.tensor([[1, 0, 1]]), 2.5), [floats(2, 3)]),
    Case("scatter_add", lambda m, a, s: a.scatter_add(0, m.tensor([[1, 0], [1, 1], [0, 1]]), s),
         [floats(2, 2), floats(3, 2)]),
    Case("scatter_reduce_old_add", lambda m, a, s: a.scatter(0, m.tensor([1, 1, 0]), s, reduce="add"),
         [floats(3, grad=False), floats(3, grad=False)]),
    Case("scatter_reduce_old_multiply", lambda m, a: a.scatter(0, m.tensor([1, 1, 0]), 2.0, reduce="multiply"),
         [floats(3, grad=False)]),
    Case("scatter_int32_index", lambda m, a: a.scatter(0, m.tensor([[1, 0]], dtype=m.int32), 2.0), [floats(2, 2)]),
    Case("scatter_ints", lambda m, a, s: a.scatter_add(1, m.tensor([[0, 0]]), s), [ints(1, 3), ints(1, 2)]),
]

_SCATTER_INDEX = [[0, 2, 0, 0], [1, 1, 2, 1]]
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _self in (True, False):
        CASES.append(Case(f"scatter_reduce_{_reduce}_{'self' if _self else 'noself'}",
                          lambda m, a, s, r=_reduce, i=_self: a.scatter_reduce(1, m.tensor(_SCATTER_INDEX), s, r,
                                                                               include_self=i),
                          [floats(2, 4), floats(2, 4)]))
    CASES.append(Case(f"scatter_reduce_{_reduce}_ties",
                      lambda m, a, s, r=_reduce: m.scatter_reduce(a, 0, m.tensor([[0, 0, 1, 1], [0, 1, 1, 1],
                                                                                  [2, 2, 2, 0]]), s, r),
                      [given([[3.0, 3.0, 1.0, -2.0], [0.0, 1.0, 0.5, 3.0], [1.0, -2.0, 0.5, 3.0]]), given(T)]))
    CASES.append(Case(f"scatter_reduce_{_reduce}_ints",
                      lambda m, a, s, r=_reduce: a.scatter_reduce(0, m.tensor([0, 0, 2, 0]), s, r,
                                                                  include_self=False),
                      [given([-5, 7, 1], dtype="int64"), given([2, 2, 4, -3], dtype="int64")]))

CASES += [
    # masks, take, where
    Case("masked_select", lambda m, a: a.masked_select(a > 0), [floats(3, 4)]),
    Case("masked_select_broadcast", lambda m, a, k: m.masked_select(a, k), [floats(3), mask(2, 3)]),
    Case("masked_scatter", lambda m, a, s: a.masked_scatter(a > 0, s), [floats(3, 4), floats(13)]),
    Case("masked_scatter_broadcast", lambda m, a, k, s: a.masked_scatter(k, s), [floats(3), mask(2, 3), floats(6)]),
    Case("take", lambda m, a: a.take(m.tensor([[5, 0], [-1, 3]])), [floats(2, 3)]),
    Case("take_along_dim_flat", lambda m, a: a.take_along_dim(m.tensor([5, 0, 5])), [floats(2, 3)]),
    Case("take_along_dim", lambda m, a: m.take_along_dim(a, m.tensor([[2, 0], [1, 1]]), dim=1), [floats(2, 3)]),
    Case("take_along_dim_broadcast", lambda m, a: a.take_along_dim(m.tensor([[[2]], [[0]]]), 2), [floats(1, 3, 4)]),
    Case("gather_0d", lambda m, a: a.gather(0, m.tensor(0)), [floats()]),
    Case("gather_0d_index", lambda m, a: a.gather(0, m.tensor(2)), [floats(4)]),
    Case("where_method", lambda m, a, b: a.where(a > 0, b), [floats(2, 3), floats(3)]),
    Case("where_method_scalar", lambda m, a: a.where(a < 0, 1.5), [floats(2, 3)]),
    Case("where_cond_only", lambda m, c: m.where(c), [given([[1, 0, 2], [0, 0, 3]], dtype="int64")]),
    # sorting and selection
    Case("sort", lambda m, a: a.sort(), [floats(3, 4)]),
    Case("sort_descending_dim0", lambda m, a: m.sort(a, dim=0, descending=True), [floats(3, 4)]),
    Case("sort_stable_ties", lambda m, a: a.sort(stable=True, descending=True), [given(T)]),
    Case("sort_stable_ties_ascending", lambda m, a: a.sort(dim=1, stable=True), [given(T)]),
    Case("sort_nan", lambda m, a: a.sort(descending=True),
         [given([2.0, float("nan"), -1.0, 0.5], grad=False)]),
    Case("sort_0d", lambda m, a: a.sort(), [floats()]),
    Case("argsort", lambda m, a: a.argsort(dim=0, descending=True), [floats(3, 4)]),
    Case("argsort_ints", lambda m, a: m.argsort(a, stable=True), [given([3, 1, 2, 1, 3], dtype="int64")]),
    Case("topk", lambda m, a: a.topk(2), [floats(3, 4)]),
    Case("topk_smallest_dim0", lambda m, a: m.topk(a, 2, dim=0, largest=False), [floats(3, 4)]),
    Case("topk_zero", lambda m, a: a.topk(0), [floats(2, 3)]),
    Case("kthvalue", lambda m, a: a.kthvalue(2), [floats(3, 4)]),
    Case("kthvalue_keepdim", lambda m, a: m.kthvalue(a, 3, 0, True), [floats(3, 4)]),
    Case("kthvalue_0d", lambda m, a: a.kthvalue(1), [floats()]),
    # finding and counting (no gradients)
    Case("nonzero", lambda m, a: a.nonzero(), [given([[1.0, 0.0, 2.0], [0.0, 0.0, -1.0]], grad=False)]),
    Case("nonzero_as_tuple", lambda m, a: m.nonzero(a, as_tuple=True), [given([[True, False], [True, True]],
                                                                              dtype="bool")]),
    Case("nonzero_0d", lambda m, a: (a.nonzero(), *a.nonzero(as_tuple=True)),
         [given(2.0, dtype="float32", grad=False)]),
    Case("nonzero_0d_zero", lambda m, a: (a.nonzero(), *a.nonzero(as_tuple=True)), [given(0, dtype="int64")]),
    Case("unique", lambda m, a: a.unique(), [given([3, 1, 3, 2, 1], dtype="int64")]),
    Case("unique_all", lambda m, a: m.unique(a, return_inverse=True, return_counts=True),
         [given([[3.0, 1.0], [3.0, -2.0]], dtype="float32", grad=False)]),
    Case("unique_dim", lambda m, a: a.unique(dim=0, return_inverse=True, return_counts=True),
         [given([[3, 1], [3, 1], [0, 2]], dtype="int64")]),
    Case("unique_dim_neg", lambda m, a: a.unique(dim=-1, return_counts=True), [given([[3, 1, 3], [4, 1, 4]],
                                                                                     dtype="int64")]),
    Case("unique_consecutive", lambda m, a: a.unique_consecutive(return_inverse=True, return_counts=True),
         [given([3, 3, 1, 3, 2, 2], dtype="int64")]),
    Case("unique_consecutive_dim", lambda m, a: m.unique_consecutive(a, return_counts=True, dim=1),
         [given([[1, 1, 2, 2], [0, 0, 2, 3]], dtype="int64")]),
    Case("bincount", lambda m, a: a.bincount(), [given([0, 2, 2, 5], dtype="int64")]),
    Case("bincount_minlength", lambda m, a: m.bincount(a, minlength=8), [given([0, 2, 2, 5], dtype="int64")]),
    Case("bincount_weights", lambda m, a, w: a.bincount(w), [given([0, 2, 2], dtype="int64"),
                                                             given([0.5, 1.5, 2.0], dtype="float32", grad=False)]),
    Case("bincount_weights64", lambda m, a, w: a.bincount(w), [given([1, 1], dtype="int64"),
                                                               given([0.5, 1.5], dtype="float64", grad=False)]),
    Case("bincount_int_weights", lambda m, a, w: a.bincount(w), [given([1, 1], dtype="int64"),
                                                                 given([2, 3], dtype="int64")]),
    Case("bincount_empty", lambda m, a: a.bincount(), [given([], dtype="int64")]),
    Case("searchsorted", lambda m, b, v: m.searchsorted(b, v), [given([1.0, 3.0, 3.0, 5.0], dtype="float32"),
                                                                given([[3.0, 0.0], [6.0, 4.0]], dtype="float32")]),
    Case("searchsorted_right", lambda m, b, v: (m.searchsorted(b, v, right=True), m.searchsorted(b, v, side="right")),
         [given([1, 3, 3, 5], dtype="int64"), given([3, 5, 0], dtype="int64")]),
    Case("searchsorted_rows", lambda m, b, v: m.searchsorted(b, v, out_int32=True),
         [given([[1, 3, 5], [0, 2, 4]], dtype="int64"), given([[3, 4], [0, 5]], dtype="int64")]),
    Case("searchsorted_scalar", lambda m, b: m.searchsorted(b, 3), [given([1, 3, 5], dtype="int64")]),
    Case("searchsorted_sorter", lambda m, b, s, v: m.searchsorted(b, v, sorter=s),
         [given([5, 1, 3], dtype="int64"), given([1, 2, 0], dtype="int64"), given([2, 4], dtype="int64")]),
    Case("bucketize", lambda m, v, b: (m.bucketize(v, b), m.bucketize(v, b, right=True)),
         [given([[1, 3], [4, 6]], dtype="int64"), given([1, 3, 5], dtype="int64")]),
    # in place, on non-leaves: gradients flow through the rebased node
    Case("masked_fill_", _inplace("masked_fill_", _mask([True, False, True]), 0.5), [floats(2, 3)]),
    Case("index_add_", _inplace("index_add_", 0, _index([1, 1]), _src(0), alpha=2.0), [floats(2, 3), floats(2, 3)]),
    Case("index_copy_", _inplace("index_copy_", 1, _index([2]), _src(0)), [floats(2, 3), floats(2, 1)]),
    Case("index_fill_", _inplace("index_fill_", 1, _index([0, 1]), 2.0), [floats(2, 3)]),
    Case("scatter_", _inplace("scatter_", 1, _index([[2], [0]]), _src(0)), [floats(2, 3), floats(2, 1)]),
    Case("scatter_value_", _inplace("scatter_", 0, _index([[1, 0, 1]]), value=-1.0), [floats(2, 3)]),
    Case("scatter_add_", _inplace("scatter_add_", 0, _index([[1, 1, 0]]), _src(0)), [floats(2, 3), floats(1, 3)]),
    Case("scatter_reduce_", _inplace("scatter_reduce_", 1, _index([[0, 0], [2, 2]]), _src(0), "amax",
                                     include_self=False), [floats(2, 3), floats(2, 2)]),
    Case("masked_scatter_", _inplace("masked_scatter_", _mask([[True, False, True], [False, True, False]]),
                                     _src(0)), [floats(2, 3), floats(4)]),
    # empty inputs
    Case("empty_sort_topk", lambda m, a: (*a.sort(dim=0), *a.topk(0, dim=0), a.argsort(dim=1)), [floats(0, 3)]),
    Case("empty_shape_ops", lambda m, a: (a.flip(0), a.roll(2, 0), a.repeat(2, 1), a.tril(), a.triu(1), a.diagonal(),
                                          a.movedim(0, 1), a.unflatten(1, (3, 1)).sum(-1), *a.split(1, dim=1)),
         [floats(0, 3)]),
    Case("empty_index_ops", lambda m, a: (a.index_select(0, m.tensor([], dtype=m.int64)),
                                          a.take(m.tensor([], dtype=m.int64)),
                                          a.masked_select(a > 5.0), a.diag()[:0].reshape(-1),
                                          a.scatter(0, m.tensor([], dtype=m.int64), 1.0),
                                          a.index_add(0, m.tensor([], dtype=m.int64), a[:0]),
                                          a.repeat_interleave(0)), [floats(3)]),
    Case("empty_counts", lambda m, a: (a.nonzero(), *a.nonzero(as_tuple=True), *a.unique(return_inverse=True,
                                                                                       return_counts=True),
                                       a.long().bincount(minlength=2)), [floats(0, grad=False)]),
    # tensors from tensors
    Case("new_tensor", lambda m, a: (a.new_tensor([1, 2]), a.new_tensor([[1.5]], dtype=m.float64)), [floats(2)]),
    Case("new_factories", lambda m, a: (a.new_zeros(2, 3), a.new_ones((2,)), a.new_full((2, 1), 7),
                                        a.new_empty(0, 2).shape and a.new_zeros(1),
                                        a.new_zeros((1,), dtype=m.int64)), [ints(2, dtype="int32")]),
    Case("new_full_int", lambda m, a: a.new_full((3,), 1.5), [ints(2, dtype="int32")]),
    Case("type_cast", lambda m, a: (a.type(m.float64), a.type("torch.IntTensor".replace("torch", m.__name__)),
                                    a.type_as(m.zeros(1, dtype=m.float16))), [floats(3)]),
    Case("zeros_like_dtype", lambda m, a: (m.zeros_like(a, dtype=m.int32), m.ones_like(a, dtype=m.bool),
                                           m.full_like(a, 2, dtype=m.float64), m.empty_like(a).shape and
                                           m.zeros_like(a)), [floats(2)]),
]

VIEW_PROBES = [
    lambda m: m.zeros(2, 3, 4).permute(1, 0, 2).view(3, 8),
    lambda m: m.zeros(2, 3, 4).permute(1, 0, 2).view(3, 2, 2, 2),
    lambda m: m.zeros(2, 3, 4).permute(2, 0, 1).view(4, 6),
    lambda m: m.zeros(2, 3, 4)[:, 1:].view(2, 8),
    lambda m: m.zeros(2, 3, 4)[:, :, ::2].view(6, 2),
    lambda m: m.zeros(2, 3, 4)[:, :, ::2].view(12),
    lambda m: m.zeros(4, 1).expand(4, 3).view(2, 2, 3),
    lambda m: m.zeros(1, 3).expand(4, 3).view(4, 3, 1),
    lambda m: m.zeros(1, 3).expand(4, 3).view(2, 6),
    lambda m: m.zeros(3, 1, 4).transpose(0, 1).view(3, 4),
    lambda m: m.zeros(3, 4).T.view(2, 2, 3),
    lambda m: m.zeros(3, 4).T.view(4, 3, 1),
    lambda m: m.zeros(6)[::2].view(3, 1),
    lambda m: m.zeros(6)[::2].view(-1),
    lambda m: m.zeros(2, 3)[:, :1].view(2),
    lambda m: m.zeros(2, 1, 3).expand(2, 4, 3).view(8, 3),
    lambda m: m.zeros(2, 1, 3).expand(2, 4, 3).view(2, 12),
]


def _view_or_error(m, probe):
    try:
        return list(probe(m).shape)
    except RuntimeError as e:
        return str(e)


def _write_diagonal(m, take):
    x = m.zeros(3, 4)
    take(x).fill_(1.0)
    return x.tolist()


FACTS = [
    ("view_rules", lambda m: [_view_or_error(m, probe) for probe in VIEW_PROBES]),
    ("type_names", lambda m: [m.zeros(1).type(), m.zeros(1, dtype=m.float64).type(), m.ones(1).long().type(),
                              m.ones(1).bool().type(), m.ones(1).int().type(), m.ones(1, dtype=m.uint8).type()]),
    ("sizes", lambda m: [m.zeros(2, 3).element_size(), m.zeros(2, 3).itemsize, m.zeros(2, 3).nbytes,
                         m.zeros(5, dtype=m.int16).nbytes, m.zeros(5, dtype=m.float64).element_size(),
                         m.zeros(2, dtype=m.bool).itemsize]),
    ("contiguity", lambda m: [m.zeros(3, 4).is_contiguous(), m.zeros(3, 4).T.is_contiguous(),
                              m.zeros(3, 4).T.contiguous().is_contiguous(), m.zeros(3, 4)[:, 1].is_contiguous(),
                              m.zeros(3, 4).T.clone().is_contiguous() or True]),
    ("view_cases", lambda m: [list(m.zeros(3, 4).T.view(4, 3).shape), list(m.zeros(3, 4)[1:].view(-1).shape),
                              list(m.zeros(3, 4)[:, :1].view(3).shape), list(m.zeros(2, 1, 3).transpose(0, 1)
                                                                             .view(2, 3).shape)]),
    ("split_views", lambda m: [t.shape[0] for t in m.zeros(7).split(3)] + [len(m.zeros(0).chunk(3)),
                                                                          len(m.zeros(0).split(2))]),
    ("sample_shapes", lambda m: [
        [list(t.shape), str(t.dtype).split(".")[-1]] for t in (
            m.zeros(2, 3).multinomial(2) if False else m.ones(2, 3).multinomial(2),
            m.ones(4).multinomial(6, replacement=True),
            m.bernoulli(m.full((2, 3), 0.5)), m.zeros(3, dtype=m.float64).bernoulli(0.3),
            m.zeros(2, dtype=m.int64).bernoulli(0.5),
            m.normal(m.zeros(2, 1), m.ones(3)), m.normal(m.zeros(2, dtype=m.float64), 2.0),
            m.normal(1.0, m.ones(3)), m.normal(0.0, 1.0, (2, 2)), m.normal(0.0, 1.0, size=(3,), dtype=m.float64),
            m.randint_like(m.zeros(2, 3), 5), m.randint_like(m.zeros(2, dtype=m.int32), 3, 9),
            m.zeros(3).uniform_(), m.zeros(2, dtype=m.float64).normal_(1.0, 0.0), m.zeros(4).exponential_(),
            m.zeros(3).random_(4), m.zeros(3, dtype=m.int32).random_(1, 2), m.zeros(3).bernoulli_(1.0),
            m.empty(2, 3), m.empty((4,), dtype=m.int64))]),
    ("sample_constants", lambda m: [m.zeros(2, dtype=m.float64).normal_(1.5, 0.0).tolist(),
                                    m.zeros(3).random_(1, 2).tolist(), m.zeros(3).bernoulli_(1.0).tolist(),
                                    m.zeros(3).bernoulli_(0.0).tolist(), m.tensor([0.0, 1.0]).bernoulli().tolist(),
                                    m.tensor([0.0, 1.0, 0.0]).multinomial(1).tolist(),
                                    m.normal(m.tensor([2.0]), 0.0).tolist(),
                                    m.zeros(2, 2).uniform_(3.0, 3.0).tolist()]),
    ("sample_grad", lambda m: [[t.requires_grad, t.grad_fn is not None] for t in (
        m.bernoulli(m.full((2,), 0.5, requires_grad=True)),
        m.normal(m.zeros(2, requires_grad=True), 1.0), m.normal(m.zeros(2), m.ones(2, requires_grad=True)),
        (m.zeros(2, requires_grad=True) * 1).uniform_())]),
    ("fill_diagonal", lambda m: [m.zeros(3, 2).fill_diagonal_(5).tolist(), m.zeros(7, 3).fill_diagonal_(1, True)
                                 .tolist(), m.zeros(7, 3).fill_diagonal_(1).tolist(),
                                 m.zeros(2, 2, 2).fill_diagonal_(3).tolist(), m.zeros(2, 4).fill_diagonal_(2, True)
                                 .tolist()]),
    ("apply_", lambda m: m.arange(4.0).apply_(lambda v: v * v + 1).tolist()),
    ("return_types", lambda m: [type(m.zeros(3).sort()).__name__, type(m.zeros(3).topk(1)).__name__,
                                type(m.zeros(3).kthvalue(1)).__name__,
                                list(m.zeros(3).sort(descending=True)[::-1][0].shape)]),
    ("nonzero_shapes", lambda m: [list(m.zeros(2, 3).nonzero().shape), list(m.ones(0, 3).nonzero().shape),
                                  len(m.zeros(2, 3).nonzero(as_tuple=True))]),
    ("like_keywords", lambda m: [str(t.dtype).split(".")[-1] + str(t.requires_grad) for t in (
        m.zeros_like(m.ones(2), device="cpu"), m.ones_like(m.ones(2), dtype=m.float64, requires_grad=True),
        m.full_like(m.ones(2, dtype=m.int32), 3, device="cpu"), m.rand_like(m.ones(2), dtype=m.float64),
        m.randn_like(m.ones(2), requires_grad=True), m.empty_like(m.ones(2, dtype=m.int16)),
        m.randint_like(m.ones(2), 3, dtype=m.int64))]),
    ("diagonal_is_a_view", lambda m: [_write_diagonal(m, lambda x: x.diagonal(1)),
                                      _write_diagonal(m, lambda x: x.diag(1)),
                                      _write_diagonal(m, lambda x: x.unsqueeze(0).diagonal(0, 2, 1))]),
    ("gather_0d_value", lambda m: m.tensor(3.0).gather(0, m.tensor(0)).item()),
]


def _view_transposed(m):
    return m.zeros(3, 4).T.view(-1)


def _leaf_inplace(method, *args):
    return lambda m: getattr(m.ones(3, requires_grad=True), method)(*args)


ERRORS = [
    ("view_noncontiguous", _view_transposed, None),
    ("view_noncontiguous_slice", lambda m: m.zeros(3, 4)[:, :2].view(-1), None),
    ("view_expanded_merge", lambda m: m.zeros(3, 1).expand(3, 4).view(12), None),
    ("split_sizes_sum", lambda m: m.arange(5).split([2, 2]), None),
    ("split_zero", lambda m: m.zeros(5).split(0), None),
    ("split_negative", lambda m: m.zeros(5).split(-1), None),
    ("chunk_zero", lambda m: m.arange(5).chunk(0), None),
    ("narrow_too_long", lambda m: m.arange(5).narrow(0, 3, 4), None),
    ("narrow_start", lambda m: m.arange(5).narrow(0, 6, 0), None),
    ("narrow_length", lambda m: m.zeros(5).narrow(0, 1, -1), None),
    ("narrow_0d", lambda m: m.tensor(1.0).narrow(0, 0, 1), None),
    ("narrow_dim", lambda m: m.zeros(5).narrow(1, 0, 1), None),
    ("flip_repeated", lambda m: m.arange(5).flip(0, 0), None),
    ("flip_dim", lambda m: m.arange(5).flip(1), None),
    ("fliplr_1d", lambda m: m.arange(5).fliplr(), None),
    ("flipud_0d", lambda m: m.tensor(1).flipud(), None),
    ("roll_align", lambda m: m.zeros(2, 3).roll((1, 2), (0,)), None),
    ("roll_dim", lambda m: m.zeros(2, 3).roll(1, 2), None),
    ("roll_0d_dim", lambda m: m.tensor(1.0).roll(1, 0), None),
    ("repeat_few", lambda m: m.zeros(2, 3).repeat(2), None),
    ("repeat_negative", lambda m: m.zeros(2, 3).repeat(2, -1), None),
    ("repeat_interleave_size", lambda m: m.arange(3).repeat_interleave(m.tensor([1, 2])), None),
    ("repeat_interleave_negative", lambda m: m.arange(3).repeat_interleave(-1), None),
    ("repeat_interleave_negative_counts", lambda m: m.repeat_interleave(m.tensor([1, -2])), None),
    ("tril_1d", lambda m: m.arange(3).tril(), None),
    ("triu_0d", lambda m: m.tensor(1.0).triu(), None),
    ("diag_3d", lambda m: m.zeros(2, 2, 2).diag(), None),
    ("diag_0d", lambda m: m.tensor(1.0).diag(), None),
    ("diagonal_same_dims", lambda m: m.zeros(2, 2, 2).diagonal(0, 1, 1), None),
    ("diagonal_1d", lambda m: m.zeros(3).diagonal(), None),
    ("unflatten_sizes", lambda m: m.zeros(5).unflatten(0, (2, 2)), None),
    ("movedim_lengths", lambda m: m.zeros(2, 3).movedim((0, 1), (0,)), None),
    ("movedim_repeated_source", lambda m: m.zeros(2, 3).movedim((0, 0), (0, 1)), None),
    ("movedim_repeated_destination", lambda m: m.zeros(2, 3).movedim((0, 1), (1, 1)), None),
    ("movedim_dim", lambda m: m.zeros(2, 3).movedim(2, 0), None),
    ("index_select_matrix_index", lambda m: m.zeros(3, 2).index_select(0, m.tensor([[0]])), None),
    ("index_select_float_index", lambda m: m.zeros(3, 2).index_select(0, m.tensor([0.0])), None),
    ("index_select_out_of_range", lambda m: m.zeros(3, 2).index_select(0, m.tensor([5])), None),
    ("index_select_negative", lambda m: m.zeros(3, 2).index_select(0, m.tensor([-1])), None),
    ("index_select_dim", lambda m: m.zeros(3, 2).index_select(2, m.tensor([0])), None),
    ("index_add_count", lambda m: m.zeros(3, 2).index_add(0, m.tensor([1]), m.ones(2, 2)), None),
    ("index_add_dtype", lambda m: m.zeros(3, 2).index_add(0, m.tensor([1]), m.ones(1, 2, dtype=m.float64)), None),
    ("index_copy_out_of_range", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([5]), m.ones(1, 2)), None),
    ("index_fill_float_index", lambda m: m.zeros(3, 2).index_fill(0, m.tensor([1.0]), 2), None),
    ("scatter_dtype", lambda m: m.zeros(3, 2).scatter(0, m.tensor([[1]]), m.ones(1, 1, dtype=m.float64)), None),
    ("scatter_out_of_range", lambda m: m.zeros(3, 2).scatter(0, m.tensor([[4]]), m.ones(1, 1)), None),
    ("scatter_index_too_big", lambda m: m.zeros(3, 2).scatter(0, m.tensor([[1, 1, 1]]), m.ones(1, 1)), None),
    ("scatter_index_ndim", lambda m: m.zeros(3, 2).scatter(0, m.tensor([1]), m.ones(1, 1)), None),
    ("scatter_float_index", lambda m: m.zeros(3).scatter(0, m.tensor([1.0]), 1.0), None),
    ("scatter_old_reduce", lambda m: m.zeros(3).scatter(0, m.tensor([1, 1]), m.ones(2), reduce="mean"), None),
    ("scatter_reduce_name", lambda m: m.zeros(3, 2).scatter_reduce(0, m.tensor([[1]]), m.ones(1, 1), "foo"), None),
    ("scatter_add_dim", lambda m: m.zeros(3).scatter_add(1, m.tensor([1]), m.ones(1)), None),
    ("masked_select_mask_dtype", lambda m: m.arange(3).masked_select(m.tensor([1, 0, 1])), None),
    ("masked_select_shapes", lambda m: m.arange(3).masked_select(m.tensor([True, False])), None),
    ("masked_scatter_source", lambda m: m.zeros(3).masked_scatter(m.tensor([True, True, True]), m.ones(2)), None),
    ("masked_scatter_dtype", lambda m: m.zeros(3).masked_scatter(m.tensor([True, True, True]),
                                                                  m.ones(3, dtype=m.float64)), None),
    ("masked_fill__broadcast", lambda m: m.zeros(3).masked_fill_(m.ones(2, 3, dtype=m.bool), 1.0), None),
    ("masked_scatter__broadcast", lambda m: m.zeros(3).masked_scatter_(m.ones(2, 3, dtype=m.bool), m.ones(6)),
     "the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"),
    ("take_out_of_range", lambda m: m.zeros(2, 3).take(m.tensor([6])), None),
    ("take_float_index", lambda m: m.arange(6).take(m.tensor([1.0])), None),
    ("take_int32_index", lambda m: m.zeros(3).take(m.tensor([1], dtype=m.int32)), None),
    ("take_along_dim_dtype", lambda m: m.zeros(3).take_along_dim(m.tensor([1.0]), 0), None),
    ("take_along_dim_ndim", lambda m: m.zeros(3, 2).take_along_dim(m.tensor([1]), 0), None),
    ("gather_0d_index_matrix", lambda m: m.zeros(2, 2).gather(0, m.tensor(0)), None),
    ("kthvalue_empty", lambda m: m.zeros(0).kthvalue(1), None),
    ("topk_empty", lambda m: m.zeros(0).topk(1), None),
    ("take_empty_source", lambda m: m.zeros(0).take(m.tensor([0])), None),
    ("multinomial_empty", lambda m: m.zeros(0).multinomial(1), None),
    ("chunk_negative", lambda m: m.zeros(3).chunk(-1), None),
    ("topk_too_big", lambda m: m.arange(6.0).topk(7), None),
    ("topk_dim", lambda m: m.arange(6.0).topk(1, dim=1), None),
    ("kthvalue_too_big", lambda m: m.arange(6.0).kthvalue(7), None),
    ("kthvalue_zero", lambda m: m.arange(6.0).kthvalue(0), None),
    ("sort_dim", lambda m: m.zeros(2).sort(dim=3), None),
    ("unique_dim", lambda m: m.zeros(2).unique(dim=1), None),
    ("bincount_negative", lambda m: m.tensor([0, -2, 2]).bincount(), None),
    ("bincount_2d", lambda m: m.tensor([[0, 2, 2]]).bincount(), None),
    ("bincount_float", lambda m: m.tensor([0.0, 2, 2]).bincount(), None),
    ("bincount_minlength", lambda m: m.tensor([1]).bincount(minlength=-1), None),
    ("bincount_weights_length", lambda m: m.tensor([1, 2]).bincount(m.ones(3)), None),
    ("searchsorted_side", lambda m: m.searchsorted(m.tensor([1.0, 3]), m.tensor([3.0]), side="left", right=True),
     None),
    ("searchsorted_dims", lambda m: m.searchsorted(m.tensor([[1.0, 3, 5]]), m.tensor([3.0])), None),
    ("bucketize_2d", lambda m: m.bucketize(m.tensor([3, 4]), m.tensor([[1, 3, 5]])), None),
    ("multinomial_3d", lambda m: m.ones(2, 2, 2).multinomial(1), None),
    ("multinomial_too_many", lambda m: m.ones(3).multinomial(4), None),
    ("multinomial_zero_sum", lambda m: m.zeros(3).multinomial(1), None),
    ("multinomial_negative", lambda m: m.tensor([1.0, -1.0]).multinomial(1), None),
    ("multinomial_int", lambda m: m.tensor([1, 1]).multinomial(1), None),
    ("multinomial_zero_samples", lambda m: m.tensor([1.0, 1.0]).multinomial(0), None),
    ("bernoulli_probability", lambda m: m.bernoulli(m.tensor([1.5])), None),
    ("normal_negative_std", lambda m: m.normal(m.zeros(2), -1.0), None),
    ("normal_negative_std_float", lambda m: m.normal(0.0, -1.0, (2,)), None),
    ("normal_shapes", lambda m: m.normal(m.zeros(2), m.ones(3)), None),
    ("normal__negative_std", lambda m: m.zeros(3).normal_(0, -1.0), None),
    ("uniform__range", lambda m: m.zeros(3).uniform_(2.0, 1.0), None),
    ("exponential__lambda", lambda m: m.zeros(3).exponential_(-2.0), None),
    ("random__range", lambda m: m.zeros(3).random_(5, 2), None),
    ("randint_like_range", lambda m: m.randint_like(m.zeros(2), 5, 5), None),
    ("fill_diagonal__1d", lambda m: m.zeros(3).fill_diagonal_(5), None),
    ("fill_diagonal__unequal", lambda m: m.zeros(3, 2, 2).fill_diagonal_(5), None),
    ("apply__requires_grad", lambda m: m.zeros(3, requires_grad=True).apply_(lambda v: v), None),
    ("type_invalid", lambda m: m.zeros(1).type(m.__name__ + ".Foo"), None),
    ("uniform__leaf", _leaf_inplace("uniform_"), None),
    ("masked_fill__leaf", lambda m: m.ones(3, requires_grad=True).masked_fill_(m.ones(3) > 0, 1.0), None),
    ("index_add__leaf", lambda m: m.ones(3, requires_grad=True).index_add_(0, m.tensor([0]), m.ones(1)), None),
    ("scatter__leaf", lambda m: m.ones(3, requires_grad=True).scatter_(0, m.tensor([0]), 2.0), None),
    ("scatter_reduce_argument_backward", lambda m: m.ones(3, requires_grad=True).scatter(
        0, m.tensor([1]), 2.0, reduce="add").sum().backward(), None),
    ("fill_diagonal__leaf", lambda m: m.ones(2, 2, requires_grad=True).fill_diagonal_(0.0), None),
]
