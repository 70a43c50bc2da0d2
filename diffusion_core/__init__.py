"""The mathematics behind Image Space, as a small library a reader can import in a notebook (never Streamlit).

The package is laid out as the app's story, one act per folder:

* :mod:`diffusion_core.space`: how large image space is (exact, certified big-number arithmetic; image <-> index);
* :mod:`diffusion_core.images`: reading, converting and showing pictures (uploads, pixels <-> model range, grids);
* :mod:`diffusion_core.forward`: how noise destroys an image (schedules, the forward process, its statistics);
* :mod:`diffusion_core.model`: the trained denoiser (UNet, samplers, training, data, shipped weights);
* :mod:`diffusion_core.live`: what the live pages need around a model (recorded runs, one step, the walk, the queue);
* :mod:`diffusion_core.judge`: how we judge a model (an independent classifier, metrics, evaluation, model cards);
* :mod:`diffusion_core.toy2d`: diffusion in 2-D, a tiny denoiser trained live and checked against the exact field.

Imports flow one way: ``live``, ``judge`` and ``toy2d`` use ``model``, which uses ``forward.schedules`` and ``images``;
``space`` stands alone. The modules at the top of the package are the command-line tools
(``python -m diffusion_core.<command>``), each a few lines that call into its room.
"""

from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"  # shipped weights, model cards, photos, data copies
MAX_SEED = 2**31 - 1  # the largest seed any page, link or command accepts
