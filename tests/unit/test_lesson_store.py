"""The lesson store: round trips, answers only for the teacher until revealed, wrong keys and strangers' ids refused
with a message, size limits, two processes at once, and lessons that survive a restart."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion_core.access import lesson_store as ls
from diffusion_core.access.lesson_store import (
    ALPHABET,
    ID_LENGTH,
    LessonInputError,
    LessonStore,
    StoreUnavailable,
    check_lesson,
    link_query,
    read_link_query,
)
from diffusion_core.access.lessons import Lesson

SETTINGS = {"img": "photo:Astronaut", "schedule": "cosine", "T": "1000", "t": "250"}
LESSON = Lesson(hidden=frozenset({"seed"}), locked=frozenset({"t"}), task="Move t until the face is gone.")
QUESTIONS = [("At which t is the face gone?", "About t = 600 on the cosine schedule: SECRET-ONE."),
             ("Is the picture erased at t = T?", "No, buried under noise: SECRET-TWO.")]


@pytest.fixture
def store(tmp_path: Path) -> LessonStore:
    return LessonStore(tmp_path / "lessons.sqlite3")


def _make(store: LessonStore, questions=QUESTIONS) -> tuple[str, str]:
    return store.create("forward", SETTINGS, LESSON, questions)


def test_a_lesson_round_trips(store):
    short_id, key = _make(store)
    assert len(short_id) == ID_LENGTH and set(short_id) <= set(ALPHABET)
    assert not set(short_id) & set("0O1lI")
    assert len(key) == 32
    seen, message = store.load(short_id)
    assert message == ""
    assert (seen.short_id, seen.page, dict(seen.settings), seen.lesson) == (short_id, "forward", SETTINGS, LESSON)
    assert [q.text for q in seen.questions] == [q for q, _ in QUESTIONS]
    teacher, message = store.load_for_teacher(short_id, key)
    assert message == "" and [(q.text, q.answer, q.revealed) for q in teacher.questions] == [
        (q, a, False) for q, a in QUESTIONS]
    assert teacher.lesson == LESSON and dict(teacher.settings) == SETTINGS


def test_answers_are_never_in_what_students_get(store):
    short_id, key = _make(store)
    seen, _ = store.load(short_id)
    assert all(q.answer is None and not q.revealed for q in seen.questions)
    assert "SECRET" not in repr(seen)
    assert link_query(short_id) == {"lesson": short_id}  # the student link carries the id, nothing else
    assert key not in repr(seen) and "SECRET" not in repr(link_query(short_id))


def test_reveal_and_hide_one_answer(store):
    short_id, key = _make(store)
    assert store.reveal(short_id, key, 1) is None
    seen, _ = store.load(short_id)
    assert [q.answer for q in seen.questions] == [None, QUESTIONS[1][1]] and seen.questions[1].revealed
    assert "SECRET-ONE" not in repr(seen) and seen.revision == 1
    assert store.reveal(short_id, key, 1) is None  # again: nothing changes, the revision stays
    assert store.load(short_id)[0].revision == 1
    assert store.hide_answer(short_id, key, 1) is None
    seen, _ = store.load(short_id)
    assert all(q.answer is None for q in seen.questions) and seen.revision == 2
    assert store.load_for_teacher(short_id, key)[0].questions[1].answer == QUESTIONS[1][1]


def test_revision_is_one_small_read_that_follows_reveals(store, tmp_path):
    """What a student's page polls: the number grows with each reveal or hide, and never raises on a stranger's id."""
    short_id, key = _make(store)
    assert store.revision(short_id) == 0
    store.reveal(short_id, key, 0)
    assert store.revision(short_id) == 1 == store.load(short_id)[0].revision
    store.reveal(short_id, key, 0)  # already revealed: nothing changes
    store.hide_answer(short_id, key, 0)
    assert store.revision(short_id.upper()) == 2
    for stranger in ("abcdefg", "", "0000000", "x" * 10_000, None, 7):
        assert store.revision(stranger) is None
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert LessonStore(blocker / "lessons.sqlite3").revision(short_id) is None


def test_a_wrong_key_is_refused(store):
    short_id, key = _make(store)
    other_id, other_key = _make(store)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (wrong, other_key, "", "x" * 32, key + "x", None, 12345):
        lesson, message = store.load_for_teacher(short_id, bad)
        assert lesson is None and message
        assert store.reveal(short_id, bad, 0) and store.hide_answer(short_id, bad, 0) and store.delete(short_id, bad)
    assert all(q.answer is None for q in store.load(short_id)[0].questions)  # nothing was revealed
    assert store.load(short_id)[0] is not None  # nor deleted


def test_a_question_that_is_not_there(store):
    short_id, key = _make(store)
    for index in (-1, 2, 10**9, True, "0", 0.0, None):
        message = store.reveal(short_id, key, index)
        assert message and "no question" in message


@pytest.mark.parametrize("text", ["", "abc", "0000000", "OOOOOOO", "1111111", "lllllll", "abcdefgh", "abc def",
                                  "a" * 10_000, "ab\x00cdef", "ábcdefg", "../etc/", "abcdef'", "abc%def"])
def test_malformed_ids_give_a_message(store, text):
    _make(store)
    lesson, message = store.load(text)
    assert lesson is None and "not a lesson code" in message
    assert store.load_for_teacher(text, "k" * 32)[0] is None


def test_an_unknown_id_gives_a_message(store):
    lesson, message = store.load("abcdefg")
    assert lesson is None and "no lesson “abcdefg”" in message


def test_an_id_read_off_a_projector(store):
    short_id, _ = _make(store)
    shouted = short_id.upper()
    spaced = f" {short_id[:3]}-{short_id[3:]} "
    assert store.load(shouted)[0].short_id == short_id and store.load(spaced)[0].short_id == short_id


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_no_text_in_a_link_makes_the_store_raise(tmp_path_factory, text):
    store = LessonStore(tmp_path_factory.getbasetemp() / "fuzz.sqlite3")
    lesson, message = store.load(text)
    assert lesson is None and message
    short_id, key, problems = read_link_query({"lesson": text, "teacher": text})
    assert (short_id is None) == bool(problems) or key is None


def test_link_parameters_round_trip():
    assert read_link_query({}) == (None, None, [])
    assert read_link_query(link_query("abcdefg")) == ("abcdefg", None, [])
    key = "A" * 16 + "b-_9" * 4
    assert read_link_query(link_query("abcdefg", key)) == ("abcdefg", key, [])
    short_id, teacher, problems = read_link_query({"lesson": "abcdefg", "teacher": "short"})
    assert (short_id, teacher) == ("abcdefg", None) and "student view" in problems[0]
    assert read_link_query({"lesson": "0O1l"})[0] is None


def test_limits_of_what_a_teacher_may_store(store):
    ok = [("q" * ls.MAX_QUESTION, "a" * ls.MAX_QUESTION)] * ls.MAX_QUESTIONS
    long_task = Lesson(task="t" * ls.MAX_TASK)
    assert check_lesson("forward", SETTINGS, long_task, ok) == []
    short_id, key = store.create("forward", SETTINGS, long_task, ok)
    assert len(store.load(short_id)[0].questions) == ls.MAX_QUESTIONS
    assert ls.MAX_TASK >= 2_000
    cases = {
        "task": ("forward", SETTINGS, Lesson(task="t" * (ls.MAX_TASK + 1)), []),
        "questions": ("forward", SETTINGS, Lesson(), ok + ok[:1]),
        "question": ("forward", SETTINGS, Lesson(), [("q" * (ls.MAX_QUESTION + 1), "a")]),
        "answer": ("forward", SETTINGS, Lesson(), [("q", "a" * (ls.MAX_QUESTION + 1))]),
        "empty": ("forward", SETTINGS, Lesson(), [("  ", "a")]),
        "no answer": ("forward", SETTINGS, Lesson(), [("q", "")]),
        "control": ("forward", SETTINGS, Lesson(task="look\x07"), []),
        "invisible": ("forward", SETTINGS, Lesson(), [("q\u200b", "a")]),
        "page": ("../etc", SETTINGS, Lesson(), []),
        "reserved": ("forward", {**SETTINGS, "teacher": "x"}, Lesson(), []),
        "huge": ("forward", {f"k{i}": "v" * 200 for i in range(50)}, Lesson(), []),
        "names": ("forward", SETTINGS, Lesson(hidden=frozenset({"a b"})), []),
        "pairs": ("forward", SETTINGS, Lesson(), [("only a question",)]),
    }
    for name, args in cases.items():
        problems = check_lesson(*args)
        assert len(problems) == 1 and problems[0].endswith((".", "them.")), (name, problems)
        with pytest.raises(LessonInputError) as caught:
            store.create(*args)
        assert caught.value.problems == tuple(problems)
    assert check_lesson("", {}, Lesson(task="Line one.\nLine two."), []) == []  # home, line breaks


def test_lessons_survive_a_restart(tmp_path):
    path = tmp_path / "kept.sqlite3"
    short_id, key = LessonStore(path).create("corner", {"model": "digits"}, Lesson(task="Measure."), QUESTIONS)
    assert LessonStore(path).reveal(short_id, key, 0) is None
    later = LessonStore(path)  # a new process would open the file the same way
    seen, _ = later.load(short_id)
    assert seen.page == "corner" and seen.questions[0].answer == QUESTIONS[0][1] and seen.questions[1].answer is None
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_taken_id_is_drawn_again(store, monkeypatch):
    ids = iter(["aaaaaaa", "aaaaaaa", "bbbbbbb"])
    monkeypatch.setattr(ls, "new_id", lambda: next(ids))
    assert _make(store)[0] == "aaaaaaa" and _make(store)[0] == "bbbbbbb"


def test_a_full_store_says_so(store, monkeypatch):
    monkeypatch.setattr(ls, "MAX_LESSONS", 1)
    _make(store)
    with pytest.raises(StoreUnavailable, match="full"):
        _make(store)


def test_delete(store):
    short_id, key = _make(store)
    assert store.delete(short_id, key) is None
    assert store.load(short_id)[0] is None


def test_where_the_store_cannot_live_students_get_a_message_and_teachers_an_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = LessonStore(blocker / "lessons.sqlite3")
    assert store.available()
    with pytest.raises(StoreUnavailable):
        _make(store)
    lesson, message = store.load("abcdefg")
    assert lesson is None and "long lesson link" in message


def test_a_damaged_file_gives_a_message(tmp_path):
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = LessonStore(path)
    assert store.load("abcdefg")[0] is None and store.available()
    with pytest.raises(StoreUnavailable):
        _make(store)


def test_the_store_path_comes_from_the_environment(tmp_path):
    assert ls.store_path({}) == Path("~/.cache/image-space/lessons.sqlite3").expanduser()
    assert ls.store_path({"IMAGE_SPACE_LESSON_DB": str(tmp_path / "x.db")}) == tmp_path / "x.db"
    for off in ("", "off", "OFF", " none "):
        assert ls.store_path({"IMAGE_SPACE_LESSON_DB": off}) is None
        assert LessonStore.from_env({"IMAGE_SPACE_LESSON_DB": off}) is None
    assert LessonStore.from_env({"IMAGE_SPACE_LESSON_DB": str(tmp_path / "y.db")}).path == tmp_path / "y.db"
    assert not str(ls.DEFAULT_PATH.expanduser()).startswith(str(Path(__file__).resolve().parents[2]))  # not in the repo


def test_a_lesson_keeps_only_the_controls_a_page_has(store):
    short_id, _ = store.create("forward", SETTINGS, Lesson(hidden=frozenset({"seed", "old"}),
                                                           locked=frozenset({"t"}), task="x"))
    lesson, problems = store.load(short_id)[0].lesson_on_page(["seed", "t", "T"])
    assert lesson == Lesson(hidden=frozenset({"seed"}), locked=frozenset({"t"}), task="x")
    assert len(problems) == 1 and "old" in problems[0]


# ---------------------------------------------------------------- two replicas at once
ROUNDS = 40


def _replica(path: str, shared: tuple[str, str], which: int, start, out) -> None:
    """One server process: waits for the other, then creates lessons and flips its own answers of a shared lesson."""
    store = LessonStore(path)
    start.wait()
    made = []
    for i in range(ROUNDS):
        made.append(store.create("forward", {"t": str(i), "replica": str(which)}, Lesson(task=f"r{which} {i}"),
                                 [(f"q{which}{i}", f"a{which}{i}")]))
        flip = store.reveal if i % 2 == 0 else store.hide_answer
        assert flip(shared[0], shared[1], which) is None
    assert store.reveal(shared[0], shared[1], which) is None
    out.put((which, made))


def test_two_processes_create_and_reveal_at_once(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    shared = LessonStore(path).create("denoiser", {}, Lesson(), [("one?", "1"), ("two?", "2"), ("three?", "3")])
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_replica, args=(path, shared, which, start, out)) for which in (0, 1)]
    for worker in workers:
        worker.start()
    made = [batch for _, batch in sorted(out.get(timeout=120) for _ in workers)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    store = LessonStore(path)
    ids = [short_id for batch in made for short_id, _ in batch]
    assert len(ids) == len(set(ids)) == 2 * ROUNDS
    for which, batch in enumerate(made):
        for i, (short_id, key) in enumerate(batch):
            teacher, _ = store.load_for_teacher(short_id, key)
            assert dict(teacher.settings) == {"t": str(i), "replica": str(which)}
            assert teacher.questions[0].answer == f"a{which}{i}"
    final, _ = store.load(shared[0])
    assert [q.revealed for q in final.questions] == [True, True, False]
    assert final.revision == 2 * (ROUNDS + 1)  # every flip counted once: revealed, hidden, …, hidden, revealed


def test_the_deployment_gives_every_replica_the_same_lesson_store():
    """deploy/: the store's path in the environment lies on a volume mounted in every pod (a claim of its own, the pods
    kept on one node for SQLite's WAL), the app user may write it, and the container image names the same path."""
    import re

    import yaml  # PyYAML: in the dev requirements through diffusers (huggingface_hub)

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    docs = [d for d in yaml.safe_load_all((deploy / "k8s" / "deployment.yaml").read_text()) if d]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (app,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in app["env"]}
    path = Path(env[ls.ENV_PATH])
    mounts = {m["name"]: Path(m["mountPath"]) for m in app["volumeMounts"]}
    (volume,) = [name for name, at in mounts.items() if at in path.parents]
    claim = next(v for v in pod["volumes"] if v["name"] == volume)["persistentVolumeClaim"]["claimName"]
    assert any(d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == claim for d in docs)
    (term,) = pod["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert term["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    container = (deploy / "Containerfile").read_text()
    uid = re.search(r"useradd .*--uid (\d+) app", container).group(1)
    assert pod["securityContext"]["fsGroup"] == int(uid)
    assert f"{ls.ENV_PATH}={path}" in container and f"-o app -g app {path.parent}" in container
