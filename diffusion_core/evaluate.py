"""``python -m diffusion_core.evaluate``: judge a shipped denoiser against its quality bars.

The code is :mod:`diffusion_core.judge.evaluate`.
"""

import sys

from diffusion_core.judge.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
