"""Lessons kept on the server: short links, and questions whose answers stay hidden until the teacher reveals them.

A stored lesson is a page (its URL path; "" is home), that page's settings (its own link parameters), the lesson's
hidden and locked controls and its task (a :class:`~diffusion_core.access.lessons.Lesson`), and up to
:data:`MAX_QUESTIONS` questions with their answers. :meth:`LessonStore.create` returns a short id (7 characters from
:data:`ALPHABET`, no 0/O/1/l/I) and a secret teacher key. Students open ``?lesson=<id>`` and see the questions, and
an answer only once it is revealed; the teacher opens ``?lesson=<id>&teacher=<key>``, sees everything, and reveals or
hides each answer (:func:`link_query` writes both links' parameters, :func:`read_link_query` reads them back).

**Why a store, not a longer link.** Answers that stay hidden, and a reveal that reaches 30 phones during the lesson,
need state that lives outside the students' browsers: anything encoded in the link a student opens (however compact
or scrambled) is in the student's hands, answers included. A server-side store also makes the link short enough to
read off a projector or scan as a small QR code (``?lesson=k7mq2xa``, against ~700 characters for a lesson link).

**Storage.** One SQLite file (stdlib :mod:`sqlite3`), path from the environment variable ``IMAGE_SPACE_LESSON_DB``
(default ``~/.cache/image-space/lessons.sqlite3``; ``off`` or an empty value turns the store off), in WAL mode with a
busy timeout, every write one short transaction: several server processes may read and write it at once, and a
restart keeps every lesson. Teacher keys are kept only as SHA-256 digests and compared in constant time.

**What a deployment must do.** Every replica must open *the same file*: a short id made on one replica is looked up
on whichever replica the proxy sends a student to. Replicas on one machine (``deploy/nginx.conf``) simply point
``IMAGE_SPACE_LESSON_DB`` at one path on a local disk. WAL mode keeps its index in shared memory, so all processes
must run on one host: in Kubernetes, mount one volume in every pod and keep the pods on one node (a
``ReadWriteOnce`` volume can be mounted by several pods of the same node; pod affinity keeps them together), or run a
single replica. A ``ReadWriteMany`` network volume (NFS and the like) shared by pods on *different* nodes is **not**
safe for SQLite (SQLite's own documentation: WAL does not work over a network file system, and file locking there is
often unreliable); replicas spread over nodes need a database server instead. Where a replica cannot open or write
the file, nothing crashes: :meth:`LessonStore.load` gives the student a clear message instead of the lesson, and
:meth:`LessonStore.create` raises :class:`StoreUnavailable`, so the page can fall back to the long lesson link of
:func:`diffusion_core.access.lessons.lesson_link_query`, which needs no store and always works (settings, hidden and
locked controls, a task of up to :data:`diffusion_core.access.lessons.MAX_TASK` characters; no questions, since their
answers would be in the link).

Like every reader of what a stranger typed into a URL, :meth:`~LessonStore.load`, :meth:`~LessonStore.load_for_teacher`,
:meth:`~LessonStore.reveal` and :meth:`~LessonStore.hide_answer` never raise on a malformed or unknown id or key: they
return the message to show. What the teacher writes is checked by :func:`check_lesson` (one message per problem) before
:meth:`~LessonStore.create` stores it; :meth:`~LessonStore.create` raises :class:`LessonInputError` with those messages.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from diffusion_core.access.lessons import LESSON_PARAMS, Lesson

ENV_PATH = "IMAGE_SPACE_LESSON_DB"
DEFAULT_PATH = Path("~/.cache/image-space/lessons.sqlite3")
OFF = ("", "off", "none", "0")  # values of ENV_PATH that turn the store off
LINK_PARAMS = ("lesson", "teacher")  # the short link's own parameters
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"  # 32 symbols, lower case only: no 0 or o, no 1 or l
ID_LENGTH = 7  # 32^7 = 34 billion ids
KEY_BYTES = 24  # the teacher key: 24 random bytes, 32 URL-safe characters
MAX_TASK = 2_000  # characters of a stored task (a long link keeps lessons.MAX_TASK)
MAX_QUESTIONS = 10
MAX_QUESTION = 500  # characters of one question, and of one answer
MAX_SETTINGS = 8_000  # characters of the page's settings, all keys and values together
MAX_SETTING_KEYS = 64
MAX_NAMES = 64  # hidden or locked control names
MAX_LESSONS = 20_000  # the store refuses new lessons beyond this many (a full disk helps nobody)
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another process's write to finish
QUOTE = 40  # a rejected value is quoted cut to this many characters

_ID_RE = re.compile(f"[{ALPHABET}]{{{ID_LENGTH}}}")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{32}")
_PAGE_RE = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?")  # a page's URL path: "" (home) or e.g. "image-space"
_NAME_RE = re.compile(r"[A-Za-z0-9_]{1,40}")  # a control's name
_KEY_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")  # a settings parameter's name
_RESERVED = frozenset(LESSON_PARAMS) | frozenset(LINK_PARAMS) | {"present", "step"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lessons (
    id TEXT PRIMARY KEY,
    key_digest TEXT NOT NULL,
    page TEXT NOT NULL,
    settings TEXT NOT NULL,
    hidden TEXT NOT NULL,
    locked TEXT NOT NULL,
    task TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    lesson TEXT NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    revealed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (lesson, position)
);
"""


