"""``python -m diffusion_core.train``: train a denoiser, resumably; the code is :mod:`diffusion_core.model.train`."""

import sys

from diffusion_core.model.train import main

if __name__ == "__main__":
    sys.exit(main())
