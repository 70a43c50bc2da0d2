"""What each view of the 2-D page shows, computed: plain arrays in frozen dataclasses, ready to draw.

* :func:`field_frame`: the direction field at one t on a grid, learned and exact, p_t and their weighted error;
* :func:`particle_runs`: the same starting noise walked back by DDPM and DDIM with the learned and the exact field;
* :func:`memorisation`: the ideal denoiser of a point set against an MLP trained on it, from the same noise;
* :func:`guidance_runs`, :func:`guidance_sweep`: classifier-free guidance bending the paths, and how many
  samples stay in their class's own blob as the scale grows;
* :func:`sampler_accuracy`: DDIM and DPM-Solver++ end points with n steps against the exact ODE's.

Arrows point along −ε (the direction of σ ∇ log p_t: where the density grows fastest, the way a reverse step
moves). Nothing here draws; :mod:`diffusion_core.toy2d.plots` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.toy2d import exact, metrics, sampling
from diffusion_core.toy2d.datasets import LIMIT, GaussianMixture
from diffusion_core.toy2d.mlp import DenoiserMLP, learned_eps

HEAT_CELLS = 64  # the density's heat map is HEAT_CELLS x HEAT_CELLS over [-LIMIT, LIMIT]^2
ERROR_CELLS = 48  # the error's, coarser: it needs the network at every cell (half the work of the redraw)
ARROWS = 17  # arrows on an ARROWS x ARROWS grid
ARROW_SPAN = 2.7  # ... spanning [-ARROW_SPAN, ARROW_SPAN]^2
ACCURACY_STEPS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 50, 70, 100, 140, 200)
GUIDANCE_SCALES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0)
DISTANCE_POINTS = 1000  # energy distances use at most this many particles (the cost grows as the square)
REFERENCE_POINTS = 2000  # ... against one fresh draw of the data this large
FLOOR_DRAWS = 4  # the yardstick: this many fresh samples of DISTANCE_POINTS, each against the same reference
BLOB_RADIUS = 2.45  # Mahalanobis radius of a component's 95% ellipse in 2-D (chi-square, 2 dof: √5.99)


def grid(cells: int, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along one axis (cells,) and the grid's points (cells², 2), row-major from the bottom-left."""
    axis = np.linspace(-span, span, cells)
    xx, yy = np.meshgrid(axis, axis)
    return axis, np.stack([xx.ravel(), yy.ravel()], axis=1)


@dataclass(frozen=True)
class FieldFrame:
    """The field at timestep t. Heat maps are square, row i at y = axis[i] (bottom row first)."""

    t: int
    alpha_bar: float
    axis: np.ndarray  # (HEAT_CELLS,) the density map's coordinates
    density: np.ndarray  # (HEAT_CELLS, HEAT_CELLS) p_t
    arrow_at: np.ndarray  # (ARROWS², 2) arrow tails
    exact_eps: np.ndarray  # (ARROWS², 2) ε* at the arrow tails
    learned_eps: np.ndarray | None  # (ARROWS², 2) ε_θ there, None without a model
    error_axis: np.ndarray  # (ERROR_CELLS,) the error map's coordinates
    error: np.ndarray | None  # (ERROR_CELLS, ERROR_CELLS) p_t ‖ε_θ − ε*‖²
    relative_error: float | None  # Σ p_t ‖ε_θ − ε*‖² / Σ p_t ‖ε*‖² over the error map's grid (this t only)


