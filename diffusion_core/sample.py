"""``python -m diffusion_core.sample``: sample sheets from a shipped denoiser; the code is :mod:`diffusion_core.model.sample`."""

import sys

from diffusion_core.model.sample import main

if __name__ == "__main__":
    sys.exit(main())
