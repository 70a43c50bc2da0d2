"""The particle animation as one self-contained HTML page: a canvas per panel, a Play button and a step slider.

A Plotly animation of 4 x 1,000 moving points reached 2 frames a second in headless Chromium on a busy 2-core
machine (every point is an SVG node that moves each frame; WebGL traces redraw the whole figure). Drawing the
same points as 2 x 2 pixel squares on a canvas costs a few milliseconds a frame, so the animation runs at its
own pace in the browser and the server is not involved once the page is sent.

The states travel as base64 float32 arrays (F frames x N particles x 2), rounded to 3 decimals. The label under
the slider ("t = 539") is rewritten on every painted frame, which is what a browser test counts.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass

import numpy as np

from diffusion_core.access.palette import ACCENT, BACKGROUND, BORDER, BRIGHT, ORANGE, SURFACE, TEXT, rgb_of
from diffusion_core.toy2d.frames import ParticleRuns

PANEL_TITLES = {("learned", "ddpm"): "learned field, DDPM", ("learned", "ddim"): "learned field, DDIM",
                ("exact", "ddpm"): "exact field, DDPM", ("exact", "ddim"): "exact field, DDIM"}
COLOURS = {"learned": ORANGE, "exact": BRIGHT}  # the 2-D page's learned and exact fields
TRAIL_COLOURS = {"learned": "rgba({}, {}, {}, 0.45)".format(*rgb_of(ORANGE)),
                 "exact": "rgba({}, {}, {}, 0.40)".format(*rgb_of(BRIGHT))}
CONTROLS_PX = 64  # the row of controls under the panels
TITLE_PX = 26


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.round(np.asarray(array, dtype=np.float64), 3).astype("<f4").tobytes()).decode()


def frame_indices(count: int, most: int) -> np.ndarray:
    """At most ``most`` evenly spaced indices into ``count`` states, always the first and the last."""
    return np.unique(np.rint(np.linspace(0, count - 1, min(count, most))).astype(int))


def player_height(runs: ParticleRuns, panel_px: int = 420) -> int:
    """The height the page should give the player, in CSS pixels."""
    rows = len(runs.paths) // 2
    return rows * (panel_px + TITLE_PX) + CONTROLS_PX


def player_html(runs: ParticleRuns, *, frames: int = 51, trails: int = 24, frame_ms: int = 60, span: float = 3.2,
                panel_px: int = 420) -> str:
    """The animation of ``runs`` (panels: rows learned / exact field, columns DDPM / DDIM) as an HTML document."""
    keys = [k for k in (("learned", "ddpm"), ("learned", "ddim"), ("exact", "ddpm"), ("exact", "ddim"))
            if k in runs.paths]
    first = runs.paths[keys[0]]
    idx = frame_indices(len(first.states), frames)
    steps = list(first.timesteps) + [-1]
    labels = ["x_T, pure noise" if k == 0 else ("the samples" if k == len(first.states) - 1 else f"t = {steps[k]}")
              for k in idx]
    panels = [{"title": PANEL_TITLES[k], "colour": COLOURS[k[0]], "trail": TRAIL_COLOURS[k[0]],
               "states": _b64(runs.paths[k].states[idx]), "trails": _b64(runs.paths[k].states[:, :trails])}
              for k in keys]
    spec = {"panels": panels, "data": _b64(runs.data), "n": int(first.states.shape[1]), "frames": len(idx),
            "states": int(first.states.shape[0]), "trails": int(min(trails, first.states.shape[1])), "labels": labels,
            "span": span, "frameMs": frame_ms, "panelPx": panel_px, "titlePx": TITLE_PX,
            "controlsPx": CONTROLS_PX}
    return _TEMPLATE.replace("__SPEC__", json.dumps(spec)).replace("__TITLE__", html.escape(
        f"{len(keys)} panels of {spec['n']:,} particles walking from noise to the data"))


_THEME = {"__BACKGROUND__": BACKGROUND, "__TEXT__": TEXT, "__SURFACE__": SURFACE, "__BORDER__": BORDER,
          "__ACCENT__": ACCENT, "__DATA_DOTS__": "rgba({}, {}, {}, 0.35)".format(*rgb_of(ACCENT))}


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
  body { margin: 0; background: __BACKGROUND__; color: __TEXT__; font: 14px "Source Sans Pro", sans-serif; }
  #grid { display: grid; grid-template-columns: repeat(2, 1fr); column-gap: 12px; }
  .title { height: 26px; line-height: 26px; text-align: center; }
  canvas { display: block; margin: 0 auto; }
  #controls { display: flex; align-items: center; gap: 12px; height: 64px; padding: 0 4px; }
  button { background: __SURFACE__; color: __TEXT__; border: 1px solid __BORDER__; border-radius: 8px;
           padding: 6px 14px; font: inherit; cursor: pointer; min-width: 92px; }
  button:focus-visible, input:focus-visible { outline: 2px solid __ACCENT__; outline-offset: 2px; }
  input[type=range] { flex: 1; accent-color: __ACCENT__; }
  #label { min-width: 130px; font-variant-numeric: tabular-nums; }
</style></head>
<body>
<main>
<div id="grid"></div>
<div id="controls">
  <button id="play" type="button">&#9654; Play</button>
  <input id="step" type="range" min="0" value="0" aria-label="step of the walk">
  <span id="label" aria-live="off"></span>
</div>
</main>
<script>
const spec = __SPEC__;
function floats(b64) {  // a plain loop: Uint8Array.from with a mapping callback took ~80 ms for a megabyte
  const text = atob(b64), bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
const data = floats(spec.data);
const panels = spec.panels.map(p => ({...p, states: floats(p.states), trails: floats(p.trails)}));
const grid = document.getElementById('grid'), slider = document.getElementById('step');
const label = document.getElementById('label'), button = document.getElementById('play');
const ratio = window.devicePixelRatio || 1;
let width = 0;  // CSS pixels per panel, from the frame's width (0 while the frame has none: nothing drawn yet)
function layout() {  // (re)build every panel's canvas and still layer at the size the frame has now
  // two panels a row, as wide as half the frame allows; or, in a narrow frame (a phone), one a row, as large as the
  // frame's height (made for two a row at full size) allows, when that is larger: no empty band under the controls
  const across = document.documentElement.clientWidth - 16;
  const two = Math.min(spec.panelPx, Math.floor(across / 2));
  const one = Math.min(spec.panelPx, across,
                       Math.floor((window.innerHeight - spec.controlsPx) / panels.length) - spec.titlePx);
  const w = Math.max(two, one);
  if (w <= 0 || w === width) return;
  width = w;
  grid.style.gridTemplateColumns = one > two ? '1fr' : 'repeat(2, 1fr)';
  grid.replaceChildren();
  for (const p of panels) {
    const box = document.createElement('div');
    const title = document.createElement('div');
    title.className = 'title'; title.textContent = p.title;
    const canvas = document.createElement('canvas');
    canvas.width = width * ratio; canvas.height = width * ratio;
    canvas.style.width = width + 'px'; canvas.style.height = width + 'px';
    canvas.setAttribute('role', 'img'); canvas.setAttribute('aria-label', p.title + ': particles');
    box.append(title, canvas); grid.append(box);
    p.ctx = canvas.getContext('2d'); p.ctx.scale(ratio, ratio);
    p.base = document.createElement('canvas');  // the still layer: data and trails, drawn once per width
    p.base.width = canvas.width; p.base.height = canvas.height;
    const b = p.base.getContext('2d'); b.scale(ratio, ratio);
    b.fillStyle = '__BACKGROUND__'; b.fillRect(0, 0, width, width);
    b.fillStyle = '__DATA_DOTS__';
    for (let i = 0; i < data.length; i += 2) b.fillRect(px(data[i]) - 1, py(data[i + 1]) - 1, 2, 2);
    b.strokeStyle = p.trail; b.lineWidth = 1;
    for (let j = 0; j < spec.trails; j++) {
      b.beginPath();
      for (let s = 0; s < spec.states; s++) {
        const o = (s * spec.trails + j) * 2, x = px(p.trails[o]), y = py(p.trails[o + 1]);
        if (s === 0) b.moveTo(x, y); else b.lineTo(x, y);
      }
      b.stroke();
    }
  }
  draw(frame);
}
function px(x) { return (x + spec.span) / (2 * spec.span) * width; }
function py(y) { return (spec.span - y) / (2 * spec.span) * width; }
function draw(k) {
  for (const p of panels) {
    if (!p.ctx) break;  // not laid out yet
    p.ctx.drawImage(p.base, 0, 0, width, width);
    p.ctx.fillStyle = p.colour;
    const o = k * spec.n * 2;
    for (let i = 0; i < spec.n; i++) p.ctx.fillRect(px(p.states[o + 2 * i]) - 1.2, py(p.states[o + 2 * i + 1]) - 1.2, 2.4, 2.4);
  }
  slider.value = k;
  label.textContent = spec.labels[k];
}
let playing = false, frame = spec.frames - 1, last = 0;
function tick(now) {
  if (!playing) return;
  if (now - last >= spec.frameMs) {
    last = now; frame += 1;
    draw(frame);
    if (frame >= spec.frames - 1) { stop(); return; }
  }
  requestAnimationFrame(tick);
}
function stop() { playing = false; button.innerHTML = '&#9654; Play'; }
button.addEventListener('click', () => {
  if (playing) { stop(); return; }
  if (frame >= spec.frames - 1) frame = -1;
  playing = true; button.innerHTML = '&#10074;&#10074; Pause'; last = 0;
  requestAnimationFrame(tick);
});
slider.max = spec.frames - 1;
slider.addEventListener('input', () => { stop(); frame = Number(slider.value); draw(frame); });
draw(frame);
// The frame may have no width yet when this runs (Streamlit sizes it after it is inserted): lay out once it has
// one, and again whenever it changes (a phone turned, a window resized).
new ResizeObserver(layout).observe(document.documentElement);
window.addEventListener('resize', layout);
layout();
</script>
</body></html>
"""


@dataclass(frozen=True)
class ParticlesShown:
    """What the page keeps of a particle run once its animation is built: the HTML, its height and the distances.

    Not the paths: at 2,000 particles x 200 steps they are ~12 MB per field (float64 (K + 1, N, 2) per sampler),
    and a server-wide cache of a few runs would hold them long after every reader left.
    """

    html: str
    height: int
    distances: dict[tuple[str, str], float]  # energy distance of each run's end points (ParticleRuns.distances)
    floors: np.ndarray  # (FLOOR_DRAWS,) the yardstick (ParticleRuns.floors)

    @property
    def floor(self) -> float:
        return float(self.floors.mean())


def particles_shown(runs: ParticleRuns) -> ParticlesShown:
    """The animation of ``runs`` and the figures shown beside it."""
    return ParticlesShown(player_html(runs), player_height(runs), dict(runs.distances), runs.floors.copy())
for _name, _colour in _THEME.items():  # the theme's colours into the page's style and its still layer
    _TEMPLATE = _TEMPLATE.replace(_name, _colour)
