"""``python -m diffusion_core.shipped_data``: rebuild the copies of the data the app ships.

The code is :mod:`diffusion_core.model.shipped_data`.
"""

import sys

from diffusion_core.model.shipped_data import main

if __name__ == "__main__":
    sys.exit(main())
