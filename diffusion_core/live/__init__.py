"""What the live pages need around a shipped model: recorded runs, one step, the walk, the checks, the queue.

``run`` drives a sampling run at a screen's pace; ``trajectory`` records it for scrubbing, GIFs and projections;
``playback`` chooses what the browser's player plays of a recorded run (steps and t as the app writes them, the
finished picture last, a byte budget for grids); ``one_step`` shows a single denoising step on a real image;
``posterior_mean`` shows the guess x̂₀ at a high t beside the average of its class's training images;
``coarse_to_fine`` measures when each size of structure in the guess settles; ``memorisation`` judges samples
against the training set; ``walk_plot`` draws their path through image space; ``latent_space`` sets the app's
image space beside Stable Diffusion's latent space, exactly; ``shared_runs`` computes identical runs once;
``generation_settings`` validates the denoiser's shareable link; ``home_walk`` makes the home page's moving picture
(a shipped model's walk from noise, written once as small animations); ``model_switch`` says what carries over to
another model (a prompt only when it names the same class, the guidance default); ``gate`` queues heavy work first
come, first served. ``edit`` starts the walk from the reader's own picture (SDEdit from a strength, recorded like a
run), ``inpaint`` fills in a masked part and keeps every known pixel (RePaint), ``edit_command`` is
``python -m diffusion_core.edit``. The "Draw your own" page around them: ``draw_settings`` reads its shareable link
(the settings, never the drawing), ``draw_input`` checks the reader's picture before a run (an empty pad, nothing
marked, one flat colour) and reduces an upload to the model's size, ``edit_view`` shows a finished edit (its film from
the picture to the result, its walk starting at the picture, bounds compared only where their intervals part).
"""
