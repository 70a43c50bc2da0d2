"""Teacher notes for a 45-minute lesson with the app, one per step of the story, and the printable lesson plan.

Each :class:`Note` belongs to one page (its URL path; "" is home), in the order the lesson visits them
(:data:`PAGE_ORDER`), and holds the minutes it takes, what to show (the page's own control labels, in “quotes”),
what to say (two to four sentences for 16-year-olds), and two or three :class:`Question` s with their answers.
:data:`OPENING` and :data:`CLOSING` frame the steps; all minutes together are :data:`LESSON_MINUTES`.
:func:`render_plan_html` (self-contained, print-friendly: one printed page per step) and
:func:`render_plan_markdown` write the lesson plan from the same notes. The titles are the presenter's
(:data:`diffusion_core.access.presenter.STEPS`), so the two never disagree.

Every sentence is meant to be true as stated. Where the source article ("How Diffusion Models Generate Images:
The Math Behind AI Creativity") simplifies, the note says what is really so: the network is trained at every noise
level to predict the noise of an x_t made in one jump from a clean picture; the small steps belong to the sampler.
A bound is called a bound, an estimate comes with its interval.

Numbers in the answers are computed here, not typed: the digit counts by exact whole-number comparison with powers
of ten (:func:`digits_of_power`), the pixel counts by arithmetic. This room imports no other (``space`` itself
imports ``access``), so the figures cannot come from :mod:`diffusion_core.space.image_space`; instead
``tests/unit/test_teaching.py`` checks every one against it, and checks that every quoted label is still on a
page. Figures that only a trained model or a schedule gives (bits per dimension, how much of a picture x_t keeps)
are not stated: the answers say where the page shows them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from diffusion_core.access.presenter import STEPS

ARTICLE = "How Diffusion Models Generate Images: The Math Behind AI Creativity"
LESSON_MINUTES = 45
PAGE_ORDER = ("", "image-space", "forward", "direction", "denoiser", "draw", "corner")  # the lesson's walk through the app
GREY_LEVELS = 256  # values of one 8-bit pixel, 0 to 255
SAND_EXPONENT, ATOMS_EXPONENT = 19, 80  # grains of sand ~10^19, atoms in the observable universe ~10^80 (the article's)


def digits_of_power(base: int, exponent: int) -> int:
    """The number of decimal digits of ``base ** exponent``, exactly (base ≥ 2, exponent ≥ 0).

    Compares the whole number with powers of ten, so it is meant for the lesson's small figures (up to a few
    hundred thousand bits); :func:`diffusion_core.space.image_space.digit_count` is the app's certified count for
    any size, and the tests check that the two agree.
    """
    if base < 2 or exponent < 0:
        raise ValueError(f"need base >= 2 and exponent >= 0, got {base}, {exponent}")
    value = base**exponent
    k = int(exponent * math.log10(base))  # a first guess, off by at most one; the comparisons make it exact
    while k > 0 and 10**k > value:
        k -= 1
    while 10 ** (k + 1) <= value:
        k += 1
    return k + 1


def fewest_values_above(base: int, exponent_of_ten: int) -> int:
    """The smallest n with ``base ** n > 10 ** exponent_of_ten``: how many pixels beat the sand or the atoms."""
    n, target = 0, 10**exponent_of_ten
    while base**n <= target:
        n += 1
    return n


@dataclass(frozen=True)
class Question:
    """A question to ask the class and its answer (for the teacher: checkable on the page)."""

    ask: str
    answer: str


@dataclass(frozen=True)
class Note:
    """The teacher's note for one step: the page (URL path; "" is home), its title, minutes, what to show, what to
    say and the questions to ask."""

    page: str
    title: str
    minutes: int
    show: tuple[str, ...]  # what to set and point at, in order, naming the page's own labels in “quotes”
    say: str  # two to four sentences in a 16-year-old's words
    questions: tuple[Question, ...]  # two or three


@dataclass(frozen=True)
class Bookend:
    """The lesson's opening or closing: minutes, what to do, what to say."""

    title: str
    minutes: int
    do: tuple[str, ...]
    say: str


def _title(page: str) -> str:
    return next(step.title for step in STEPS if step.page == page)