class LessonStoreError(Exception):
    """Base of the store's errors; ``str(err)`` is a message fit for the teacher."""


class StoreUnavailable(LessonStoreError):
    """The store is turned off, or its file cannot be opened or written on this server."""


class LessonInputError(LessonStoreError, ValueError):
    """What the teacher wrote cannot be stored; ``problems`` has one message per problem."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(" ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class StudentQuestion:
    """A question as a student sees it: the answer is None until the teacher reveals it."""

    text: str
    revealed: bool
    answer: str | None


@dataclass(frozen=True)
class TeacherQuestion:
    """A question as its teacher sees it: always with its answer, and whether students see the answer yet."""

    text: str
    answer: str
    revealed: bool


@dataclass(frozen=True)
class StoredLesson:
    """A lesson as loaded: ``questions`` hold :class:`StudentQuestion` s (student view, :meth:`LessonStore.load`)
    or :class:`TeacherQuestion` s (:meth:`LessonStore.load_for_teacher`). ``revision`` grows by one with every
    reveal or hide, so a page polling for reveals redraws only when it changed."""

    short_id: str
    page: str
    settings: dict[str, str]  # the page's own link parameters (a copy: changing it changes nothing stored)
    lesson: Lesson
    questions: tuple[StudentQuestion, ...] | tuple[TeacherQuestion, ...]
    revision: int

    def lesson_on_page(self, controls: Iterable[str]) -> tuple[Lesson, list[str]]:
        """The lesson limited to the controls this page has (a renamed control is dropped with a message)."""
        names = set(controls)
        unknown = sorted((self.lesson.hidden | self.lesson.locked) - names)
        problems = ([f"This lesson names controls this page no longer has ({_quote(', '.join(unknown))}): they are "
                     "left as they are."] if unknown else [])
        return Lesson(self.lesson.hidden & names, self.lesson.locked & names, self.lesson.task), problems


def link_query(short_id: str, teacher_key: str | None = None) -> dict[str, str]:
    """A stored lesson's link parameters: ``{"lesson": id}`` for students, plus ``"teacher": key`` for the teacher.

    The student link carries nothing but the id: the questions come from the store, the answers only once revealed.
    """
    return {"lesson": short_id} if teacher_key is None else {"lesson": short_id, "teacher": teacher_key}


def read_link_query(query: Mapping[str, str]) -> tuple[str | None, str | None, list[str]]:
    """(short id, teacher key, messages) from a link's parameters; never raises. No ``lesson``: (None, None, []).

    The id is read case-insensitively, with spaces and dashes dropped (``K7M-Q2XA`` as read off a projector).
    """
    if "lesson" not in query:
        return None, None, []
    short_id, problem = normalise_id(query["lesson"])
    if short_id is None:
        return None, None, [problem]
    key = query.get("teacher")
    if key is None:
        return short_id, None, []
    if not _KEY_RE.fullmatch(key):
        return short_id, None, [f"Ignored teacher={_quote(key)} in the link: a teacher key is 32 letters, digits, "
                                "- or _. Showing the student view."]
    return short_id, key, []


def normalise_id(text: str) -> tuple[str | None, str]:
    """``text`` as a short id (lower case, without spaces or dashes), or (None, a message saying why not)."""
    if not isinstance(text, str):
        return None, "A lesson code must be text."
    cleaned = re.sub(r"[\s-]", "", text[:100]).lower()
    if _ID_RE.fullmatch(cleaned):
        return cleaned, ""
    return None, (f"“{_quote(text)}” is not a lesson code: a code is {ID_LENGTH} characters, the digits 2–9 and the "
                  "letters a–z without l and o. Check the link, or ask your teacher for it again.")


def new_id() -> str:
    """A random short id (the store checks it is not taken)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _quote(value: str) -> str:
    return value if len(value) <= QUOTE else value[:QUOTE] + "…"


