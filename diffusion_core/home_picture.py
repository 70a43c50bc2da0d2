"""``python -m diffusion_core.home_picture``: the home page's moving picture; the code is :mod:`diffusion_core.live.home_walk`."""

import sys

from diffusion_core.live.home_walk import main

if __name__ == "__main__":
    sys.exit(main())
