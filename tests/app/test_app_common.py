"""The UI helpers shared by the pages: what the server-wide caches hand out cannot be changed by a session."""

from __future__ import annotations

import numpy as np
import pytest

from pages.common import cached_held_out, cached_projection, cached_training_images


@pytest.mark.parametrize("name", ["digits", "fashion"])
def test_cached_arrays_shared_by_every_session_are_read_only(name):
    projection = cached_projection(name)
    arrays = [*cached_held_out(name), cached_training_images(name),
              projection.mean, projection.components, projection.cloud, projection.cloud_labels]
    for array in arrays:
        assert isinstance(array, np.ndarray) and not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array.flat[0] = 0
