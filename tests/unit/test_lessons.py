"""Lesson links are read as strictly as any link: unknown controls, bad tasks and edited links fall back, saying why."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.access.lessons import MAX_TASK, Lesson, checksum, clean_task, lesson_link_query, read_lesson

CONTROLS = ("t", "T", "seed", "schedule")
SETTINGS = {"img": "photo:Astronaut", "t": "250", "T": "1000"}


def _link(lesson: Lesson) -> dict[str, str]:
    return lesson_link_query(SETTINGS, lesson)


def test_a_lesson_survives_its_own_link():
    lesson = Lesson(hidden=frozenset({"seed"}), locked=frozenset({"t", "schedule"}), task="Find the t where it goes.")
    read, problems = read_lesson(_link(lesson), CONTROLS)
    assert (read, problems) == (lesson, [])
    assert read.is_locked("seed") and read.is_hidden("seed") and read.is_locked("t") and not read.is_locked("T")


def test_no_lesson_parameters_no_lesson_no_check():
    assert lesson_link_query(SETTINGS, Lesson()) == SETTINGS
    assert read_lesson(SETTINGS, CONTROLS) == (Lesson(), [])


def test_an_edited_link_loses_its_lesson_with_a_message():
    query = _link(Lesson(locked=frozenset({"t"}), task="Look."))
    for edited in ({**query, "t": "900"}, {**query, "lock": ""}, {k: v for k, v in query.items() if k != "check"},
                   {**query, "task": "Look"}, {**query, "check": "zz"}):
        lesson, problems = read_lesson(edited, CONTROLS)
        assert lesson == Lesson() and len(problems) == 1 and "check does not match" in problems[0]


def _signed(query: dict[str, str]) -> dict[str, str]:
    return {**query, "check": checksum(query)}


def test_unknown_controls_are_dropped_one_by_one():
    lesson, problems = read_lesson(_signed({**SETTINGS, "hide": "seed,nope", "lock": "t,<b>"}), CONTROLS)
    assert lesson.hidden == {"seed"} and lesson.locked == {"t"}
    assert len(problems) == 2 and "hide=nope" in problems[0] and "lock=<b>" in problems[1]


def test_bad_tasks_are_dropped():
    for task in ("x" * (MAX_TASK + 1), "ring the \x07 bell", "right-to-left \u202e override"):
        lesson, problems = read_lesson(_signed({**SETTINGS, "task": task, "lock": "t"}), CONTROLS)
        assert lesson == Lesson(locked=frozenset({"t"})) and len(problems) == 1 and "task=" in problems[0]
        assert len(problems[0]) < 200  # the value is quoted cut short


def test_markdown_in_a_task_is_kept_as_written():
    """The page shows it with st.text: nothing here strips or interprets it."""
    task = "**Bold** [link](https://e.vil) <script>alert(1)</script>\nsecond line"
    assert read_lesson(_signed({"task": task}), CONTROLS)[0].task == task


def test_hidden_wins_over_locked():
    lesson, _ = read_lesson(_signed({"hide": "t", "lock": "t,T"}), CONTROLS)
    assert lesson.hidden == {"t"} and lesson.locked == {"T"}


@given(st.dictionaries(st.sampled_from(["hide", "lock", "task", "check", "t"]), st.text(max_size=60)))
def test_any_query_gives_a_lesson_of_known_controls_and_never_raises(query):
    lesson, problems = read_lesson(query, CONTROLS)
    assert lesson.hidden <= set(CONTROLS) and lesson.locked <= set(CONTROLS)
    assert lesson.task == "" or clean_task(lesson.task) == lesson.task
    assert all(isinstance(p, str) for p in problems)