# ---------------------------------------------------------------- the figures the answers state
PIXELS = 100 * 100  # the article's 100 x 100 grey picture
GREY_DIGITS = digits_of_power(GREY_LEVELS, PIXELS)  # 256^10,000
COLOUR_DIGITS = digits_of_power(GREY_LEVELS, 3 * PIXELS)  # the same picture in RGB
ATOMS_PIXELS = fewest_values_above(GREY_LEVELS, ATOMS_EXPONENT)  # grey pixels with more pictures than atoms
SAND_PIXELS = fewest_values_above(GREY_LEVELS, SAND_EXPONENT)
INDEX_SIDE = 16  # the side of the small picture in "Every image is one number" the note asks for
INDEX_DIGITS = digits_of_power(GREY_LEVELS, INDEX_SIDE * INDEX_SIDE)
DIGIT_VALUES = 28 * 28  # one MNIST digit
DIGIT_DIGITS = digits_of_power(GREY_LEVELS, DIGIT_VALUES)
BITS_PER_VALUE = (GREY_LEVELS - 1).bit_length()  # 8: 256 = 2^8


OPENING = Bookend(
    "Opening", 2,
    ("Project the home page and the students' link (or its QR code); let them open it on their phones or laptops.",
     "Ask who has used an AI image generator, and what they think happens inside it."),
    "Today we look inside an AI image generator. The models in this app are small, but they rest on the same idea "
    "as the large diffusion models behind many image generators, and at every step we can check the maths.")

