"""diffusion_core.live.walk_plot: the walk through image space drawn over the projected cloud."""

import numpy as np
import pytest
from PIL import Image

from diffusion_core.live.walk_plot import (
    CLASS_COLOURS,
    GREY_MARK,
    LEGEND_WIDTH,
    NO_CLASS_COLOUR,
    SUPERSAMPLE,
    class_colour,
    cloud_canvas,
    draw_walk,
    grey_point,
    start_words,
    walk_figure,
)

NAMES = [str(k) for k in range(10)]


@pytest.fixture(scope="module")
def canvas():
    rng = np.random.default_rng(0)
    cloud = rng.uniform(-1, 1, size=(300, 2))
    return cloud_canvas(cloud, rng.integers(0, 10, size=300), NAMES, width=400, height=300)


def _plain(canvas) -> np.ndarray:
    img = canvas.image
    return np.asarray(img.resize((img.width // SUPERSAMPLE, img.height // SUPERSAMPLE), Image.Resampling.LANCZOS))


def _distance_to_segment(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    u = np.clip(((points - a) @ ab) / (ab @ ab), 0, 1)
    return np.linalg.norm(points - (a + u[:, None] * ab), axis=1)


def test_cloud_fits_in_the_plot_box(canvas):
    left, top, right, bottom = canvas.box
    corners = canvas.to_pixels(np.array([[-1.0, -1.0], [1.0, 1.0]]))
    assert left < corners[0, 0] < corners[1, 0] < right
    assert top < corners[1, 1] < corners[0, 1] < bottom  # up in PCA is up on screen
    assert canvas.image.size == (400 * SUPERSAMPLE, 300 * SUPERSAMPLE)


def test_walk_changes_only_pixels_along_its_path_in_its_class_colour(canvas):
    path = np.linspace([-0.6, -0.6], [0.5, 0.5], 5)[:, None, :]  # (K=5, B=1, 2)
    end = np.array([[0.6, 0.6]])
    picture = draw_walk(canvas, path, end, np.array([3]))
    assert picture.shape == (300, 400, 3) and picture.dtype == np.uint8

    changed = np.argwhere(np.abs(picture.astype(int) - _plain(canvas).astype(int)).max(2) > 8)[:, ::-1]  # (x, y)
    start, finish = canvas.to_pixels(np.array([[-0.6, -0.6], [0.6, 0.6]])) / SUPERSAMPLE
    assert len(changed) > 100
    assert _distance_to_segment(changed.astype(float), start, finish).max() <= 10  # line, dots, star

    between_steps = np.round(canvas.to_pixels(np.array([-0.4625, -0.4625])) / SUPERSAMPLE).astype(int)
    assert np.abs(picture[between_steps[1], between_steps[0]].astype(int) - CLASS_COLOURS[3]).max() < 40
    star = np.round(finish).astype(int)
    assert picture[star[1], star[0]].min() > 230  # the generated image: a white star


def test_points_outside_the_cloud_are_kept_in_the_frame(canvas):
    path = np.array([[[50.0, -50.0]], [[0.0, 0.0]]])
    picture = draw_walk(canvas, path, np.array([[0.1, 0.1]]), np.array([10]))
    assert picture.shape == (300, 400, 3)


def test_colours():
    assert class_colour(0) == CLASS_COLOURS[0]
    assert class_colour(10) == NO_CLASS_COLOUR  # the "no class" token


def test_interactive_figure_has_the_cloud_each_walk_and_the_stars():
    cloud = np.zeros((6, 2))
    fig = walk_figure(cloud, np.arange(6) % 2, NAMES, np.zeros((4, 3, 2)), np.ones((3, 2)), np.array([0, 1, 10]))
    assert len(fig.data) == 1 + 3 + 1
    assert [t.name for t in fig.data[1:4]] == ["0", "1", "prompt: none"]
    assert fig.data[0].marker.color[1] == "rgb({}, {}, {})".format(*CLASS_COLOURS[1])


def test_without_a_legend_the_plot_box_takes_the_width():
    rng = np.random.default_rng(1)
    bare = cloud_canvas(rng.uniform(-1, 1, (50, 2)), np.zeros(50, int), NAMES, width=400, height=300, legend=False)
    assert bare.box[2] > (400 - LEGEND_WIDTH) * SUPERSAMPLE


def test_pure_noise_lands_around_the_mid_grey_picture():
    """Projected noise is the grey picture's point plus a standard normal in the two orthonormal directions."""
    from diffusion_core.model.shipped_data import Projection

    rng = np.random.default_rng(2)
    d = 64
    components = np.linalg.qr(rng.standard_normal((d, 2)))[0].T
    proj = Projection(rng.uniform(-1, 1, d), components, np.zeros((1, 2)), np.zeros(1))
    grey = grey_point(proj)
    np.testing.assert_allclose(grey, -proj.mean @ components.T)
    offsets = proj.project(rng.standard_normal((20_000, d))) - grey
    np.testing.assert_allclose(offsets.std(axis=0), [1, 1], atol=0.03)
    said = start_words(grey + np.array([[0.3, 0.4], [0.0, 1.0]]), grey, np.array([[-5.0, 0], [20.0, 1]]))
    assert said.startswith("The walks start at pure noise, which on this map lands within 1.0 of where a flat "
                           "mid-grey picture lands (■), on a map whose cloud of training pictures is 25 wide")


def test_the_grey_picture_is_marked_under_the_walk(canvas):
    grey = np.array([0.5, -0.5])
    plain = draw_walk(canvas, np.zeros((2, 1, 2)) - 0.6, np.array([[-0.6, -0.6]]), np.array([1]))
    marked = draw_walk(canvas, np.zeros((2, 1, 2)) - 0.6, np.array([[-0.6, -0.6]]), np.array([1]), grey)
    x, y = np.round(canvas.to_pixels(grey) / SUPERSAMPLE).astype(int)
    assert tuple(marked[y, x]) == GREY_MARK and tuple(plain[y, x]) != GREY_MARK
