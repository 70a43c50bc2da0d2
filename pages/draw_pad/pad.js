// The drawing pad (pages/draw_pad.py): the reader draws at the model's own resolution, in the browser, with no server
// round trip per stroke. Plain JavaScript, no build step; Streamlit's components v2 call the default export with
// {data, parentElement, setStateValue} on mount and again whenever `data` changes (the DOM built here stays).
//
// The picture lives here as bytes: `pixels` (H*W grey or H*W*3 RGB, row-major, channels last, as numpy's tobytes())
// and `fill` (H*W, 1 = the reader marked it "fill this in", the mask mode's layer). A stroke is drawn into a
// coverage buffer and composited over the picture as it was when the stroke began (ink * cov + old * (1 - cov)), so
// going over the same place twice in one stroke does not darken it. Undo keeps whole snapshots (a 32 x 32 x 3
// picture is 3 KB).
//
// What goes back to Python (setStateValue("value", {shape, pixels, fill, token})) happens only on submit: the
// button, Ctrl/Cmd+Enter, or Enter on the canvas. The format is diffusion_core/images/pad_value.py's. `token` names
// the content sent; Python hands the last submitted value back as data.initial with that token, and a token this
// pad has seen (sent or loaded) is never loaded again, so a rerun never wipes strokes drawn since. A new token
// (a new start picture from the page, or a fresh mount after the reader left the page) is loaded.

const instances = new WeakMap(); // parentElement -> Pad
const RADII = [0.5, 1.0, 1.5, 2.3]; // brush sizes 1-4, in pixels of the picture
const MAX_UNDO = 60;
const OVERLAY_SCALE = 10; // overlay canvas pixels per picture pixel: crisp mask cells and cursor outline
let uid = 0;

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

function decodeBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function encodeBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function hex(rgb) {
  return "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  return [1, 3, 5].map((i) => parseInt(text.slice(i, i + 2), 16));
}

class Pad {
  constructor(parent) {
    this.parent = parent;
    this.known = new Set(); // tokens loaded or sent: never loaded again
    this.undo = [];
    this.tool = "pen";
    this.sizeIndex = 2;
    this.cursor = null; // the keyboard brush, [x, y] in picture pixels (centres at i + 0.5)
    this.stroke = null;
    this.dirty = false;
    this.sent = 0;
  }