NOTES: tuple[Note, ...] = (
    Note(
        "", _title(""), 3,
        ("Open the home page and read out its first paragraph, “An image is a grid of integers”.",
         "Point at the count of digits in bold, and at the sand and the atoms after it. The next step checks them.",
         "Point at the list under “Explore”: the lesson visits these pages one after another."),
        f"A picture on a computer is a grid of numbers. In a grey picture each number says how bright one pixel is, "
        f"from 0 for black to 255 for white, so a 100 × 100 picture is just {PIXELS:,} whole numbers. Today we follow "
        f"the article “{ARTICLE}” and check its maths as we go: how many pictures there are, how noise destroys one, "
        "and how a model finds its way back.",
        (Question("How many numbers make up a 100 × 100 grey picture, and which values can each one take?",
                  f"{PIXELS:,} numbers (100 × 100), each a whole number from 0 to {GREY_LEVELS - 1}: {GREY_LEVELS} "
                  "possible values."),
         Question("A colour picture stores three numbers for each pixel: red, green and blue. How many numbers is a "
                  "100 × 100 colour picture?",
                  f"{3 * PIXELS:,}: three for each of the {PIXELS:,} pixels."),
         Question("Could you, in principle, list every possible 100 × 100 grey picture?",
                  f"In principle yes, because there are only finitely many: each of the {PIXELS:,} pixels has "
                  f"{GREY_LEVELS} choices. In practice no: there are {GREY_LEVELS}^{PIXELS:,} of them, a number with "
                  f"{GREY_DIGITS:,} digits (the next page proves the count).")),
    ),
    Note(
        "image-space", _title("image-space"), 6,
        ("Keep “Preset” at “100 x 100 grayscale (the article's example)” and point at the large digit count.",
         "Open “Why this count is exact (not a floating-point estimate)”: the count is proven with whole numbers, "
         "without writing the number out.",
         "Scroll to “Putting it in perspective” and “The article's numbers, recomputed”: each of the article's "
         "claims beside the exact figure.",
         f"Type {ATOMS_PIXELS} into “Width (pixels)” and 1 into “Height (pixels)”: a strip of {ATOMS_PIXELS} "
         f"pixels already has more possible pictures than there are atoms in the universe. Type {ATOMS_PIXELS - 1} "
         "and the page says there are fewer.",
         f"Under “Every image is one number”, set “Side of the small image (pixels)” to {INDEX_SIDE} and press "
         "“Draw a random index” a few times."),
        f"Each pixel can take {GREY_LEVELS} values whatever the others do, so the choices multiply: {GREY_LEVELS} × "
        f"{GREY_LEVELS} × … ten thousand times, written {GREY_LEVELS}^{PIXELS:,}. That number has {GREY_DIGITS:,} "
        "digits, and the page proves the digit count exactly instead of estimating it. The atoms in the observable "
        f"universe are about 10^{ATOMS_EXPONENT}, a number with only {ATOMS_EXPONENT + 1} digits. So the article is "
        "right: the space of pictures is finite, but far too large to search by trying pictures at random.",
        (Question(f"How many digits does {GREY_LEVELS}^{PIXELS:,} have, and how can the page be sure without writing "
                  "the number out?",
                  f"{GREY_DIGITS:,} digits. Under “Why this count is exact” the page traps {PIXELS:,} × log₁₀ "
                  f"{GREY_LEVELS} between two fractions using whole-number arithmetic only; both have the whole part "
                  f"{GREY_DIGITS - 1:,}, so the number has {GREY_DIGITS:,} digits. (In colour: {COLOUR_DIGITS:,}.)"),
         Question(f"What is the smallest number of grey pixels with more possible pictures than there are atoms in "
                  f"the universe (about 10^{ATOMS_EXPONENT})?",
                  f"{ATOMS_PIXELS} pixels: {GREY_LEVELS}^{ATOMS_PIXELS} has "
                  f"{digits_of_power(GREY_LEVELS, ATOMS_PIXELS)} digits, more than 10^{ATOMS_EXPONENT} "
                  f"({ATOMS_EXPONENT + 1} digits), while {GREY_LEVELS}^{ATOMS_PIXELS - 1} has only "
                  f"{digits_of_power(GREY_LEVELS, ATOMS_PIXELS - 1)}. Check it with width {ATOMS_PIXELS} and height 1. "
                  f"For the grains of sand (about 10^{SAND_EXPONENT}) {SAND_PIXELS} pixels are enough."),
         Question("Press “Draw a random index” a few times. What do the pictures look like, and why?",
                  f"Static, every time in practice. A random index picks one of all {GREY_LEVELS}^{INDEX_SIDE * INDEX_SIDE} "
                  f"pictures of {INDEX_SIDE} × {INDEX_SIDE} pixels (a number with {INDEX_DIGITS:,} digits), each "
                  "equally likely, and nearly all of them are noise: pictures that show something are a tiny corner "
                  "of the space.")),
    ),
    Note(
        "forward", _title("forward"), 7,
        ("Keep “Picture” at “A photo (bundled or yours)”. Under “Watch the picture fade”, press Play beside the "
         "noisy picture and let it run from t = 0 to T (about ten seconds), or drag “Timestep t”.",
         "Under “Any t in one jump”, read how much of the picture x_t keeps (√ᾱ_t) and the spread (standard "
         "deviation) of the noise it adds, at the t where the player stopped.",
         "Switch “Noise schedule” between linear and cosine and compare the eight pictures under “Any t in one "
         "jump”.",
         "Under “One jump, or t small steps?”, press “Take the … single steps” (it names the current t) and compare "
         "the two noise histograms."),
        "To make training examples we take a real picture and mix it with random noise: x_t keeps a share √ᾱ_t of "
        "the picture and adds noise of strength √(1 − ᾱ_t), and as t grows the picture fades until almost nothing of "
        "it is left. The article describes training as learning to undo one small step; what really happens is that "
        "the network is shown x_t made in one jump from a clean picture, at every noise level t, and learns to "
        "predict the noise that was added. The small steps belong to generation, to the sampler that walks back from "
        "the noise.",
        (Question("Drag t to the end. Is the picture completely gone?",
                  "Not completely, but almost. The line under “Any t in one jump” shows how much of the picture "
                  "x_t keeps, √ᾱ_t: at t = T it "
                  "is less than a hundredth on either schedule (with T = 1000), while the noise has a standard "
                  "deviation of about 1. The formula never makes the picture's share exactly 0: the picture is buried "
                  "under the noise, not erased."),
         Question("Under “One jump, or t small steps?”, press the button that takes the t single steps. The "
                  "one-jump picture and the step-by-step picture differ. Is the jump a cheat?",
                  "No. One jump (eq. 4) and t single steps with fresh noise each time (eq. 2) give different "
                  "pictures from the same distribution: both noise histograms follow the bell curve N(0, 1), and the "
                  "table shows a mean near 0 and a standard deviation near 1 for both. That is why training may make "
                  "x_t in one jump."),
         Question("The network is trained on these noisy pictures. What exactly is it asked to predict?",
                  "The noise ε that was added, given x_t and t (the last section of the page). Knowing the noise is "
                  "the same as knowing the clean picture, x₀ = (x_t − √(1 − ᾱ_t) ε) / √ᾱ_t, so its guess of the "
                  "noise is also a guess of the way back.")),
    ),
    Note(
        "direction", _title("direction"), 7,
        ("Keep “Data” at “A ring of 8 Gaussians” and press “Train the denoiser” if it is not trained yet (a few "
         "seconds).",
         "Under “The field at time t”, drag “Timestep t” from 999 down to 0, or press “Play”: orange arrows are "
         "what the network learned, white ones the exact answer. “Overlay the two fields” puts them on one picture.",
         "Point at “Where in time is the model wrong?”.",
         "Under “Particles: from noise to data”, press “Play” under the animation and compare DDPM's paths "
         "with DDIM's."),
        "Here the data are points on a flat sheet, noised with the same schedule as the pictures, so we can draw "
        "what a denoiser does. At every place and every noise level the best guess of the noise has an exact "
        "formula, drawn as white arrows, and a tiny network learns it in a few seconds, drawn in orange. Minus that "
        "guess points uphill, towards where noisy points are more common at that noise level: rescaled, this "
        "direction is called the score, and it is what the article means by knowing which direction to move. A "
        "sampler generates by following it from pure noise back to the data, DDPM with small random steps and DDIM "
        "along a smooth path that approximately solves an equation (the probability-flow ODE).",
        (Question("Set t near 999, then near 0. Where do the arrows point?",
                  "At large t almost every arrow points to the middle, towards one blurred blob: the noise has "
                  "smeared the whole ring into one cloud. As t falls the arrows turn towards each part of the data, "
                  "and near t = 0 towards the separate blobs of the ring."),
         Question("Where in time is the network most wrong, compared with the size of the right answer, and why?",
                  "At low noise, small t (with the default settings, the lowest range of t): the chart under “Where "
                  "in time is the model wrong?” names the worst range. "
                  "There the exact answer is small and changes sharply from one blob to the next, so a small miss is "
                  "a large relative error; at high noise the answer is nearly x_t itself, which is easy to learn."),
         Question("In the animation, why do the DDPM paths jitter while the DDIM paths are smooth? Do both reach the "
                  "data?",
                  "DDPM adds fresh random noise at every step, so its paths jitter and two runs end in different "
                  "places; DDIM follows the probability-flow ODE, one smooth path from each starting point. Both head "
                  "for the data; the page measures how close each ends with its distance to fresh data, beside the "
                  "yardstick of fresh samples (DDPM needs many steps to get there: see the help of “Steps of each "
                  "sampler”).")),
    ),
    Note(
        "denoiser", _title("denoiser"), 8,
        ("In the sidebar keep “Model” at “Handwritten digits (MNIST)”, “Draw” at “One image” and “Sampler” at "
         "“DPM-Solver++(2M)”.",
         "In the Generate tab pick a “Prompt (class)”, press “Generate” and watch x_t (left) and the model's guess "
         "of the clean picture, x̂₀ (right). Drag the player's “Frame” slider back and forth.",
         "Press “Random seed”, then “Generate” again.",
         "Open the tab “Samplers side by side” and press “Run all three from the same noise”.",
         "Below the result, show “The walk through image space” and “Did it just copy a training image?”."),
        "Now real pictures: a small network trained on handwritten digits (the app also has clothes and emoji). It "
        "was trained as on the forward page, shown noisy pictures at every noise level and asked for the noise. To "
        "generate, a sampler starts from pure noise and repeats one move: it asks the network for the noise in the "
        "current picture and uses the answer to make the picture less noisy, and the class you pick, the prompt, "
        "steers the network's answer towards that kind of picture. The article calls this a guided walk from a "
        "random point to a meaningful one, and the page draws a two-dimensional shadow of that walk.",
        (Question("Generate twice with the same seed and settings. Do you get the same picture? Then press “Random "
                  "seed”.",
                  "The same picture, pixel for pixel: the seed fixes the starting noise and every other random "
                  "number of the run. A new seed starts from new noise, and the walk ends at a different picture, "
                  "normally one of the class you asked for."),
         Question("Does the network itself know how to take one small step back?",
                  "No. It only predicts the noise in a noisy picture, at any noise level. The steps are the "
                  "sampler's: the same network serves DDPM's many small random steps and DDIM's or DPM-Solver++'s "
                  "few larger ones (the sidebar's “Sampler” and “Steps”)."),
         Question("In “Samplers side by side”, which two samplers land on nearly the same picture, and why?",
                  "DDIM and DPM-Solver++: from the same noise both follow the same smooth path, the ODE of the 2-D "
                  "page, so they usually end on nearly the same picture. DDPM adds fresh noise at every step, so it "
                  "ends somewhere else, usually in the same class.")),
    ),
    Note(
        "draw", _title("draw"), 5,
        ("Keep “Model” at “Handwritten digits (MNIST)”. Draw a rough 3 on the pad with a finger or the mouse and press "
         "“Send the drawing”.",
         "Set “How far back into noise (strength)” to 0.6, pick the prompt 3 and press “Run from my drawing”: watch "
         "x_t and x̂₀ go from your drawing to the result.",
         "Try strength 0.2 and 1.0 and compare how far the result moved (“How far it moved”).",
         "Switch “Start from” to “A held-out image” and “What to do” to “Fill in what I marked”; mark the bottom half "
         "of the digit, press “Send the drawing”, then “Run from my drawing”."),
        "Here the walk starts from your own picture instead of pure noise (SDEdit, Meng et al. 2022): the page buries "
        "your drawing in noise up to a chosen level, then runs the same sampler back down. A little noise keeps your "
        "drawing's shape and only tidies it; a lot of noise keeps only the rough layout, and the model redraws the "
        "rest the way the training pictures look.",
        (Question("What happens to the result as the strength goes from 0.2 to 1.0?",
                  "At low strength the result stays close to your drawing, only cleaned up; at high strength it "
                  "moves further away (the page shows the distance in grey levels), and at 1.0 the drawing is "
                  "buried completely, so the result no longer depends on it at all: it is ordinary generation."),
         Question("When the model fills in a marked region, do the pixels you did not mark change?",
                  "No, not one: at every step the unmarked part is replaced by your picture noised to that step's "
                  "level, and at the end those pixels are copied back exactly. Only the marked part is generated.")),
    ),
    Note(
        "corner", _title("corner"), 5,
        ("In the sidebar keep “Model” at “Handwritten digits (MNIST)” and “Image” at “A held-out real image”. Read "
         "“The model's bound L(x)” beside the compressor's figure and “Plain pixels”.",
         "Read the paragraph “What the model proves”.",
         "Switch “Image” to “Uniform noise” and compare.",
         "End on “What is proven, what is estimated”."),
        "How small is the corner where real pictures live? The model gives each picture a number of bits L(x), and "
        "it is proven that the model gives the picture a probability of at least 2^−L(x), so at most 2^L(x) pictures "
        "can be as plausible to it as this one. Writing out every pixel value takes 8 bits each and covers all "
        "pictures; a real digit needs far fewer, which the page turns into a fraction such as “one in 10^M of all” "
        "pictures. L(x) itself is estimated from a sample of network calls, so the page gives it with a 95% interval "
        "and states what it proves using the top of that interval.",
        (Question("Which needs fewer bits per dimension under the model: a held-out real digit or uniform noise? What "
                  "does the page say about the noise?",
                  f"The real digit, far fewer than {BITS_PER_VALUE}. Noise scores above {BITS_PER_VALUE}, and there "
                  "the page says the bound proves nothing: L(x) is only an upper bound on the bits the model needs, "
                  "so a large L(x) cannot show that the model finds the picture unlikely."),
         Question(f"Why does “Plain pixels” cost exactly {BITS_PER_VALUE} bits per dimension?",
                  f"Each pixel value is one of {GREY_LEVELS} = 2^{BITS_PER_VALUE} levels, so {BITS_PER_VALUE} bits "
                  f"name any one of them. Writing out all {DIGIT_VALUES:,} values of a 28 × 28 digit picks one of "
                  f"all {GREY_LEVELS}^{DIGIT_VALUES:,} pictures (a number with {DIGIT_DIGITS:,} digits) and uses no "
                  "knowledge of which pictures are likely: no corner at all."),
         Question("Is L(x) exact? What does the ± mean, and what would more network calls change?",
                  "No, it is an estimate: the page draws random timesteps and noise, and gives an unbiased estimate "
                  "with a 95% interval, the ±. More calls (“Network calls for the estimate”) narrow the interval, "
                  "roughly like 1/√calls: four times the calls, half the width. What is proven is the inequality "
                  "P(x) ≥ 2^−L(x); the powers of ten are then computed exactly from the top of the interval.")),
    ),
)

