"""The weights shipped in assets/ load, match their checksums, and really denoise held-out images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from diffusion_core.live.one_step import denoise_once
from diffusion_core.model.samplers import image_shape
from diffusion_core.model.shipped_data import held_out, projection, training_images
from diffusion_core.model.weights import available_models, load_model

MODELS = available_models()
pytestmark = pytest.mark.skipif(not MODELS, reason="no weights shipped yet (assets/manifest.json missing)")


@pytest.fixture(scope="module", params=MODELS)
def loaded(request):
    return load_model(request.param, device=torch.device("cpu"))


@pytest.mark.parametrize("t", [100, 300, 500])
def test_really_denoises_held_out_images(loaded, t):
    """At moderate t the model's x0_hat is much closer to the clean image than the noisy input is."""
    images, labels = held_out(loaded.name)
    picks = np.linspace(0, len(images) - 1, 40).astype(int)
    results = [denoise_once(loaded.model, loaded.schedule, images[i], int(labels[i]), t, seed=int(i)) for i in picks]
    input_err = np.mean([r.input_rmse for r in results])
    output_err = np.mean([r.output_rmse for r in results])
    assert output_err < 0.5 * input_err, (output_err, input_err)


def _pixel_shape(loaded) -> tuple[int, ...]:
    """The shape of one shipped image of this model: (H, W) for grayscale, (H, W, 3) for colour."""
    c, h, w = image_shape(loaded.model)
    return (h, w) if c == 1 else (h, w, c)


def test_class_names_and_shapes(loaded):
    c, h, w = image_shape(loaded.model)
    assert len(loaded.class_names) == 10 and loaded.train_steps > 0
    x = torch.zeros(2, c, h, w)
    out = loaded.model(x, torch.tensor([0, 999]), torch.tensor([0, 10]))
    assert out.shape == (2, c, h, w) and torch.isfinite(out).all()


def test_shipped_data_for_the_model(loaded):
    images, labels = held_out(loaded.name)
    assert images.shape[1:] == _pixel_shape(loaded) and len(images) >= 200
    assert images.dtype == np.uint8 and set(labels) == set(range(len(loaded.class_names)))
    train = training_images(loaded.name)
    assert train.shape[1:] == _pixel_shape(loaded) and len(train) >= 5 * len(images) - 100
    proj = projection(loaded.name)
    np.testing.assert_allclose(proj.components @ proj.components.T, np.eye(2), atol=1e-6)
    assert proj.project(np.zeros((3, *image_shape(loaded.model)))).shape == (3, 2)


def test_held_out_images_are_not_training_images(loaded):
    """The held-out set really is held out: no exact copy of any of it in the training set."""
    size = int(np.prod(_pixel_shape(loaded)))
    train = training_images(loaded.name).reshape(-1, size)
    held = held_out(loaded.name)[0].reshape(-1, size)
    train_rows = {row.tobytes() for row in train}
    assert sum(row.tobytes() in train_rows for row in held) <= 2  # MNIST has a few duplicate images
