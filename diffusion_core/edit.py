"""``python -m diffusion_core.edit``: edit pictures (SDEdit, inpainting); the code is :mod:`diffusion_core.live.edit_command`."""

import sys

from diffusion_core.live.edit_command import main

if __name__ == "__main__":
    sys.exit(main())
