"""Act 2, how noise destroys an image: the forward process of DDPM (Ho et al. 2020) on real pictures.

``schedules`` is the one source of truth for beta, alpha-bar and SNR (linear, cosine), read by the samplers and by
training too; ``process`` gives q(x_t | x_0) in one jump (eq. 4) and step by step (eq. 2); ``stats`` measures what
survives of x_0 (curves, histograms, a rigorous noise-ball bound); ``charts`` draws them (SVG); ``settings`` reads and
writes the page's shareable link; ``spectrum`` measures coarse to fine (which frequency bands the noise has
buried, the squint test for where a picture stops being recognisable, when x̂₀'s bands settle); ``noise_stream`` is
a counter-based Gaussian stream the browser draws bit for bit the same (the player computes x_t there). Needs numpy,
never torch (nor plotly).
"""
