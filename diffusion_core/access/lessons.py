"""Lesson links: a page's settings fixed by a teacher, which controls a student sees, and a short task.

A lesson link is the page's ordinary link (its own settings parameters, read by the page's settings parser) plus
four parameters read here::

    /forward?img=photo:Astronaut&...&t=250&hide=seed,T&lock=schedule&task=Move+t+until+the+face+is+gone&check=1a2b3c4d

``hide`` and ``lock`` name controls of the page (each page lists its own, :data:`CONTROLS` style mapping of name to
label); a hidden control is not drawn for the student, a locked one is shown but disabled. ``task`` is plain text,
at most :data:`MAX_TASK` characters, shown as text (never Markdown or HTML). ``check`` is a CRC-32 of every other
parameter of the link: a link cut short in an e-mail or edited by hand no longer matches, and its lesson part is
ignored with a message (the settings are still read, one at a time, as any link's are). The check guards against
accidents, not against a determined student: a lesson is a teaching aid, not access control.

Like every URL reader in the core, :func:`read_lesson` never raises on what a stranger wrote: it returns the
lesson it could use and one message per rejected value.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from diffusion_core.access.presenter import PRESENT_PARAMS

LESSON_PARAMS = ("hide", "lock", "task", "check")
MAX_TASK = 300  # characters of the task in a link (a stored lesson's task may be longer: lesson_store.MAX_TASK)
MAX_LIST = 400  # characters of a hide or lock list
QUOTE = 40  # a rejected value is quoted cut to this many characters


@dataclass(frozen=True)
class Lesson:
    """What a lesson changes about a page: controls hidden, controls locked, the task (empty: no lesson)."""

    hidden: frozenset[str] = frozenset()
    locked: frozenset[str] = frozenset()
    task: str = ""

    @property
    def active(self) -> bool:
        return bool(self.hidden or self.locked or self.task)

    def is_hidden(self, name: str) -> bool:
        return name in self.hidden

    def is_locked(self, name: str) -> bool:
        """Locked or hidden: a hidden control cannot be changed either."""
        return name in self.locked or name in self.hidden

    def to_query(self) -> dict[str, str]:
        """The lesson's own parameters, without ``check`` (see :func:`lesson_link_query`)."""
        query = {}
        if self.hidden:
            query["hide"] = ",".join(sorted(self.hidden))
        if self.locked - self.hidden:
            query["lock"] = ",".join(sorted(self.locked - self.hidden))
        if self.task:
            query["task"] = self.task
        return query


UNCHECKED = ("check", *PRESENT_PARAMS)  # the check itself, and presenter mode's own parameters (``presenter``)


def checksum(query: Mapping[str, str]) -> str:
    """CRC-32 (8 hex digits) of every parameter but UNCHECKED, in sorted order, as ``key=value`` lines."""
    text = "\n".join(f"{k}={query[k]}" for k in sorted(query) if k not in UNCHECKED)
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def lesson_link_query(settings: Mapping[str, str], lesson: Lesson) -> dict[str, str]:
    """A page's settings parameters plus the lesson's, with their ``check`` (just the settings without a lesson)."""
    query = {**settings, **lesson.to_query()}
    if lesson.active:
        query["check"] = checksum(query)
    return query


def clean_task(text: str, limit: int = MAX_TASK) -> str | None:
    """``text`` as a task: stripped, at most ``limit`` characters (a link's MAX_TASK unless told), no control
    characters but line breaks; else None."""
    text = text.strip()
    if len(text) > limit:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != "\n" for ch in text):
        return None
    return text


def _quote(value: str) -> str:
    return value if len(value) <= QUOTE else value[:QUOTE] + "…"


def read_lesson(query: Mapping[str, str], controls: Iterable[str]) -> tuple[Lesson, list[str]]:
    """The lesson a link asks for; returns (lesson, messages about rejected values).

    ``controls``: the names this page lets a lesson hide or lock. Unknown names are dropped one by one; a task too
    long or with control characters is dropped; a link whose ``check`` does not match (or that has lesson
    parameters but no check) gives no lesson at all.
    """
    if not any(k in query for k in ("hide", "lock", "task")):
        return Lesson(), []
    if query.get("check") != checksum(query):
        return Lesson(), ["This lesson link was changed or cut short after it was made (its check does not match): "
                          "showing the page without the lesson. Ask for the link again."]
    names, problems = set(controls), []

    def names_in(key: str) -> frozenset[str]:
        raw = query.get(key, "")
        if len(raw) > MAX_LIST:
            problems.append(f"Ignored {key}={_quote(raw)} in the link: longer than {MAX_LIST} characters.")
            return frozenset()
        wanted = [part for part in raw.split(",") if part]
        unknown = [part for part in wanted if part not in names]
        if unknown:
            problems.append(f"Ignored {key}={_quote(','.join(unknown))} in the link: this page's controls are "
                            f"{', '.join(sorted(names)) or 'none'}.")
        return frozenset(part for part in wanted if part in names)

    hidden, locked = names_in("hide"), names_in("lock")
    task = ""
    if "task" in query:
        cleaned = clean_task(query["task"])
        if cleaned is None:
            problems.append(f"Ignored task={_quote(query['task'])} in the link: a task is plain text of at most "
                            f"{MAX_TASK} characters.")
        else:
            task = cleaned
    return Lesson(hidden=hidden, locked=locked - hidden, task=task), problems