def field_frame(mix: GaussianMixture, schedule: NoiseSchedule, t: int, model: DenoiserMLP | None) -> FieldFrame:
    """Everything the field view shows at timestep t (0 <= t < T) for the data ``mix`` and an optional model."""
    if not 0 <= t < schedule.T:
        raise ValueError(f"t must lie in [0, {schedule.T}), got {t}")
    a = float(schedule.alpha_bar[t])
    axis, heat = grid(HEAT_CELLS, LIMIT)
    error_axis, coarse = grid(ERROR_CELLS, LIMIT)
    _, tails = grid(ARROWS, ARROW_SPAN)
    density = np.exp(exact.log_density(mix, heat, a))
    exact_arrows = exact.eps(mix, tails, a)
    learned, error, rel = None, None, None
    if model is not None:
        both = learned_eps(model, np.concatenate([tails, coarse]), t)  # one pass for the arrows and the error map
        learned, learned_coarse = both[: len(tails)], both[len(tails):]
        post = exact.posterior(mix, coarse, a)
        p = np.exp(post.log_p)
        error = metrics.error_map(learned_coarse, post.eps, p)
        rel = float(error.sum() / max((p * (post.eps**2).sum(1)).sum(), 1e-300))
        error = error.reshape(ERROR_CELLS, ERROR_CELLS)
    return FieldFrame(t, a, axis, density.reshape(HEAT_CELLS, HEAT_CELLS), tails, exact_arrows, learned, error_axis,
                      error, rel)


FILM_FRAMES = 20  # timesteps in the film of the field over t


def film_timesteps(T: int, frames: int = FILM_FRAMES) -> np.ndarray:
    """The timesteps of the film of the field, from T − 1 down to 0 (the way sampling goes), evenly spaced: at most
    ``frames`` (≥ 2) of them, (F,) int."""
    if frames < 2 or T < 2:
        raise ValueError(f"a film needs at least two frames and two timesteps, got frames={frames}, T={T}")
    return np.unique(np.rint(np.linspace(0, T - 1, frames)).astype(int))[::-1].copy()


@dataclass(frozen=True)
class ParticleRuns:
    """Paths keyed by (field, sampler): field "learned" or "exact", sampler "ddpm" or "ddim"."""

    x_T: np.ndarray  # (N, 2) the shared starting noise
    paths: dict[tuple[str, str], sampling.Path]
    data: np.ndarray  # (REFERENCE_POINTS, 2) fresh data, the reference every distance is measured to
    distances: dict[tuple[str, str], float]  # energy distance of each run's first M = min(N, DISTANCE_POINTS) ends
    floors: np.ndarray  # (FLOOR_DRAWS,) the same distance for fresh data samples of size M: the yardstick

    @property
    def floor(self) -> float:
        return float(self.floors.mean())


def particle_runs(mix: GaussianMixture, schedule: NoiseSchedule, model: DenoiserMLP | None, *, n: int,
                  steps: int, seed: int) -> ParticleRuns:
    """n particles from the same N(0, I) draw, by DDPM and DDIM (``steps`` each), learned and exact fields.

    DDPM's extra noise comes from its own stream of ``seed``, the same for both fields. Each run's end points are
    measured against one large fresh draw of the data, as are FLOOR_DRAWS fresh samples of their size: one fresh
    sample's distance swings by half either way (how many points happen to fall in each blob), so the yardstick
    is their mean and range.
    """
    x_T = sampling.initial_noise(n, seed)
    fields = {"exact": sampling.exact_field(mix, schedule)}
    if model is not None:
        fields["learned"] = sampling.learned_field(model)
    paths = {}
    for name, field in fields.items():
        paths[(name, "ddpm")] = sampling.ddpm(field, schedule, x_T, steps, np.random.default_rng([seed, 1]))
        paths[(name, "ddim")] = sampling.ddim(field, schedule, x_T, steps)
    rng = np.random.default_rng([seed, 2])
    m = min(n, DISTANCE_POINTS)
    data = mix.sample(REFERENCE_POINTS, rng)[0]
    keys = list(paths)
    fresh = [mix.sample(m, rng)[0] for _ in range(FLOOR_DRAWS)]
    values = metrics.energy_distances([paths[k].final[:m] for k in keys] + fresh, data)
    return ParticleRuns(x_T, paths, data, dict(zip(keys, values[: len(keys)])), np.array(values[len(keys):]))


