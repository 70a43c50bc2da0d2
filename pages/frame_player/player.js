// The frame player (pages/frame_player.py): plays a run in the reader's browser, at a human pace, with no server
// round trip per frame. Plain JavaScript, no build step; Streamlit's components v2 call the default export with
// {data, parentElement, setStateValue} on mount and again whenever `data` changes (the DOM built here stays).
// noise_stream.js is prepended to this file by pages/frame_player.py: gaussian, toModelSpace, forwardPixels, rintHalfEven.
//
// Two modes, one UI. "frames": pictures sent by Python (data URIs), a caption and an alt text each. "forward": x_0,
// the seed of ε and ᾱ_t for t = 0..T; every frame x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε is computed here, pixel for pixel
// as Python computes it (diffusion_core/forward/noise_stream.py), with an 8 × 8 patch of it listed as numbers.
//
// What goes back to Python (setStateValue("report", {id, position, playing, seq})) happens only when it matters: on
// pause, on release of the scrubber, on a step, at the end of a pass, and once at the start when reduced motion
// changes what is shown. Never per frame. `seq` counts reports; Python echoes the last one it read as data.ack, so
// a position Python sends from an older report is not mistaken for a move Python asked for.

const instances = new WeakMap(); // parentElement -> Player (the DOM and the playback survive new data)
const noiseCache = new Map(); // "seed:n" -> Float32Array ε (a few entries: T or the patch may change, ε does not)
const SPEEDS = [0.5, 1, 2];
const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  back: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
  forward: "M16 6h2v12h-2zM6 18l8.5-6L6 6z",
};
let uid = 0;

function noiseFor(seed, n) {
  const key = `${seed}:${n}`;
  let eps = noiseCache.get(key);
  if (!eps) {
    eps = gaussian(n, seed);
    noiseCache.set(key, eps);
    while (noiseCache.size > 4) noiseCache.delete(noiseCache.keys().next().value);
  }
  return eps;
}

function decodeBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function decodeFloat64(text) {
  const bytes = decodeBase64(text);
  const view = new DataView(bytes.buffer);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

/** Python's f"{x:.2f}" for x >= 0: toFixed rounds exact ties (x = m/8, m odd) up, Python to even. */
function fixed2(x) {
  if (Number.isInteger(x * 8) && !Number.isInteger(x * 4)) return (rintHalfEven(x * 100) / 100).toFixed(2);
  return x.toFixed(2);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

/** The whole enlargement factor that brings a w x h picture's longer side closest to, but not over, target. */
function scaleFor(w, h, target) {
  return Math.max(1, Math.floor(target / Math.max(w, h)));
}

class Player {
  constructor(parent) {
    this.parent = parent;
    this.id = null;
    this.mode = null;
    this.position = 0; // the frame index or t on screen
    this.playing = false;
    this.speed = 1;
    this.seq = 0; // reports sent
    this.pythonPosition = null; // the start / t Python sent last
    this.raf = 0;
    this.reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.tick = this.tick.bind(this);
  }

  // ------------------------------------------------------------ data from Python
  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.data = data;
    this.seq = Math.max(this.seq, data.ack || 0);
    const wanted = data.mode === "forward" ? data.t : data.start;
    if (data.id !== this.id || data.mode !== this.mode) {
      this.stop();
      this.id = data.id;
      this.mode = data.mode;
      this.build();
      this.pythonPosition = wanted;
      if (this.mode === "frames" && data.autoplay && this.reduced) {
        this.show(this.last); // reduced motion: the finished picture and the scrubber, no animation
        this.report();
      } else {
        this.show(wanted);
        if (this.mode === "frames" && data.autoplay) this.play();
      }
    } else {
      this.configure();
      // Python moved the position itself (a link, a reset), not as an echo of an older report: follow it.
      if (data.ack >= this.seq && wanted !== this.pythonPosition && wanted !== this.position) {
        this.stop();
        this.show(wanted);
      } else {
        this.show(this.position);
      }
      this.pythonPosition = wanted;
    }
  }

  get last() {
    return this.mode === "forward" ? this.data.T : this.data.frames.length - 1;
  }

  // ------------------------------------------------------------ building the DOM
  build() {
    const d = this.data;
    const n = ++uid;
    if (this.root) this.root.remove();
    this.canvas = this.table = this.imgs = null;
    const forward = this.mode === "forward";
    this.root = el("div", {
      class: `fp fp-${this.mode}`, role: "group", tabindex: "-1",
      "aria-label": forward ? "Forward process player" : "Frame player",
      "aria-describedby": `fp-keys-${n}`,
    });
    this.stage = el("div", {class: "fp-stage"});
    if (forward) this.buildCanvas();
    else this.buildImages();
    this.caption = el("p", {class: "fp-caption", id: `fp-caption-${n}`});

    this.scrub = el("input", {
      type: "range", class: "fp-scrub", id: `fp-scrub-${n}`, min: "0", max: String(this.last), step: "1",
      "aria-describedby": `fp-caption-${n}`,
    });
    const scrubLabel = el("label", {class: "fp-scrub-label", for: `fp-scrub-${n}`,
      text: forward ? "Timestep t" : d.label});
    this.playButton = el("button", {type: "button", class: "fp-button fp-play"});
    this.backButton = el("button", {type: "button", class: "fp-button fp-step",
      "aria-label": forward ? "Back one timestep" : "Previous frame"}, icon("back"));
    this.forwardButton = el("button", {type: "button", class: "fp-button fp-step",
      "aria-label": forward ? "Forward one timestep" : "Next frame"}, icon("forward"));
    this.speedButtons = SPEEDS.map((s) => el("button", {type: "button", class: "fp-button fp-speed",
      "aria-pressed": String(s === this.speed), "data-speed": String(s), text: `${s}×`}));
    const speedLabel = el("span", {class: "fp-speed-label", id: `fp-speed-${n}`, text: "Speed"});
    const speed = el("div", {class: "fp-speeds", role: "group", "aria-labelledby": `fp-speed-${n}`},
      speedLabel, ...this.speedButtons);
    const keys = el("p", {class: "fp-sr-only", id: `fp-keys-${n}`, text: "Space or K plays or pauses; the left and "
      + "right arrow keys step one " + (forward ? "timestep (with Shift, ten)" : "frame")
      + "; Home and End go to the first and last."});
    this.live = el("p", {class: "fp-sr-only", "aria-live": "polite"});
    this.root.append(
      this.stage, this.caption,
      el("div", {class: "fp-scrub-row"}, scrubLabel, this.scrub),
      el("div", {class: "fp-controls"},
        el("div", {class: "fp-transport"}, this.playButton, this.backButton, this.forwardButton), speed),
      keys, this.live);
    if (forward) this.buildTable();
    this.parent.append(this.root);
    this.wire();
    this.configure();
    this.setPlaying(false);
  }

  buildImages() {
    const d = this.data;
    const count = d.frames[0].images.length;
    this.imgs = [];
    for (let k = 0; k < count; k++) {
      const first = d.frames[0].images[k];
      const img = el("img", {class: "fp-picture", alt: "", decoding: "sync"});
      if (first.width) {
        img.width = first.width;
        img.height = first.height;
        img.style.width = `${first.width * scaleFor(first.width, first.height, d.display_px)}px`;
      } else {
        img.addEventListener("load", () => {
          if (!img.style.width) img.style.width = `${img.naturalWidth * scaleFor(img.naturalWidth, img.naturalHeight, d.display_px)}px`;
        });
      }
      const figure = el("figure", {class: "fp-figure"});
      if (d.labels.length) figure.append(el("figcaption", {class: "fp-label", "aria-hidden": "true", text: d.labels[k]}));
      figure.append(img);
      this.stage.append(figure);
      this.imgs.push(img);
    }
    this.stage.setAttribute("role", "img"); // one picture for a screen reader: the frame's alt text says both halves
    // Decode every frame once, up front, so playback never waits for a picture.
    this.preload = d.frames.flatMap((f) => f.images.map((i) => {
      const pre = new Image();
      pre.src = i.src;
      return pre;
    }));
  }

  buildCanvas() {
    const d = this.data;
    const {height: h, width: w, channels: c} = d.x0;
    const pixels = decodeBase64(d.x0.data);
    this.x0 = toModelSpace(pixels);
    this.eps = noiseFor(d.seed, pixels.length);
    this.alphaBar = decodeFloat64(d.alpha_bar);
    this.values = new Uint8Array(pixels.length);
    this.channels = c;
    this.width = w;
    this.canvas = el("canvas", {class: "fp-picture", width: String(w), height: String(h), role: "img"});
    this.canvas.style.width = `${w * scaleFor(w, h, d.display_px)}px`;
    this.context = this.canvas.getContext("2d");
    this.imageData = this.context.createImageData(w, h);
    this.imageData.data.fill(255);
    this.patchBox = el("div", {class: "fp-patch-box", "aria-hidden": "true"}); // where the listed numbers are
    this.stage.append(el("figure", {class: "fp-figure"}, el("div", {class: "fp-canvas-wrap"}, this.canvas, this.patchBox)));
  }

  buildTable() {
    this.tableCaption = el("caption");
    this.table = el("table", {class: "fp-patch"}, this.tableCaption);
    const head = el("tr", {}, el("td", {class: "fp-corner"}));
    this.colHeads = [];
    for (let c = 0; c < 8; c++) {
      const th = el("th", {scope: "col"});
      this.colHeads.push(th);
      head.append(th);
    }
    this.table.append(el("thead", {}, head));
    const body = el("tbody");
    this.rowHeads = [];
    this.cells = [];
    for (let r = 0; r < 8; r++) {
      const th = el("th", {scope: "row"});
      const row = el("tr", {}, th);
      this.rowHeads.push(th);
      for (let c = 0; c < 8; c++) {
        const td = el("td");
        this.cells.push(td);
        row.append(td);
      }
      body.append(row);
    }
    this.table.append(body);
    this.root.append(el("div", {class: "fp-patch-wrap"}, this.table));
  }

  /** Settings that may change without a new film: lock, patch, pace, loop. */
  configure() {
    const d = this.data;
    const locked = Boolean(d.locked);
    for (const b of [this.playButton, this.backButton, this.forwardButton, this.scrub, ...this.speedButtons]) {
      b.disabled = locked;
    }
    this.root.classList.toggle("fp-locked", locked);
    if (this.mode === "forward" && this.table) {
      const {top, left, channel, size} = d.patch;
      const h = d.x0.height, w = d.x0.width;
      this.patch = {top, left, channel, rows: Math.min(size, h), cols: Math.min(size, w)};
      const what = this.channels === 3 ? `channel ${"RGB"[channel]}` : "grey levels";
      this.tableCaption.textContent = `x_t as numbers (${what}, rows ${top}–${top + this.patch.rows - 1}, `
        + `columns ${left}–${left + this.patch.cols - 1})`;
      this.colHeads.forEach((th, c) => { th.textContent = c < this.patch.cols ? String(left + c) : ""; });
      this.rowHeads.forEach((th, r) => { th.textContent = r < this.patch.rows ? String(top + r) : ""; });
      Object.assign(this.patchBox.style, {left: `${(100 * left) / w}%`, top: `${(100 * top) / h}%`,
        width: `${(100 * this.patch.cols) / w}%`, height: `${(100 * this.patch.rows) / h}%`});
    }
    if (this.playing) this.rebase();
  }

  wire() {
    this.playButton.addEventListener("click", () => this.toggle());
    this.backButton.addEventListener("click", () => this.step(-1));
    this.forwardButton.addEventListener("click", () => this.step(1));
    this.speedButtons.forEach((b) => b.addEventListener("click", () => this.setSpeed(Number(b.dataset.speed))));
    this.scrub.addEventListener("input", () => { // dragging: follow, say nothing to Python yet
      if (this.playing) this.stop();
      this.show(Number(this.scrub.value));
    });
    this.scrub.addEventListener("change", () => { // released: settled
      this.stop();
      this.show(Number(this.scrub.value));
      this.report(true);
    });
    this.stage.addEventListener("pointerdown", () => this.root.focus({preventScroll: true}));
    this.root.addEventListener("keydown", (event) => this.onKey(event));
  }

  // ------------------------------------------------------------ keyboard
  onKey(event) {
    if (this.data.locked || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.composedPath()[0];
    const tag = target && target.tagName;
    if (event.key === "PageUp" || event.key === "PageDown") {
      // A presenter's clicker sends these: the slider must not move, and the page must still hear the key.
      if (target === this.scrub) event.preventDefault();
      return;
    }
    if (tag === "SELECT") return;
    const big = this.mode === "forward" && event.shiftKey ? 10 : 1;
    let handled = true;
    switch (event.key) {
      case " ":
      case "Spacebar":
        if (tag === "BUTTON") return; // a focused button's own Space press (Play toggles there too)
        this.toggle();
        break;
      case "k":
      case "K":
        this.toggle();
        break;
      case "ArrowLeft":
      case "ArrowDown":
        this.step(-big);
        break;
      case "ArrowRight":
      case "ArrowUp":
        this.step(big);
        break;
      case "Home":
        this.goTo(0);
        break;
      case "End":
        this.goTo(this.last);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation(); // the page's own arrow-key handlers (presenter mode) must not act on it too
    }
  }

  // ------------------------------------------------------------ playback
  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  play() {
    if (this.last === 0) return;
    if (this.position >= this.last) this.show(0);
    this.setPlaying(true);
    this.rebase();
    this.raf = requestAnimationFrame(this.tick);
  }

  pause() {
    this.stop();
    this.report(true);
  }

  /** Stop the clock where the picture is; nothing is said to Python. */
  stop() {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.setPlaying(false);
  }

  step(by) {
    this.stop();
    this.show(Math.min(this.last, Math.max(0, this.position + by)));
    this.report(true);
  }

  goTo(position) {
    this.stop();
    this.show(position);
    this.report(true);
  }

  setSpeed(speed) {
    this.speed = speed;
    this.speedButtons.forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === speed)));
    if (this.playing) this.rebase();
  }

  /** Positions per second at this speed: one pass (first to last) in data.seconds at 1x. */
  get rate() {
    return (this.speed * this.last) / this.data.seconds;
  }

  /** Restart the clock from the position on screen (after play, a change of speed or of pace). */
  rebase() {
    this.clockStart = performance.now();
    this.clockFrom = this.position;
  }

  tick(now) {
    this.raf = 0;
    if (!this.playing) return;
    if (!this.root.isConnected) { // the element left the page: stop quietly
      this.setPlaying(false);
      return;
    }
    const advanced = Math.floor(((now - this.clockStart) / 1000) * this.rate + 1e-9);
    let position = this.clockFrom + Math.max(0, advanced);
    if (position >= this.last && !(this.mode === "frames" && this.data.loop)) {
      this.show(this.last);
      this.stop();
      this.report(true); // the end of a pass
      return;
    }
    if (this.mode === "frames" && this.data.loop) position %= this.last + 1;
    if (position !== this.position) this.show(position);
    this.raf = requestAnimationFrame(this.tick);
  }

  setPlaying(playing) {
    this.playing = playing;
    if (!this.playButton) return;
    this.playButton.replaceChildren(icon(playing ? "pause" : "play"), el("span", {text: playing ? "Pause" : "Play"}));
    this.root.classList.toggle("fp-is-playing", playing);
  }

  // ------------------------------------------------------------ drawing one position
  show(position) {
    position = Math.min(this.last, Math.max(0, Math.round(position)));
    this.position = position;
    let caption, alt;
    if (this.mode === "forward") {
      [caption, alt] = this.drawForward(position);
    } else {
      const frame = this.data.frames[position];
      frame.images.forEach((image, k) => {
        if (this.imgs[k].getAttribute("src") !== image.src) this.imgs[k].src = image.src;
      });
      caption = frame.caption;
      alt = frame.alt;
    }
    this.caption.textContent = caption;
    (this.canvas || this.stage).setAttribute("aria-label", alt);
    this.scrub.value = String(position);
    this.scrub.setAttribute("aria-valuetext", caption);
    this.root.dataset.position = String(position);
  }

  drawForward(t) {
    const ab = this.alphaBar[t];
    forwardPixels(this.x0, this.eps, ab, this.values);
    const rgba = this.imageData.data;
    const v = this.values;
    if (this.channels === 1) {
      for (let i = 0, j = 0; i < v.length; i++, j += 4) rgba[j] = rgba[j + 1] = rgba[j + 2] = v[i];
    } else {
      for (let i = 0, j = 0; i < v.length; i += 3, j += 4) {
        rgba[j] = v[i];
        rgba[j + 1] = v[i + 1];
        rgba[j + 2] = v[i + 2];
      }
    }
    this.context.putImageData(this.imageData, 0, 0);
    const {top, left, channel, rows, cols} = this.patch;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const inside = r < rows && c < cols;
        const index = ((top + r) * this.width + left + c) * this.channels + channel;
        this.cells[r * 8 + c].textContent = inside ? String(v[index]) : "";
      }
    }
    const fill = (template) => this.fillTemplate(template, t, ab);
    return [fill(this.data.caption), fill(this.data.alt)];
  }

  fillTemplate(template, t, ab) {
    let words = "";
    for (const [first, text] of this.data.alt_words) if (first <= t) words = text;
    return template
      .replaceAll("{t}", String(t))
      .replaceAll("{keep}", `${rintHalfEven(Math.sqrt(ab) * 100)}%`)
      .replaceAll("{noise}", fixed2(Math.sqrt(Math.max(0, 1 - ab))))
      .replaceAll("{words}", words);
  }

  // ------------------------------------------------------------ telling Python
  /** Send {id, position, playing, seq}; `announce` also tells a screen reader where playback settled. */
  report(announce = false) {
    this.seq += 1;
    if (announce) this.live.textContent = this.caption.textContent;
    this.setStateValue("report", {id: this.id, position: this.position, playing: this.playing, seq: this.seq});
  }
}

export default function framePlayer(component) {
  const {data, parentElement, setStateValue} = component;
  if (!data || !data.mode) return undefined;
  let player = instances.get(parentElement);
  if (!player) {
    player = new Player(parentElement);
    instances.set(parentElement, player);
  }
  player.update(data, setStateValue);
  // Drawn: the browser tests wait for this mark on the element that holds the component (tests/e2e/streamlit_browser.py).
  (parentElement.host || parentElement).setAttribute("data-component-ready", "true");
  // Streamlit calls this before each new `data` and when the element leaves the page; playback goes on across
  // new data, and the clock stops itself once the element is no longer in the document.
  return () => {};
}
