"""A simulated reader of a Streamlit app, speaking the browser's own protocol (for ``bench_classroom.py``).

One :class:`Reader` is one browser tab: a websocket to ``/_stcore/stream`` carrying protobuf ``BackMsg`` up
and ``ForwardMsg`` down (``streamlit.proto``). It opens a page the way the browser does (a ``rerun_script``
with the page's name and query string, then the page's script hash from the ``navigation`` message), keeps
every widget it has seen (id, kind, fragment, value), and changes widgets as a person would: it sends a
``rerun_script`` with all the widget values it holds, the changed one included (a button press is a
``trigger_value``), for the fragment the widget lives in. Each run is timed from the moment the message is
sent: the first image or alert of the run (the first feedback a reader sees), and ``script_finished`` (done).
Images arrive as ``/media/...`` URLs; like a browser, the reader fetches each image it is shown (in a
thread, timed apart from the run). No Streamlit code runs here; only its message classes are used.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

QUEUE_PLACE = re.compile(r"number (\d+) in the queue|(\d+) (?:runs|readers|jobs) (?:go first|ahead)")
RUN_TIMEOUT_S = 300.0  # longer than the heavy-work queue's own wait (180 s), so the page's answer is what we see
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Widget:
    """A widget the reader has been shown: its id, proto kind, fragment (or ""), and the value it holds now."""

    id: str
    kind: str
    fragment: str
    proto: object
    value: object = None


@dataclass
class RunTiming:
    """One run as a reader saw it (seconds from sending the message)."""

    first_image: float | None = None
    first_feedback: float | None = None  # the first image or alert (a queue place, an error, a message)
    done: float | None = None
    queue_places: list[int] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    images: int = 0
    status: str = "ok"  # "ok", "timeout", "error"


class ReaderError(RuntimeError):
    """The server closed the connection, or a page was not found."""


class Reader:
    """One simulated browser tab on ``base_url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base_url: str, fetch_media: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.fetch_media = fetch_media
        self.widgets: dict[str, Widget] = {}  # by user key (the id's suffix), else by id
        self.pages: dict[str, str] = {}  # url path ("" for the home page) -> page script hash
        self.page_hash = ""
        self.query = ""
        self.media_seconds: list[float] = []
        self.media_errors: list[str] = []
        self.download: bytes | None = None
        self._ws = None
        self._rx: asyncio.Task | None = None
        self._run: RunTiming | None = None
        self._sent_at = 0.0
        self._finished = asyncio.Event()
        self._media_tasks: list[asyncio.Future] = []

    # ------------------------------------------------------------------ connection
    async def connect(self) -> None:
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await websockets.connect(url, subprotocols=["streamlit"], origin=self.base_url, max_size=None,
                                            open_timeout=60, ping_interval=None)
        self._rx = asyncio.create_task(self._receive())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._rx is not None:
            self._rx.cancel()
        if self._media_tasks:
            await asyncio.gather(*self._media_tasks, return_exceptions=True)

    # ------------------------------------------------------------------ what the reader does
    async def open(self, page: str, query: str = "", timeout: float = RUN_TIMEOUT_S) -> RunTiming:
        """Open ``page`` (its URL path, "" for home) with ``query`` as a fresh tab or a click in the navigation."""
        self.query, self.widgets = query, {}
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        if page in self.pages:
            msg.rerun_script.page_script_hash = self.pages[page]
        return await self._send(msg, timeout)

    async def change(self, key: str, value: object = True, timeout: float = RUN_TIMEOUT_S) -> RunTiming:
        """Set the widget ``key`` to ``value`` (a button: press it) and wait for the rerun it causes."""
        widget = self.widgets[key]
        if widget.kind not in ("button", "download_button"):
            widget.value = value
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string, rerun.page_script_hash = self.query, self.page_hash
        if widget.fragment:
            rerun.fragment_id = widget.fragment
        for w in self.widgets.values():
            state = _state(w, pressed=w is widget)
            if state is not None:
                rerun.widget_states.widgets.append(state)
        return await self._send(msg, timeout)

    def has(self, key: str) -> bool:
        return key in self.widgets

    def download_url(self, key: str) -> str:
        return self.base_url + self.widgets[key].proto.url

    # ------------------------------------------------------------------ plumbing
    async def _send(self, msg: BackMsg, timeout: float) -> RunTiming:
        self._run, self._finished = RunTiming(), asyncio.Event()
        self._sent_at = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._finished.wait(), timeout)
        except TimeoutError:
            self._run.status = "timeout"
            self._finished.set()  # the run is over for this reader; a later close is not its error
        return self._run

    async def _receive(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._run is not None and not self._finished.is_set():
                self._run.status = "error"
                code = getattr(self._ws, "close_code", None)
                reason = getattr(self._ws, "close_reason", "") or ""
                self._run.exceptions.append(f"connection closed (code {code}{': ' + reason if reason else ''})")
                self._finished.set()

    def _elapsed(self) -> float:
        return time.perf_counter() - self._sent_at

    def _handle(self, msg: ForwardMsg) -> None:
        kind, run = msg.WhichOneof("type"), self._run
        if kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_not_found" and run is not None:
            run.status = "error"
            run.exceptions.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element" and run is not None:
            self._element(msg.delta.new_element, msg.delta.fragment_id, run)
        elif kind == "script_finished" and run is not None:
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # a rerun follows (st.rerun, or a newer message of ours): keep waiting for its end
            if msg.script_finished not in FINISHED:
                run.status = "error"
                run.exceptions.append("the script did not compile")
            run.done = self._elapsed()
            self._finished.set()

    def _element(self, element, fragment: str, run: RunTiming) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "imgs":
            run.images += 1
            run.first_image = run.first_image or self._elapsed()
            run.first_feedback = run.first_feedback or run.first_image
            if self.fetch_media:
                for img in proto.imgs:
                    if img.url.startswith("/"):
                        self._media_tasks.append(asyncio.get_running_loop().run_in_executor(
                            None, self._fetch, self.base_url + img.url))
        elif kind == "alert":
            run.alerts.append(proto.body)
            run.first_feedback = run.first_feedback or self._elapsed()
            place = QUEUE_PLACE.search(proto.body)
            if place:
                run.queue_places.append(int(place.group(1) or place.group(2)))
        elif kind == "exception":
            run.exceptions.append(f"{proto.type}: {proto.message}")
        elif kind == "progress":  # a progress bar: what the work is doing, or its place in the queue
            run.first_feedback = run.first_feedback or self._elapsed()
            place = QUEUE_PLACE.search(proto.text)
            if place:
                run.queue_places.append(int(place.group(1) or place.group(2)))
        if getattr(proto, "id", ""):
            key = proto.id.split("-", 2)[-1] if proto.id.startswith("$$ID-") else proto.id
            old = self.widgets.get(key)
            self.widgets[key] = Widget(proto.id, kind, fragment, proto, old.value if old else None)

    def _fetch(self, url: str) -> None:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                r.read()
            self.media_seconds.append(time.perf_counter() - start)
        except OSError as e:  # a frame replaced before the fetch came is gone: a browser would miss it too
            self.media_errors.append(f"{url}: {e}")


def _state(w: Widget, pressed: bool):
    """The WidgetState a browser would send for ``w`` (None: nothing to say, the server keeps its value)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=w.id)
    if w.kind in ("button", "download_button"):
        if not pressed:
            return None
        s.trigger_value = True
    elif w.value is None:
        return None
    elif w.kind == "number_input":
        s.double_value = float(w.value)
    elif w.kind == "slider" and w.proto.options:  # a select_slider: formatted options
        s.string_array_value.data[:] = [str(v) for v in w.value]
    elif w.kind == "slider":
        s.double_array_value.data[:] = list(w.value) if isinstance(w.value, (list, tuple)) else [float(w.value)]
    elif w.kind in ("checkbox", "toggle"):
        s.bool_value = bool(w.value)
    elif w.kind in ("selectbox", "radio", "text_input", "text_area"):
        s.string_value = str(w.value)
    else:
        return None
    return s