CLOSING = Bookend(
    "Closing", 2,
    ("Go back to the quotation on the home page.",
     "Exit question: in one sentence each, what does the network learn, and what does the sampler do? (The network "
     "predicts the noise in a noisy picture at any noise level; the sampler starts from pure noise and uses those "
     "predictions to take steps back to a picture.)"),
    "A picture is one point in a finite but astronomically large space, and noise takes any picture to the same "
    "kind of static. A network trained to predict that noise learns, at every point and every noise level, roughly "
    "which direction leads back towards real pictures, and a sampler follows it. In the article's words: “Intelligence "
    "isn't about generating pixels. It's about knowing which direction to move.”")


def note_for(page: str) -> Note | None:
    """The note of the step that shows ``page`` (its URL path; "" is home), or None."""
    return next((note for note in NOTES if note.page == page), None)


def total_minutes() -> int:
    """Opening, every step and closing: :data:`LESSON_MINUTES`."""
    return OPENING.minutes + sum(note.minutes for note in NOTES) + CLOSING.minutes


def schedule() -> list[tuple[str, int, int]]:
    """(title, start minute, end minute) of the opening, each step and the closing."""
    rows, clock = [], 0
    for title, minutes in [(OPENING.title, OPENING.minutes), *((n.title, n.minutes) for n in NOTES),
                           (CLOSING.title, CLOSING.minutes)]:
        rows.append((title, clock, clock + minutes))
        clock += minutes
    return rows