@dataclass(frozen=True)
class Memorisation:
    """The ideal denoiser's samples and the MLP's, from the same noise, beside the training points."""

    points: np.ndarray  # (P, 2) the training set
    ideal: np.ndarray  # (N, 2) DDIM samples with the exact field of the point set
    learned: np.ndarray | None  # (N, 2) DDIM samples with the MLP trained on it
    ideal_on_points: float  # fraction of the ideal denoiser's samples within 0.01 of a training point
    learned_on_points: float | None
    learned_median_gap: float | None  # median distance of an MLP sample to its nearest training point


def memorisation(points_mix: GaussianMixture, schedule: NoiseSchedule, model: DenoiserMLP | None, *, n: int,
                 steps: int, seed: int) -> Memorisation:
    """DDIM with ``steps`` steps from one draw of noise: the exact field of the points, then the MLP's.

    Use ~200 steps: DDIM's last step returns x̂_0 at its last t, and at t = 19 (50 steps, σ = 0.04) a point midway
    between two close training points still gets their average; at t = 4 (200 steps) it snaps to one of them.
    """
    x_T = sampling.initial_noise(n, seed)
    points = points_mix.means
    ideal = sampling.ddim(sampling.exact_field(points_mix, schedule), schedule, x_T, steps).final
    learned = None if model is None else sampling.ddim(sampling.learned_field(model), schedule, x_T, steps).final
    return Memorisation(points, ideal, learned, metrics.snapped_fraction(ideal, points),
                        None if learned is None else metrics.snapped_fraction(learned, points),
                        None if learned is None else float(np.median(metrics.nearest_distance(learned, points))))


@dataclass(frozen=True)
class GuidanceRuns:
    """DDIM paths towards one class at one guidance scale, exact (and learned) field, from the same noise."""

    label: int
    scale: float
    paths: dict[str, sampling.Path]  # "exact" and, with a class-aware model, "learned"
    inside: dict[str, float]  # fraction of end points inside one of the class's 95% ellipses


def in_class_blob(mix: GaussianMixture, x: np.ndarray, label: int) -> np.ndarray:
    """Whether each of x (N, 2) lies inside the 95% ellipse of some component of class ``label``, (N,) bool.

    Components with (near) zero covariance get a disc of radius 0.05.
    """
    inside = np.zeros(len(x), dtype=bool)
    for k in np.flatnonzero(mix.labels == label):
        d = x - mix.means[k]
        cov = mix.covs[k] + 0.05**2 / BLOB_RADIUS**2 * np.eye(2) * (not np.any(mix.covs[k]))
        m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
        inside |= m2 <= BLOB_RADIUS**2
    return inside


DATA_SHARE_DRAWS = 20_000  # fresh draws of the data for data_share_in_class


def data_share_in_class(mix: GaussianMixture, label: int, n: int = DATA_SHARE_DRAWS, seed: int = 0) -> float:
    """The share of fresh draws of the data that land inside the class's 95% ellipses (:func:`in_class_blob`).

    What unguided sampling would score if it drew the data exactly: each component's own ellipse holds 95% of its
    draws, so a class of weight w scores about 0.95 w, plus whatever of other classes' draws fall inside its
    ellipses. Estimated from ``n`` draws with a fixed ``seed`` (two standard errors: at most ±0.7% at n = 20,000).
    """
    x, _ = mix.sample(n, np.random.default_rng(seed))
    return float(in_class_blob(mix, x, label).mean())


def guidance_runs(mix: GaussianMixture, schedule: NoiseSchedule, model: DenoiserMLP | None, *, label: int,
                  scale: float, n: int, steps: int, seed: int) -> GuidanceRuns:
    """n particles guided towards ``label`` with scale s: ε_u + s (ε_y − ε_u), by DDIM in ``steps`` steps."""
    x_T = sampling.initial_noise(n, seed)
    labels = np.full(n, label)
    fields = {"exact": sampling.exact_field(mix, schedule, labels, scale)}
    if model is not None and model.label is not None:
        fields["learned"] = sampling.learned_field(model, labels, scale)
    paths = {name: sampling.ddim(field, schedule, x_T, steps) for name, field in fields.items()}
    inside = {name: float(in_class_blob(mix, path.final, label).mean()) for name, path in paths.items()}
    return GuidanceRuns(label, scale, paths, inside)


