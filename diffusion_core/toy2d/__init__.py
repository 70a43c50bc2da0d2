"""Diffusion in two dimensions, where every arrow can be seen and checked against the exact answer.

In the image models' 784 or 3,072 dimensions nobody can see which direction a denoiser points; in 2-D everyone
can, and for data that are a
Gaussian mixture the noised marginals p_t stay mixtures, so the exact score, the exact denoiser E[x_0 | x_t] and
the exact probability-flow ODE are closed form. This room trains a tiny denoiser live and measures it against them.

``datasets`` holds the data (every one a labelled mixture: a ring, a grid, two blobs, moons, a swiss roll, a smiley
as chains of small Gaussians, and a reader's own points as deltas) and validates placed points; ``exact`` gives
p_t, the score, ε* and E[x_0 | x_t] at any noise level; ``mlp`` is the tiny ε_θ(x, t, y) network and its training
(DDPM's objective, predicting v); ``sampling`` runs DDPM, DDIM and DPM-Solver++ on points for any field, and solves
the exact ODE finely as a reference; ``metrics`` weighs the ε error by t and compares point clouds (energy
distance); ``reverse_step`` gives the exact reverse of one forward step for data on a line, against the Gaussian of
the same mean and variance (why small steps); ``frames`` computes what each view of the page shows (and the film of
the field over t); ``dimensions`` says how many dimensions the image models' pictures have; ``charts`` draws the
still charts as SVG, ``plots`` the two a reader interacts with (the field's zoom, clicks that add points) with
Plotly; ``canvas`` draws the field as still pictures (the page's default: cheap for the browser to redraw) and
``player`` animates the particles on a canvas in the browser; ``settings`` reads and writes the page's shareable
link.
The noise schedule is the image pages' own (:mod:`diffusion_core.forward.schedules`) and the samplers follow
:mod:`diffusion_core.model.samplers`, whose timestep spacings they reuse.
"""