def _clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"


def _page_address(app_url: str | None, page: str) -> str:
    base = (app_url or "").rstrip("/")
    return f"{base}/{page}" if base else f"/{page}"


# ---------------------------------------------------------------- the printable plan
PLAN_TITLE = "How AI image generators work: a 45-minute lesson with Image Space"

_CSS = """
@page { size: A4; margin: 12mm 15mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.38 Georgia, "Times New Roman", serif; color: #000; background: #fff; margin: 0; }
.sheet { break-after: page; page-break-after: always; }
.sheet:last-child { break-after: auto; page-break-after: auto; }
.head { display: flex; justify-content: space-between; border-bottom: 1.5pt solid #000; font: 9.5pt/1.3 Arial,
  Helvetica, sans-serif; padding-bottom: 1.5mm; margin-bottom: 4mm; }
h1 { font: bold 20pt/1.2 Arial, Helvetica, sans-serif; margin: 0 0 4mm; }
h2 { font: bold 16pt/1.2 Arial, Helvetica, sans-serif; margin: 0 0 3mm; }
h3 { font: bold 11pt/1.3 Arial, Helvetica, sans-serif; text-transform: uppercase; letter-spacing: 0.04em;
  margin: 4mm 0 1mm; }
.time { font: bold 11pt/1.3 Arial, Helvetica, sans-serif; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0; }
th, td { border: 0.75pt solid #000; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
ol, ul { margin: 0; padding-left: 6mm; }
li { margin: 0 0 1mm; }
.say { border-left: 3pt solid #000; padding-left: 3mm; margin: 0; }
.answer { margin: 1mm 0 0; padding: 1mm 2mm; border: 0.75pt dashed #000; }
.address { font: 9.5pt/1.3 "Courier New", monospace; word-break: break-all; }
li p { margin: 0; }
@media screen {
  body { max-width: 190mm; margin: 0 auto; padding: 0 6mm; }
  .sheet { padding: 6mm 0; border-bottom: 1pt dotted #888; }
}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _list(items: tuple[str, ...], tag: str = "ol") -> str:
    return f"<{tag}>" + "".join(f"<li>{_e(item)}</li>" for item in items) + f"</{tag}>"


def _head(left: str) -> str:
    return (f'<div class="head"><span>{_e(left)}</span><span>Lesson plan · {total_minutes()} minutes in all'
            "</span></div>")


def render_plan_html(app_url: str | None = None) -> str:
    """The lesson plan as one self-contained HTML document (inline CSS, no scripts, no external assets).

    A cover page (the timetable and the opening), one printed page per step (``page-break-after``) with its time,
    what to show, what to say and the questions with their answers, and a page for the closing. ``app_url`` (the
    app's address, e.g. ``https://school.example/image-space``) adds each step's page address; without it the
    addresses are paths. Every text is escaped; the document is also well-formed XML.
    """
    times = schedule()
    rows = "".join(f'<tr><td class="num">{_clock(start)}–{_clock(end)}</td><td>{_e(title)}</td>'
                   f'<td class="num">{end - start} min</td></tr>' for title, start, end in times)
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{_e(PLAN_TITLE)}</title><style>{_CSS}</style></head><body>",
        f'<section class="sheet cover">{_head("Image Space")}<h1>{_e(PLAN_TITLE)}</h1>'
        f'<p class="time">{total_minutes()} minutes · {len(NOTES)} steps · for students of about 16</p>'
        f"<p>Based on the article “{_e(ARTICLE)}”. Each step below has its own page: what to show, what to say, "
        "and questions with their answers (the answers are for you; check them on the page as you go).</p>"
        f'<table><thead><tr><th>time</th><th>part</th><th>minutes</th></tr></thead><tbody>{rows}</tbody></table>'
        f'<h2>{_e(OPENING.title)} <span class="time">({OPENING.minutes} min)</span></h2>'
        f'<h3>Do</h3>{_list(OPENING.do)}<h3>Say</h3><p class="say">{_e(OPENING.say)}</p></section>',
    ]
    for number, (note, (_, start, end)) in enumerate(zip(NOTES, times[1:-1]), start=1):
        questions = "".join(f'<li><p>{_e(q.ask)}</p><p class="answer"><b>Answer.</b> {_e(q.answer)}</p></li>'
                            for q in note.questions)
        parts.append(
            f'<section class="sheet step" id="step-{number}">'
            f"{_head(f'Step {number} of {len(NOTES)} · {_clock(start)}–{_clock(end)}')}"
            f'<h2>{_e(note.title)} <span class="time">({note.minutes} min)</span></h2>'
            f'<p class="address">{_e(_page_address(app_url, note.page))}</p>'
            f'<h3>Show</h3>{_list(note.show)}<h3>Say</h3><p class="say">{_e(note.say)}</p>'
            f"<h3>Ask</h3><ol>{questions}</ol></section>")
    parts.append(
        f'<section class="sheet closing">{_head(f"{_clock(times[-1][1])}–{_clock(times[-1][2])}")}'
        f'<h2>{_e(CLOSING.title)} <span class="time">({CLOSING.minutes} min)</span></h2>'
        f'<h3>Do</h3>{_list(CLOSING.do)}<h3>Say</h3><p class="say">{_e(CLOSING.say)}</p></section>')
    parts.append("</body></html>\n")
    return "".join(parts)


def render_plan_markdown(app_url: str | None = None) -> str:
    """The same lesson plan as Markdown (one ``##`` section per step), for a notes app or a printout."""
    times = schedule()
    lines = [f"# {PLAN_TITLE}", "", f"**{total_minutes()} minutes**, {len(NOTES)} steps, for students of about 16. "
             f"Based on the article “{ARTICLE}”.", "", "| time | part | minutes |", "|---|---|---|"]
    lines += [f"| {_clock(start)}–{_clock(end)} | {title} | {end - start} |" for title, start, end in times]

    def bookend(part: Bookend) -> list[str]:
        return ["", f"## {part.title} ({part.minutes} min)", "", "**Do**", "",
                *(f"{i}. {item}" for i, item in enumerate(part.do, 1)), "", f"**Say.** {part.say}"]

    lines += bookend(OPENING)
    for number, (note, (_, start, end)) in enumerate(zip(NOTES, times[1:-1]), start=1):
        lines += ["", f"## Step {number}: {note.title} ({note.minutes} min, {_clock(start)}–{_clock(end)})", "",
                  f"Page: `{_page_address(app_url, note.page)}`", "", "**Show**", "",
                  *(f"{i}. {item}" for i, item in enumerate(note.show, 1)), "", f"**Say.** {note.say}", "", "**Ask**",
                  ""]
        for i, q in enumerate(note.questions, 1):
            lines += [f"{i}. {q.ask}", f"   *Answer.* {q.answer}"]
    lines += bookend(CLOSING)
    return "\n".join(lines) + "\n"