def _plain(text: object, what: str, limit: int, problems: list[str], required: bool = True) -> str:
    """``text`` stripped, if it is plain text (line breaks allowed) of at most ``limit`` characters; else ""."""
    if not isinstance(text, str):
        problems.append(f"{what} must be text.")
        return ""
    text = text.strip()
    if required and not text:
        problems.append(f"{what} is empty.")
    elif len(text) > limit:
        problems.append(f"{what} has {len(text):,} characters; at most {limit:,} fit.")
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\n\t" for ch in text):
        problems.append(f"{what} holds control or invisible characters; remove them.")
    else:
        return text
    return ""


def check_lesson(page: str, settings: Mapping[str, str], lesson: Lesson,
                 questions: Sequence[tuple[str, str]]) -> list[str]:
    """One message per problem with a lesson the teacher wants to store (an empty list: it can be stored)."""
    problems: list[str] = []
    if not (isinstance(page, str) and len(page) <= 40 and _PAGE_RE.fullmatch(page)):
        problems.append(f"“{_quote(str(page))}” is not a page of this app.")
    if not isinstance(settings, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in settings.items()):
        problems.append("The page's settings must map text to text.")
    else:
        if len(settings) > MAX_SETTING_KEYS:
            problems.append(f"The page has {len(settings)} settings; at most {MAX_SETTING_KEYS} fit.")
        if sum(len(k) + len(v) for k, v in settings.items()) > MAX_SETTINGS:
            problems.append(f"The page's settings are longer than {MAX_SETTINGS:,} characters.")
        bad = sorted(k for k in settings if not _KEY_NAME_RE.fullmatch(k) or k in _RESERVED)
        if bad:
            problems.append(f"These are not settings of a page: {_quote(', '.join(bad))}.")
    for what, names in (("hidden", lesson.hidden), ("locked", lesson.locked)):
        if len(names) > MAX_NAMES or not all(isinstance(n, str) and _NAME_RE.fullmatch(n) for n in names):
            problems.append(f"The {what} controls must be at most {MAX_NAMES} names of letters, digits and _.")
    _plain(lesson.task, "The task", MAX_TASK, problems, required=False)
    if not isinstance(questions, Sequence) or isinstance(questions, str):
        problems.append("The questions must be a list of (question, answer) pairs.")
        return problems
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"There are {len(questions)} questions; at most {MAX_QUESTIONS} fit.")
    for i, pair in enumerate(questions[:MAX_QUESTIONS], start=1):
        if not (isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2):
            problems.append(f"Question {i} must be a (question, answer) pair.")
            continue
        _plain(pair[0], f"Question {i}", MAX_QUESTION, problems)
        _plain(pair[1], f"The answer to question {i}", MAX_QUESTION, problems)
    return problems


