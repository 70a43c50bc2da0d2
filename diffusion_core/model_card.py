"""``python -m diffusion_core.model_card``: write a shipped model's card from its run and evaluation.

The code is :mod:`diffusion_core.judge.model_card`.
"""

import sys

from diffusion_core.judge.model_card import main

if __name__ == "__main__":
    sys.exit(main())
