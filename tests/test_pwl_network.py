"""Linear regions of ReLU networks (float64 path), checked against the exact engine on small
networks, against grid sampling, and against running the torch module itself."""

import numpy as np
import pytest
import torch

from dlexam.engines import pwl_geometry as geo
from dlexam.engines.pwl import pieces, program_pieces
from dlexam.engines.pwl_compare import grid
from dlexam.engines.pwl_network import (
    Network, network_from_dict, network_from_torch, network_pieces, network_program,
)
from dlexam.errors import InputError


def random_net(widths, seed):
    rng = np.random.default_rng(seed)
    sizes = [2, *widths, 1]
    return Network([rng.normal(size=(b, a)) for a, b in zip(sizes, sizes[1:])],
                   [rng.normal(size=b) * 0.5 for b in sizes[1:]])


def centroid(poly):
    return np.array([float(v) for v in geo.centroid([tuple(p) for p in poly.tolist()])])


@pytest.mark.parametrize("seed", range(4))
def test_small_networks_match_the_exact_engine(seed):
    net = random_net([3, 3], seed)
    part = network_pieces(net, (-2, 2, -2, 2))
    exact = program_pieces(network_program(net), (-2, 2, -2, 2))
    float_areas = {"".join("1" if b else "0" for b in row): a for row, a in zip(part.patterns, part.areas)}
    exact_areas = {"".join(str(i) for i in p.pattern): float(p.area) for p in exact.pieces}
    assert float_areas.keys() == exact_areas.keys()
    for key, a in exact_areas.items():
        assert float_areas[key] == pytest.approx(a, abs=1e-9)


@pytest.mark.parametrize("widths, seed", [([8, 8], 0), ([6, 6, 6], 1), ([16], 2), ([5, 5, 5, 5], 3)])
def test_regions_tile_the_box_and_grid_sampling_finds_nothing_more(widths, seed):
    net = random_net(widths, seed)
    box = (-3, 3, -2, 2)
    part = network_pieces(net, box)
    assert part.areas.sum() == pytest.approx(24.0, abs=1e-9) and (part.areas > 0).all()
    found = {row.tobytes() for row in part.patterns}
    assert len(found) == len(part)                       # one region per pattern
    points, _ = grid(box, 201)
    _, patterns = net.forward(points)
    sampled = {row.tobytes() for row in patterns}
    assert sampled <= found and len(part) >= len(sampled)


@pytest.mark.parametrize("seed", range(3))
def test_region_function_and_pattern_hold_inside_each_region(seed):
    net = random_net([7, 7], seed)
    part = network_pieces(net, (-2, 2, -2, 2))
    centres = np.array([centroid(p) for p in part.polygons])
    values, patterns = net.forward(centres)
    affine = part.functions[:, 0] * centres[:, 0] + part.functions[:, 1] * centres[:, 1] + part.functions[:, 2]
    assert np.allclose(values, affine, atol=1e-9)
    big = part.areas > 1e-6   # centroids of tiny slivers may round onto an edge
    assert (patterns[big] == part.patterns[big]).all()


def make_module(widths, seed, final_relu=False):
    torch.manual_seed(seed)
    sizes = [2, *widths, 1]
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*(layers if final_relu else layers[:-1])).double()


def test_torch_modules_are_accepted_and_agree_with_torch():
    module = make_module([10, 10], 0)
    net = network_from_torch(module)
    x = torch.rand(500, 2, dtype=torch.float64) * 4 - 2
    with torch.no_grad():
        expected = module(x)[:, 0].numpy()
    assert np.allclose(net.forward(x.numpy())[0], expected, atol=1e-12)
    part = pieces(module, (-2, 2, -2, 2), level=0.1)
    centres = np.array([centroid(p) for p in part.polygons])
    with torch.no_grad():
        at_centres = module(torch.tensor(centres))[:, 0].numpy()
    affine = (part.functions[:, :2] * centres).sum(axis=1) + part.functions[:, 2]
    assert np.allclose(affine, at_centres, atol=1e-9)
    for seg in part.boundary:
        with torch.no_grad():
            assert np.allclose(module(torch.tensor(seg)).numpy(), 0.1, atol=1e-9)


def test_a_final_relu_is_one_more_split():
    module = make_module([4], 1, final_relu=True)
    part = pieces(module, (-3, 3, -3, 3), level=0)
    plain = pieces(torch.nn.Sequential(*list(module)[:-1]), (-3, 3, -3, 3))
    assert len(part) >= len(plain)
    assert part.at_level.any()   # where relu(output) = 0
    x = torch.rand(300, 2, dtype=torch.float64) * 6 - 3
    with torch.no_grad():
        assert np.allclose(network_from_torch(module).forward(x.numpy())[0], module(x)[:, 0].numpy())


def test_level_never_reached_and_json_shape():
    net = random_net([4], 5)
    part = network_pieces(net, (-1, 1, -1, 1), level=1e6)
    assert part.boundary == []
    out = part.to_json()
    assert out["boundary"] == [] and all(p["boundary"] == [] for p in out["pieces"])
    assert all(set(p["function"]) == {"x1", "x2", "const"} for p in out["pieces"])
    assert network_pieces(net, (-1, 1, -1, 1)).to_json()["boundary"] is None


def test_single_linear_layer_is_one_region():
    part = network_pieces(Network([np.array([[1.0, 2.0]])], [np.array([0.5])]), level=0.5)
    assert len(part) == 1 and part.patterns.shape == (1, 0)
    assert len(part.boundary) == 1


@pytest.mark.parametrize("data", [
    {"weights": [[[1, 2, 3]]], "biases": [[0]]},                           # 3 inputs
    {"weights": [[[1, 2]], [[1], [2]]], "biases": [[0], [0, 0]]},          # 2 outputs
    {"weights": [[[1, 2]]], "biases": [[0, 1]]},                           # bias size
    {"weights": [[[1, "a"]]], "biases": [[0]]},
    {"weights": [[[1, 2], [3, 4]], [[1, 2, 3]]], "biases": [[0, 0], [0]]},  # shapes do not chain
    {"weights": [], "biases": []},
    {"weights": [[[1, float("nan")]]], "biases": [[0]]},
    [1, 2],
])
def test_bad_networks_are_input_errors(data):
    with pytest.raises(InputError):
        network_from_dict(data)


def test_unsupported_modules_are_input_errors():
    with pytest.raises(InputError):
        network_from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)))
    with pytest.raises(InputError):
        network_from_torch(torch.nn.Sequential(torch.nn.Linear(3, 1)))


def test_small_network_pictures_name_the_function_of_each_region():
    from dlexam.engines.pwl_plot import _affine_text
    # as people write it, not 0·x1 + 1·x2 + 0
    assert [_affine_text(0, 1, 0), _affine_text(-0.5, 0.5, 0.5), _affine_text(0, 0, 0), _affine_text(1, -1, 0)] == \
        ["x2", "-0.5*x1 + 0.5*x2 + 0.5", "0", "x1 - x2"]
