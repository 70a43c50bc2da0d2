"""``python -m diffusion_core.likelihood``: the corner of image space, measured.

The code is :mod:`diffusion_core.likelihood.evaluate` (a module ``likelihood.py`` at the top of the package, like the
other commands, could not share the room's name, so the room's ``__main__`` is the entry).
"""

import sys

from diffusion_core.likelihood.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
