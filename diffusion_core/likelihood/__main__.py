"""``python -m diffusion_core.likelihood``: the corner of image space, measured; the code is
:mod:`diffusion_core.likelihood.evaluate`.

This package's entry, like the commands at the top of ``diffusion_core`` (a module ``likelihood.py`` there could
not share the package's name), sits above every room: it hands the room the reader of the app's shipped held-out
images, which lives in ``live``.
"""

import sys

from diffusion_core.likelihood.evaluate import main
from diffusion_core.live.shipped_data import held_out

if __name__ == "__main__":
    sys.exit(main(held_out=held_out))
