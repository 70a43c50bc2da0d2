"""How tiny is the corner? What a trained diffusion model proves about how little of image space real images hold.

``bound`` computes the DDPM variational bound of an 8-bit image (Ho et al. 2020 eq. 5: the prior term, the T − 1
Gaussian KL terms with the sampler's own variances, the discretised Gaussian decoder), every timestep exactly;
``estimate`` gives an unbiased, stratified and importance-sampled estimate of it from a few hundred network calls
with a 95% interval (the page's figure); ``compress`` measures a generic lossless compressor (PNG or LZMA) and the
count it proves; ``corner`` turns a number of bits into exact powers of ten (at most 10^N images as plausible, one
in 10^M of all); ``typical`` shows where noise lives (the thin shells of Gaussian noise and random images);
``sources`` makes the images to measure (samples, noise, pictures reduced to the model's shape); ``summary`` reads
and writes the shipped results the page draws; ``charts`` draws the page's charts (SVG); ``settings`` validates the
page's shareable link; ``evaluate`` is the command, ``python -m diffusion_core.likelihood``
(its entry is this package's ``__main__``, since a package and a module cannot share the name). Uses ``model``,
``forward``, ``images`` and ``space``.
"""