def store_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where the store lives: ``IMAGE_SPACE_LESSON_DB`` (``~`` expanded), the default without it, None when off."""
    value = (os.environ if environ is None else environ).get(ENV_PATH)
    if value is None:
        return DEFAULT_PATH.expanduser()
    if value.strip().lower() in OFF:
        return None
    return Path(value).expanduser()


class LessonStore:
    """The lessons of one SQLite file, shared by every process that opens the same path.

    Opening the store touches no file; the first call creates the folder, the file and its tables. Every call opens
    its own short-lived connection, so one store object may serve many threads (Streamlit's sessions).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._ready = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LessonStore | None:
        """The store at :func:`store_path`, or None when ``IMAGE_SPACE_LESSON_DB`` turns it off."""
        path = store_path(environ)
        return None if path is None else cls(path)

    # ------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise StoreUnavailable(f"The lesson store ({self.path}) cannot be opened on this server: {e}.") from e
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise sqlite3.OperationalError(f"the file system refused WAL mode (got {mode})")
                conn.executescript(_SCHEMA)
                self._ready = True
        except sqlite3.Error as e:
            conn.close()
            raise StoreUnavailable(f"The lesson store ({self.path}) cannot be used on this server: {e}.") from e
        return conn

    def available(self) -> str | None:
        """None when the store can be read and written here, else the message to show the teacher."""
        try:
            conn = self._connect()
        except StoreUnavailable as e:
            return str(e)
        try:
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock: a read-only file or folder fails here
            conn.execute("ROLLBACK")
        except sqlite3.Error as e:
            return f"The lesson store ({self.path}) cannot be written on this server: {e}."
        finally:
            conn.close()
        return None

    def _write(self, work):
        """Run ``work(conn)`` in one IMMEDIATE transaction; storage errors become :class:`StoreUnavailable`."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result
        except sqlite3.Error as e:
            self._ready = False  # the file may have been replaced: set it up again on the next call
            raise StoreUnavailable(f"The lesson store ({self.path}) could not save the change: {e}.") from e
        finally:
            conn.close()

    # ------------------------------------------------------------ the teacher's side
    def create(self, page: str, settings: Mapping[str, str], lesson: Lesson,
               questions: Sequence[tuple[str, str]] = ()) -> tuple[str, str]:
        """Store a lesson; returns (short id, teacher key). The key is shown once and never stored in the clear.

        Raises :class:`LessonInputError` (with :func:`check_lesson`'s messages) or :class:`StoreUnavailable`.
        """
        problems = check_lesson(page, settings, lesson, questions)
        if problems:
            raise LessonInputError(problems)
        key = secrets.token_urlsafe(KEY_BYTES)
        row = (_digest(key), page, json.dumps(dict(sorted(settings.items())), ensure_ascii=False),
               json.dumps(sorted(lesson.hidden)), json.dumps(sorted(lesson.locked - lesson.hidden)),
               lesson.task.strip(), time.time())
        cleaned = [(q.strip(), a.strip()) for q, a in questions]

        def insert(conn: sqlite3.Connection) -> str:
            if conn.execute("SELECT COUNT(*) FROM lessons").fetchone()[0] >= MAX_LESSONS:
                raise StoreUnavailable(f"The lesson store is full ({MAX_LESSONS:,} lessons); ask whoever runs the "
                                       "server to make room. The long lesson link still works.")
            for _ in range(20):  # a taken id is tried again; 20 misses in a row would mean a broken random source
                short_id = new_id()
                try:
                    conn.execute("INSERT INTO lessons (id, key_digest, page, settings, hidden, locked, task, created) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (short_id, *row))
                except sqlite3.IntegrityError:
                    continue
                conn.executemany("INSERT INTO questions (lesson, position, question, answer) VALUES (?, ?, ?, ?)",
                                 [(short_id, i, q, a) for i, (q, a) in enumerate(cleaned)])
                return short_id
            raise StoreUnavailable("Could not find a free lesson code; try again.")

        return self._write(insert), key

    def load_for_teacher(self, short_id: str, key: str) -> tuple[StoredLesson | None, str]:
        """(the whole lesson with every answer, "") for the right key, else (None, the message to show)."""
        if not isinstance(key, str):
            return None, "This teacher link has no key: open the teacher link you were given."
        return self._load(short_id, key)

    def reveal(self, short_id: str, key: str, index: int) -> str | None:
        """Show question ``index``'s (0-based) answer to the students; None when done, else the message to show."""
        return self._set_revealed(short_id, key, index, True)

    def hide_answer(self, short_id: str, key: str, index: int) -> str | None:
        """Hide question ``index``'s answer from the students again; None when done, else the message to show."""
        return self._set_revealed(short_id, key, index, False)

    def delete(self, short_id: str, key: str) -> str | None:
        """Remove the lesson for good; None when done, else the message to show."""
        found, message = self._check_key(short_id, key)
        if found is None:
            return message

        def remove(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM questions WHERE lesson = ?", (found,))
            conn.execute("DELETE FROM lessons WHERE id = ?", (found,))

        return self._guarded(remove)

    # ------------------------------------------------------------ the students' side
    def load(self, short_id: str) -> tuple[StoredLesson | None, str]:
        """(the lesson as students see it, "") or (None, the message to show); never raises.

        Questions come without their answers, except those the teacher has revealed.
        """
        return self._load(short_id, None)

    def revision(self, short_id: str) -> int | None:
        """The lesson's revision (it grows with every reveal or hide), or None for an unknown id or an unreachable
        store; never raises. One small read: what a page polling for reveals asks every few seconds, loading the
        whole lesson only when the number changed."""
        found, _ = normalise_id(short_id)
        if found is None:
            return None
        try:
            conn = self._connect()
        except StoreUnavailable:
            return None
        try:
            row = conn.execute("SELECT revision FROM lessons WHERE id = ?", (found,)).fetchone()
        except sqlite3.Error:
            self._ready = False
            return None
        finally:
            conn.close()
        return None if row is None else int(row[0])

    # ------------------------------------------------------------ inside
    def _load(self, text: str, key: str | None) -> tuple[StoredLesson | None, str]:
        short_id, message = normalise_id(text)
        if short_id is None:
            return None, message
        try:
            conn = self._connect()
        except StoreUnavailable:
            return None, self._unavailable_message()
        try:
            conn.execute("BEGIN")  # one snapshot: the revision and the questions agree
            row = conn.execute("SELECT key_digest, page, settings, hidden, locked, task, revision FROM lessons "
                               "WHERE id = ?", (short_id,)).fetchone()
            rows = conn.execute("SELECT question, answer, revealed FROM questions WHERE lesson = ? ORDER BY position",
                                (short_id,)).fetchall() if row else []
            conn.execute("COMMIT")
        except sqlite3.Error:
            self._ready = False  # the file may have been replaced: set it up again on the next call
            return None, self._unavailable_message()
        finally:
            conn.close()
        if row is None:
            return None, (f"There is no lesson “{short_id}” on this server. Check the code, or ask your teacher for "
                          "the link again.")
        digest, page, settings, hidden, locked, task, revision = row
        if key is not None and not (isinstance(key, str) and _KEY_RE.fullmatch(key)
                                    and hmac.compare_digest(digest, _digest(key))):
            return None, "This teacher link's key does not match the lesson: open the teacher link you were given."
        if key is None:
            questions = tuple(StudentQuestion(q, bool(r), a if r else None) for q, a, r in rows)
        else:
            questions = tuple(TeacherQuestion(q, a, bool(r)) for q, a, r in rows)
        try:
            lesson = Lesson(frozenset(json.loads(hidden)), frozenset(json.loads(locked)), task)
            shown = {str(k): str(v) for k, v in json.loads(settings).items()}
        except (ValueError, TypeError, AttributeError):
            return None, f"The lesson “{short_id}” is damaged on this server; ask your teacher for a new link."
        return StoredLesson(short_id, page, shown, lesson, questions, revision), ""

    def _unavailable_message(self) -> str:
        return ("Lessons by short link cannot be opened on this server right now (its lesson store cannot be reached). "
                "The long lesson link still works: ask for it.")

    def _check_key(self, short_id: str, key: str) -> tuple[str | None, str]:
        lesson, message = self._load(short_id, key if isinstance(key, str) else "")  # never None: the student view
        return (None, message) if lesson is None else (lesson.short_id, "")

    def _guarded(self, work) -> str | None:
        try:
            self._write(work)
        except StoreUnavailable as e:
            return str(e)
        return None

    def _set_revealed(self, short_id: str, key: str, index: int, revealed: bool) -> str | None:
        lesson, message = self._load(short_id, key if isinstance(key, str) else "")  # never None: the student view
        if lesson is None:
            return message
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(lesson.questions):
            return f"This lesson has no question {index!r} (it has {len(lesson.questions)})."

        def update(conn: sqlite3.Connection) -> None:
            changed = conn.execute("UPDATE questions SET revealed = ? WHERE lesson = ? AND position = ? AND revealed != ?",
                                   (int(revealed), lesson.short_id, index, int(revealed))).rowcount
            if changed:
                conn.execute("UPDATE lessons SET revision = revision + 1 WHERE id = ?", (lesson.short_id,))

        return self._guarded(update)
