"""What the live pages need around a shipped model: recorded runs, one step, the walk, the checks, the queue.

``run`` drives a sampling run at a screen's pace; ``trajectory`` records it for scrubbing, GIFs and projections;
``one_step`` shows a single denoising step on a real image; ``memorisation`` judges samples against the training
set; ``walk_plot`` draws their path through image space; ``shared_runs`` computes identical runs once;
``generation_settings`` validates the denoiser's shareable link; ``home_walk`` makes the home page's moving picture (a shipped model's walk from
noise, written once as small animations); ``model_switch`` says what carries over to
another model (a prompt only when it names the same class, the guidance default); ``gate`` queues heavy work first come, first served.
``edit`` starts the walk from the reader's own picture (SDEdit from a strength, recorded like a run), ``inpaint`` fills
in a masked part and keeps every known pixel (RePaint), ``edit_command`` is ``python -m diffusion_core.edit``.
"""