@dataclass(frozen=True)
class GuidanceSweep:
    """The share of samples inside the class's blobs at each guidance scale: ``shares`` field -> (S,), for the
    "exact" field and, with a model that knows the classes, the "learned" one."""

    scales: tuple[float, ...]
    shares: dict[str, np.ndarray]

    def share(self, scale: float, field: str = "exact") -> float:
        """The share of samples in the class's blobs at guidance ``scale`` (one of ``scales``)."""
        return float(self.shares[field][self.scales.index(scale)])

    def best(self, field: str = "exact") -> float:
        """The scale that puts the most samples in the class's blobs (the smallest such scale on a tie)."""
        return self.scales[int(np.argmax(self.shares[field]))]


def guidance_sweep(mix: GaussianMixture, schedule: NoiseSchedule, model: DenoiserMLP | None, *, label: int,
                   n: int, steps: int, seed: int, scales: tuple[float, ...] = GUIDANCE_SCALES) -> GuidanceSweep:
    """Fraction of samples inside the class's blobs at each guidance scale, with the exact field and the learned one.

    One DDIM run of S x n particles, each carrying its own scale (the same n starting points for every scale).
    """
    x_T = np.tile(sampling.initial_noise(n, seed), (len(scales), 1))
    labels = np.full(len(x_T), label)
    per_point = np.repeat(np.asarray(scales, dtype=np.float64), n)
    fields = {"exact": sampling.exact_field(mix, schedule, labels, per_point)}
    if model is not None and model.label is not None:
        fields["learned"] = sampling.learned_field(model, labels, per_point)
    shares = {}
    for name, field in fields.items():
        end = sampling.ddim(field, schedule, x_T, steps).final
        shares[name] = in_class_blob(mix, end, label).reshape(len(scales), n).mean(axis=1)
    return GuidanceSweep(tuple(scales), shares)


@dataclass(frozen=True)
class SamplerAccuracy:
    """Mean distance of each sampler's end points to the exact ODE's, for each number of steps."""

    steps: np.ndarray  # (S,) numbers of steps n
    errors: dict[str, np.ndarray]  # sampler label -> (S,) mean ‖x_n − x_ref‖
    reference_steps: int


SAMPLER_VARIANTS = {"DDIM": ("ddim", None), "DPM-Solver++(2M), trailing steps": ("dpmpp", "trailing"),
                    "DPM-Solver++(2M), log-SNR steps (the image pages')": ("dpmpp", "logsnr")}


def sampler_accuracy(mix: GaussianMixture, schedule: NoiseSchedule, *, n: int = 200, seed: int = 0,
                     steps: tuple[int, ...] = ACCURACY_STEPS, reference_steps: int = 500) -> SamplerAccuracy:
    """The exact field's ODE solved by each sampler with n steps, against RK4 in ``reference_steps`` steps."""
    x_T = sampling.initial_noise(n, seed)
    ref = sampling.reference_ode(mix, schedule, x_T, steps=reference_steps)
    field = sampling.exact_field(mix, schedule)
    errors = {}
    for label, (name, spacing) in SAMPLER_VARIANTS.items():
        ends = [sampling.ddim(field, schedule, x_T, k).final if name == "ddim"
                else sampling.dpmpp_2m(field, schedule, x_T, k, spacing=spacing).final for k in steps]
        errors[label] = np.array([np.linalg.norm(e - ref, axis=1).mean() for e in ends])
    return SamplerAccuracy(np.array(steps), errors, reference_steps)