  // ------------------------------------------------------------ data from Python
  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    const layout = `${data.size}:${data.colour}`;
    if (layout !== this.layout) {
      this.layout = layout;
      this.data = data;
      this.build();
      this.clearPicture();
      this.undo = [];
    }
    this.data = data;
    this.configure();
    const initial = data.initial;
    if (initial && !this.known.has(initial.token)) {
      this.known.add(initial.token);
      this.load(initial);
    }
    this.render();
  }

  get w() { return this.data.size; }
  get h() { return this.data.size; }
  get channels() { return this.data.colour ? 3 : 1; }
  get background() { return this.data.colour ? [255, 255, 255] : [0]; }
  get mask() { return this.data.mode === "mask"; }

  // ------------------------------------------------------------ building the DOM
  build() {
    const n = ++uid;
    if (this.root) this.root.remove();
    const w = this.w, h = this.h;
    this.pixels = new Uint8Array(w * h * this.channels);
    this.fill = new Uint8Array(w * h);
    this.root = el("div", {class: "dp", role: "group", "aria-labelledby": `dp-title-${n}`});
    this.title = el("p", {class: "dp-title", id: `dp-title-${n}`});
    this.canvas = el("canvas", {class: "dp-paint", width: String(w), height: String(h)});
    this.overlay = el("canvas", {class: "dp-overlay", width: String(w * OVERLAY_SCALE), height: String(h * OVERLAY_SCALE),
      "aria-hidden": "true"});
    this.surface = el("div", {class: "dp-surface", tabindex: "0", role: "application",
      "aria-roledescription": "drawing pad", "aria-describedby": `dp-keys-${n}`}, this.canvas, this.overlay);
    this.context = this.canvas.getContext("2d");
    this.overlayContext = this.overlay.getContext("2d");
    this.imageData = this.context.createImageData(w, h);

    const button = (cls, text, label, extra = {}) => el("button", {type: "button", class: `dp-button ${cls}`,
      "aria-label": label, ...extra}, el("span", {"aria-hidden": "true", text}));
    this.penButton = button("dp-pen", "✎ Pen", "Pen", {"aria-pressed": "true"});
    this.eraserButton = button("dp-eraser", "⌫ Eraser", "Eraser", {"aria-pressed": "false"});
    this.smaller = button("dp-smaller", "−", "Smaller brush");
    this.larger = button("dp-larger", "+", "Larger brush");
    this.sizeText = el("span", {class: "dp-size", "aria-live": "polite"});
    this.undoButton = button("dp-undo", "↶ Undo", "Undo");
    this.clearButton = button("dp-clear", "Clear", "Clear");
    this.submitButton = el("button", {type: "button", class: "dp-button dp-submit"});
    this.swatches = el("div", {class: "dp-swatches", role: "group", "aria-label": "Ink"});
    this.picker = el("input", {type: "color", class: "dp-picker", "aria-label": "Custom colour", title: "Custom colour"});
    this.status = el("p", {class: "dp-status", role: "status", "aria-live": "polite"});
    this.keys = el("p", {class: "dp-keys", id: `dp-keys-${n}`});

    const tools = el("div", {class: "dp-tools"},
      el("div", {class: "dp-group"}, this.penButton, this.eraserButton),
      el("div", {class: "dp-group", role: "group", "aria-label": "Brush size"}, this.smaller, this.sizeText, this.larger),
      el("div", {class: "dp-group"}, this.undoButton, this.clearButton));
    this.inkRow = el("div", {class: "dp-inks"}, this.swatches, this.picker);
    this.root.append(this.title, el("div", {class: "dp-stage"}, this.surface), tools, this.inkRow,
      el("div", {class: "dp-actions"}, this.submitButton, this.status), this.keys);
    this.parent.append(this.root);
    this.buildSwatches();
    this.wire();
    this.resize();
  }

  buildSwatches() {
    this.swatches.replaceChildren();
    this.inks = this.data.inks;
    this.ink = this.inks[0];
    this.swatchButtons = this.inks.map((ink, i) => {
      const rgb = ink.length === 1 ? [ink[0], ink[0], ink[0]] : ink;
      const b = el("button", {type: "button", class: "dp-swatch", "aria-pressed": String(i === 0),
        "aria-label": `Ink ${this.data.ink_names[i]}`, title: this.data.ink_names[i]});
      b.style.background = hex(rgb);
      b.addEventListener("click", () => this.setInk(ink, b));
      this.swatches.append(b);
      return b;
    });
    this.picker.hidden = !this.data.colour;
    this.picker.value = hex(this.data.colour ? this.ink : [255, 255, 255]);
  }

  /** Settings that may change without a new pad: mode, lock, labels. */
  configure() {
    const d = this.data;
    const maskMode = this.mask;
    this.root.classList.toggle("dp-mask-mode", maskMode);
    this.root.classList.toggle("dp-locked", Boolean(d.locked));
    this.title.textContent = d.label;
    this.penButton.querySelector("span").textContent = maskMode ? "▦ Mark" : "✎ Pen";
    this.penButton.setAttribute("aria-label", maskMode ? "Mark the part to fill in" : "Pen");
    this.eraserButton.querySelector("span").textContent = maskMode ? "⌫ Unmark" : "⌫ Eraser";
    this.eraserButton.setAttribute("aria-label", maskMode ? "Unmark" : "Eraser");
    this.clearButton.setAttribute("aria-label", maskMode ? "Clear the marks" : "Clear the picture");
    this.submitButton.textContent = d.submit_label;
    this.submitButton.setAttribute("aria-label", `${d.submit_label} (Control+Enter)`);
    this.inkRow.hidden = maskMode;
    const what = maskMode ? "marks the part to fill in" : "paints";
    this.surface.setAttribute("aria-label", `${d.label}: ${this.w} by ${this.h} pixels, drawn enlarged`);
    this.keys.textContent = `Keys on the pad: arrows move the brush, Space ${what} at it (Shift+arrows while moving); `
      + "E switches pen and eraser, [ and ] change the brush size; Ctrl+Z (or U) undoes, Delete clears, "
      + "Ctrl+Enter (or Enter on the pad) sends it.";
    for (const b of [this.penButton, this.eraserButton, this.smaller, this.larger, this.undoButton, this.clearButton,
      this.submitButton, this.picker, ...this.swatchButtons]) b.disabled = Boolean(d.locked);
    this.surface.setAttribute("aria-disabled", String(Boolean(d.locked)));
    this.showSize();
  }

  wire() {
    this.penButton.addEventListener("click", () => this.setTool("pen"));
    this.eraserButton.addEventListener("click", () => this.setTool("eraser"));
    this.smaller.addEventListener("click", () => this.setSize(this.sizeIndex - 1));
    this.larger.addEventListener("click", () => this.setSize(this.sizeIndex + 1));
    this.undoButton.addEventListener("click", () => this.doUndo());
    this.clearButton.addEventListener("click", () => this.doClear());
    this.submitButton.addEventListener("click", () => this.submit());
    this.picker.addEventListener("input", () => this.setInk(fromHex(this.picker.value), null));
    const s = this.surface;
    s.addEventListener("pointerdown", (e) => this.onDown(e));
    s.addEventListener("pointermove", (e) => this.onMove(e));
    s.addEventListener("pointerup", (e) => this.onUp(e));
    s.addEventListener("pointercancel", (e) => this.onUp(e));
    s.addEventListener("pointerleave", () => { if (!this.stroke) { this.hover = null; this.renderOverlay(); } });
    s.addEventListener("focus", () => { this.cursor = this.cursor || [this.w / 2, this.h / 2]; this.renderOverlay(); });
    s.addEventListener("blur", () => this.renderOverlay());
    this.root.addEventListener("keydown", (e) => this.onKey(e));
    if (window.ResizeObserver) {
      this.observer = new ResizeObserver(() => this.resize());
      this.observer.observe(this.root);
    }
  }

  /** The picture shown at a whole enlargement factor that fits the column (crisp pixels), at most 360 px. */
  resize() {
    const width = this.root.clientWidth || 300;
    const target = Math.min(width, this.data.display_px);
    const scale = Math.max(1, Math.floor(target / this.w));
    const px = `${this.w * scale}px`;
    this.surface.style.width = px;
    this.surface.style.height = `${this.h * scale}px`;
  }

  // ------------------------------------------------------------ the picture
  clearPicture() {
    const bg = this.background;
    for (let i = 0; i < this.pixels.length; i++) this.pixels[i] = bg[i % bg.length];
    this.fill.fill(0);
  }

  load(value) {
    const [h, w] = value.shape;
    const channels = value.shape.length === 3 ? 3 : 1;
    if (h !== this.h || w !== this.w || channels !== this.channels) return; // not this pad's picture
    this.pushUndo();
    this.pixels.set(decodeBase64(value.pixels));
    if (value.fill) this.fill.set(decodeBase64(value.fill));
    else this.fill.fill(0);
    this.dirty = false;
  }

  snapshot() {
    return {pixels: this.pixels.slice(), fill: this.fill.slice()};
  }

  pushUndo() {
    this.undo.push(this.snapshot());
    if (this.undo.length > MAX_UNDO) this.undo.shift();
  }

  render() {
    const data = this.imageData.data;
    const c = this.channels;
    for (let i = 0, n = this.w * this.h; i < n; i++) {
      const o = 4 * i;
      if (c === 1) data[o] = data[o + 1] = data[o + 2] = this.pixels[i];
      else { data[o] = this.pixels[3 * i]; data[o + 1] = this.pixels[3 * i + 1]; data[o + 2] = this.pixels[3 * i + 2]; }
      data[o + 3] = 255;
    }
    this.context.putImageData(this.imageData, 0, 0);
    this.root.dataset.sum = String(this.pixels.reduce((a, b) => a + b, 0)); // for tests and curious readers
    this.root.dataset.marked = String(this.fill.reduce((a, b) => a + b, 0));
    this.undoButton.disabled = Boolean(this.data.locked) || this.undo.length === 0;
    this.renderOverlay();
  }

  renderOverlay() {
    const g = this.overlayContext;
    const k = OVERLAY_SCALE;
    g.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (this.mask || this.fill.some((v) => v)) {
      // Marked cells: translucent magenta, hatched white over black (visible on any colour of picture).
      g.fillStyle = this.mask ? "rgba(255, 0, 170, 0.45)" : "rgba(255, 0, 170, 0.25)";
      g.beginPath();
      for (let y = 0; y < this.h; y++) for (let x = 0; x < this.w; x++) {
        if (!this.fill[y * this.w + x]) continue;
        g.fillRect(x * k, y * k, k, k);
        g.moveTo(x * k, (y + 1) * k);
        g.lineTo((x + 1) * k, y * k);
      }
      g.lineWidth = 3;
      g.strokeStyle = "rgba(0, 0, 0, 0.6)";
      g.stroke();
      g.lineWidth = 1.5;
      g.strokeStyle = "rgba(255, 255, 255, 0.9)";
      g.stroke();
    }
    const at = this.stroke ? null : (this.surface === this.parent.activeElement ? this.cursor : this.hover);
    if (at) { // the brush's footprint: white over black, visible on any picture
      const r = RADII[this.sizeIndex] + 0.5;
      g.lineWidth = 3;
      g.strokeStyle = "#000";
      g.strokeRect((at[0] - r) * k, (at[1] - r) * k, 2 * r * k, 2 * r * k);
      g.lineWidth = 1.5;
      g.strokeStyle = "#fff";
      g.strokeRect((at[0] - r) * k, (at[1] - r) * k, 2 * r * k, 2 * r * k);
    }
  }

  // ------------------------------------------------------------ strokes
  begin() {
    this.pushUndo();
    this.stroke = {base: this.snapshot(), cov: new Float32Array(this.w * this.h), last: null};
  }

  /** Stamp the brush along the segment from the stroke's last point to (x, y), every quarter pixel. */
  to(x, y) {
    const s = this.stroke;
    const from = s.last || [x, y];
    const steps = Math.max(1, Math.ceil(Math.hypot(x - from[0], y - from[1]) * 4));
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      this.stamp(from[0] + (x - from[0]) * t, from[1] + (y - from[1]) * t);
    }
    s.last = [x, y];
    this.composite();
  }

  stamp(cx, cy) {
    const r = RADII[this.sizeIndex];
    const cov = this.stroke.cov;
    const x0 = Math.max(0, Math.floor(cx - r - 1)), x1 = Math.min(this.w - 1, Math.ceil(cx + r + 1));
    const y0 = Math.max(0, Math.floor(cy - r - 1)), y1 = Math.min(this.h - 1, Math.ceil(cy + r + 1));
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const c = Math.min(1, Math.max(0, r + 0.5 - d)); // the share of the pixel the brush covers, roughly
      const i = y * this.w + x;
      if (c > cov[i]) cov[i] = c;
    }
  }

  composite() {
    const {base, cov} = this.stroke;
    if (this.mask) {
      const mark = this.tool === "pen" ? 1 : 0;
      for (let i = 0; i < cov.length; i++) this.fill[i] = cov[i] >= 0.5 ? mark : base.fill[i];
    } else {
      const ink = this.tool === "pen" ? this.ink : this.background;
      const c = this.channels;
      for (let i = 0; i < cov.length; i++) {
        const a = cov[i];
        for (let k = 0; k < c; k++) {
          const j = c * i + k;
          this.pixels[j] = a > 0 ? Math.round(ink[k] * a + base.pixels[j] * (1 - a)) : base.pixels[j];
        }
      }
    }
    this.dirty = true;
    this.render();
  }

  end() {
    if (!this.stroke) return;
    this.stroke = null;
    this.say(this.mask ? "Marked. Send it when the marks are right." : "Drawn. Send it when you are happy with it.");
    this.render();
  }

  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) / rect.width * this.w, (event.clientY - rect.top) / rect.height * this.h];
  }

  onDown(event) {
    if (this.data.locked || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    this.surface.focus({preventScroll: true});
    this.surface.setPointerCapture(event.pointerId);
    this.pointer = event.pointerId;
    this.begin();
    const p = this.point(event);
    this.cursor = p;
    this.to(...p);
  }

  onMove(event) {
    if (!this.stroke || event.pointerId !== this.pointer) {
      if (event.pointerType === "mouse") { this.hover = this.point(event); this.renderOverlay(); }
      return;
    }
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of (events.length ? events : [event])) {
      const p = this.point(e);
      this.to(...p);
      this.cursor = p;
    }
  }

  onUp(event) {
    if (event.pointerId !== this.pointer) return;
    this.pointer = null;
    this.end();
  }

  // ------------------------------------------------------------ tools
  setTool(tool) {
    this.tool = tool;
    this.penButton.setAttribute("aria-pressed", String(tool === "pen"));
    this.eraserButton.setAttribute("aria-pressed", String(tool === "eraser"));
  }

  setSize(index) {
    this.sizeIndex = Math.max(0, Math.min(RADII.length - 1, index));
    this.showSize();
    this.renderOverlay();
  }

  showSize() {
    this.sizeText.textContent = `Size ${this.sizeIndex + 1}`;
    this.smaller.disabled = Boolean(this.data.locked) || this.sizeIndex === 0;
    this.larger.disabled = Boolean(this.data.locked) || this.sizeIndex === RADII.length - 1;
  }

  setInk(ink, button) {
    this.ink = ink.length === 1 ? ink : ink.slice(0, 3);
    this.swatchButtons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    if (this.data.colour && button) this.picker.value = hex(this.ink);
    this.setTool("pen");
  }

  doUndo() {
    const previous = this.undo.pop();
    if (!previous) return;
    this.pixels.set(previous.pixels);
    this.fill.set(previous.fill);
    this.dirty = true;
    this.say("Undone.");
    this.render();
  }

  doClear() {
    this.pushUndo();
    if (this.mask) this.fill.fill(0);
    else this.clearPicture();
    this.dirty = true;
    this.say(this.mask ? "Marks cleared (Undo brings them back)." : "Cleared (Undo brings it back).");
    this.render();
  }

  submit() {
    if (this.data.locked) return;
    this.sent += 1;
    const token = `pad-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${this.sent}`;
    this.known.add(token);
    const shape = this.channels === 3 ? [this.h, this.w, 3] : [this.h, this.w];
    const marked = this.fill.some((v) => v);
    this.setStateValue("value", {shape, pixels: encodeBase64(this.pixels), fill: marked ? encodeBase64(this.fill) : null,
      token});
    this.dirty = false;
    this.root.dataset.sent = String(this.sent);
    this.say("Sent.");
  }

  say(text) {
    this.status.textContent = text;
  }

  // ------------------------------------------------------------ keyboard
  onKey(event) {
    if (this.data.locked) return;
    const target = event.composedPath()[0];
    const onSurface = target === this.surface;
    const inField = target && target.tagName === "INPUT";
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key;
    let handled = true;
    if (mod && key === "Enter") this.submit();
    else if (mod && (key === "z" || key === "Z") && !event.shiftKey) this.doUndo();
    else if (mod || event.altKey || inField) handled = false;
    else if (key === "Delete" || (key === "Backspace" && onSurface)) this.doClear();
    else if (key === "u" || key === "U") this.doUndo();
    else if (key === "e" || key === "E") this.setTool(this.tool === "pen" ? "eraser" : "pen");
    else if (key === "[") this.setSize(this.sizeIndex - 1);
    else if (key === "]") this.setSize(this.sizeIndex + 1);
    else if (onSurface && key === "Enter") this.submit();
    else if (onSurface && (key === " " || key === "Spacebar")) this.keyStamp(0, 0, false);
    else if (onSurface && key.startsWith("Arrow")) {
      const [dx, dy] = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}[key] || [0, 0];
      this.keyStamp(dx, dy, event.shiftKey);
    } else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation(); // the page's own keys (presenter mode's arrows) stay out of the pad
    }
  }

  /** Move the keyboard brush by (dx, dy) pixels; paint when asked (Space: where it is; Shift+arrow: along the way). */
  keyStamp(dx, dy, paintMove) {
    const c = this.cursor || [this.w / 2, this.h / 2];
    const next = [Math.min(this.w - 0.5, Math.max(0.5, Math.floor(c[0]) + 0.5 + dx)),
      Math.min(this.h - 0.5, Math.max(0.5, Math.floor(c[1]) + 0.5 + dy))];
    if (dx === 0 && dy === 0 || paintMove) {
      this.begin();
      this.stroke.last = dx === 0 && dy === 0 ? null : [Math.floor(c[0]) + 0.5, Math.floor(c[1]) + 0.5];
      this.to(...next);
      this.stroke = null;
      this.say(this.mask ? "Marked." : "Painted.");
    }
    this.cursor = next;
    this.render();
  }
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  let pad = instances.get(parentElement);
  if (!pad) {
    pad = new Pad(parentElement);
    instances.set(parentElement, pad);
  }
  pad.update(data, setStateValue);
  // Drawn: the browser tests wait for this mark on the element that holds the component (tests/e2e/streamlit_browser.py).
  (parentElement.host || parentElement).setAttribute("data-component-ready", "true");
}
