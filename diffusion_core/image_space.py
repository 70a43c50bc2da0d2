"""``python -m diffusion_core.image_space``: exact digit counts of an image format, as JSON (for worksheets).

The code is :mod:`diffusion_core.space.image_space`.
"""

import sys

from diffusion_core.space.image_space import main

if __name__ == "__main__":
    sys.exit(main())
