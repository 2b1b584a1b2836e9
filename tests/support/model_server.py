"""The project's one test double: a local OpenAI-compatible server that replays a script.

``ModelServer(steps, context_window=None, tools_supported=True, api_key=None, loop=False,
embedding_delay=0.0, quirks=None)``
listens on 127.0.0.1 (port 0 = a free port) in a daemon thread; ``base_url`` ends in ``/v1``.

- ``POST /v1/chat/completions`` is answered by the next script step (``model_script.py``), as
  server-sent events to a request with ``stream`` (``sse.py``; ``streams=False``: plain JSON).
  Before
  that, without consuming a step, it refuses: a request OpenAI would refuse (400 with OpenAI's
  wording, and a test failure: ``chat_validation.py``); a wrong key when ``api_key`` is set (401);
  ``tools`` when ``tools_supported`` is False (vLLM's 400, counted in ``tool_rejections``); a
  prompt plus ``max_tokens`` above ``context_window`` (400 context_length_exceeded, OpenAI's text,
  counted in ``overflows``); what another provider refuses, when ``quirks`` switches it on
(``provider_quirks.py``, counted in ``quirk_refusals``). Past the script's end: 500 "test
  script exhausted", in ``overruns``.
- ``POST /v1/embeddings``: deterministic hashed bag-of-words vectors (``embeddings.py``).
- ``POST /v1/images/generations``: ``server.images``' own script (``images_api.py``).
- ``GET /v1/models`` and ``/v1/models/{id}``: a short list.
- ``POST /v1/audio/speech``: a short WAV, or a set failure (``audio_speech.py``).

Every request is recorded (``requests``, ``embedding_requests``, ``other_requests``) with its
headers (lower-cased), JSON body, prompt tokens counted as OpenAI does (``token_count.py``) and
what answered it. ``assert_complete()`` raises AssertionError if steps are left, a request
overran the script, or anything failed; the ``model_server`` fixture calls it at teardown.
Each response closes its connection (``local_http.py``).

CLI, for manual trials and bench/ (the script's JSON form is in ``model_script.py``)::

    python -m tests.support.model_server --script FILE [--port N] [--context-window N] [--loop]
                                         [--no-tools] [--api-key KEY]

It prints the base URL as its first line, serves until SIGINT/SIGTERM, then prints a summary of
the requests to stderr.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from tests.support import audio_speech, embeddings, images_api, sse
from tests.support.chat_validation import validate_chat
from tests.support.local_http import LocalHandler, LocalServer, RawBody
from tests.support.model_script import (
    Delay,
    Drop,
    RejectTools,
    Reply,
    RequestRecord,
    Step,
    Streamed,
    ToolCallSpec,
    autogpt_reply,
    delay,
    describe,
    drop,
    message_text,
    reject_tools,
    reply,
    step_from_json,
    streamed,
    tool_call_reply,
)
from tests.support.openai_bodies import Payload, models_answer
from tests.support.openai_errors import (
    Error,
    context_length_exceeded,
    context_length_message,
    error,
    insufficient_quota,
    invalid_api_key,
    model_not_found,
    rate_limited,
    server_error,
    vllm_no_tools_error,
)
from tests.support.provider_quirks import ProviderQuirks, refusal
from tests.support.token_count import count_prompt, tiktoken_cache_dir

__all__ = [  # the server, and the step factories, so that a test needs one import
    "Delay", "Drop", "Error", "ModelServer", "RejectTools", "Reply", "RequestRecord", "Step",
    "ToolCallSpec", "autogpt_reply", "context_length_exceeded", "delay", "drop", "error",
    "insufficient_quota", "invalid_api_key", "model_not_found", "rate_limited", "reject_tools",
    "reply", "server_error", "tool_call_reply", "vllm_no_tools_error", "Streamed", "streamed",
]  # fmt: skip


_Server = TypeVar("_Server", bound="ModelServer")


class ModelServer:
    """A scripted OpenAI-compatible server; a context manager."""

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        context_window: int | None = None,
        tools_supported: bool = True,
        api_key: str | None = None,
        loop: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        embedding_delay: float = 0.0,
        quirks: ProviderQuirks | None = None,
        streams: bool = True,
    ) -> None:
        self.host = host
        self.streams = streams
        """False: a relay that answers a streaming request with one whole JSON completion."""
        self.quirks = quirks
        self.quirk_refusals: list[str] = []
        """The name of each quirk refusal sent (``provider_quirks.refusal``), in order."""
        self.embedding_delay = embedding_delay
        """Seconds each embeddings answer waits (a slow endpoint)."""
        self.context_window = context_window
        self.tools_supported = tools_supported
        self.api_key = api_key
        self.loop = loop
        """Put each consumed step back at the end: the script repeats forever (benchmarks)."""
        self.requests: list[RequestRecord] = []
        self.embedding_requests: list[RequestRecord] = []
        self.other_requests: list[RequestRecord] = []
        self.overruns: list[RequestRecord] = []
        self.failures: list[str] = []
        self.overflows = 0
        self.tool_rejections = 0
        self._steps: deque[tuple[int, Step]] = deque()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = LocalServer(_Handler, owner=self, host=host, port=port)
        self.images = images_api.ImagesApi(self.base_url)  # /v1/images/ (images_api.py)
        self.script(steps)

    @property
    def port(self) -> int:
        return self._httpd.port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def env(self, api_key: str = "sk-test") -> dict[str, str]:
        """Variables that point the agent (or any OpenAI client) at this server."""
        return {"OPENAI_API_BASE": self.base_url, "OPENAI_API_KEY": api_key}

    def script(self, steps: Iterable[Step]) -> ModelServer:
        """Append steps to the script; returns the server, for chaining."""
        with self._lock:
            self._steps.extend((next(self._numbers), step) for step in steps)
        return self

    def add(self, *steps: Step) -> ModelServer:
        """Append steps to the script."""
        return self.script(steps)

    @property
    def remaining(self) -> list[Step]:
        with self._lock:
            return [step for _, step in self._steps]

    def assert_complete(self) -> None:
        """Fail unless every step was used, nothing overran the script and nothing failed."""
        with self._lock:
            left = [] if self.loop else list(self._steps)
            problems = list(self.failures) + self.images.problems()
            overruns = list(self.overruns)
        if left:
            lines = "".join(f"\n    step {n}: {describe(s)}" for n, s in left)
            problems.append(f"{len(left)} scripted step(s) never requested:{lines}")
        for record in overruns:
            last = record.last_user_message
            shown = repr(last[-300:]) if last is not None else "(no user message)"
            problems.append(
                f"chat request #{record.index + 1} came after the script's end; "
                f"its last user message: {shown}"
            )
        if problems:
            raise AssertionError("model server script not complete:\n  " + "\n  ".join(problems))

    def close(self) -> None:
        """Stop serving; waits for the handler threads (a ``delay`` step is cut short)."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._httpd.close()

    def __enter__(self: _Server) -> _Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- request handling, in the handler threads -------------------------------------------

    def handle(self, handler: _Handler, body: Any) -> None:
        path = handler.path.split("?", 1)[0].rstrip("/")
        try:
            self._route(handler, path, body)
        except (ConnectionError, TimeoutError):
            raise  # the client went away (it timed out): LocalServer ignores it
        except Exception as exc:  # a bug of this server: fail the test rather than hang it
            with self._lock:
                self.failures.append(f"{handler.command} {path}: test server bug {exc!r}")
            handler.send_body(500, error(500, f"test server bug: {exc!r}").payload())

    def _route(self, handler: _Handler, path: str, body: Any) -> None:
        # Azure OpenAI: /openai/deployments/<deployment>/chat/completions?api-version=...
        path = re.sub(r"^/openai/deployments/[^/]+/", "/v1/", path)
        answer: Any  # a Step or a Payload, the embeddings' maybe in a Delay (see _send)
        if handler.command == "POST" and path == "/v1/chat/completions":
            record = self._record(handler, body, self.requests)
            answer = self._authorize(handler, record) or self._chat(record)
        elif handler.command == "POST" and path == "/v1/embeddings":
            record = self._record(handler, body, self.embedding_requests)
            answer = self._authorize(handler, record) or self._embeddings(record)
            answer = Delay(self.embedding_delay, answer) if self.embedding_delay else answer
        elif handler.command == "POST" and path == "/v1/audio/speech":  # audio_speech.py
            record = self._record(handler, body, self.other_requests)
            answer = self._authorize(handler, record) or audio_speech.answer(self, record)
        elif path.startswith(images_api.PREFIX):
            record = self._record(handler, body, self.other_requests)
            refused = self._authorize(handler, record) if handler.command == "POST" else None
            answer = refused or self.images.answer(record, path)  # files need no key
        elif handler.command == "GET" and path.startswith("/v1/models"):
            record = self._record(handler, body, self.other_requests)
            answer = self._authorize(handler, record) or models_answer(path)
        else:
            record = self._record(handler, body, self.other_requests)
            answer = error(404, f"Invalid URL ({handler.command} {path})")
        self._send(handler, record, answer)

    def _record(self, handler: _Handler, body: Any, into: list[RequestRecord]) -> RequestRecord:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            record = RequestRecord(
                len(into),
                handler.command,
                handler.path,
                headers,
                body,
                client_address=handler.client_address[0],
            )
            into.append(record)
        return record

    def _fail(self, record: RequestRecord, problem: str) -> Error:
        with self._lock:
            self.failures.append(f"{record.method} {record.path} #{record.index + 1}: {problem}")
        return error(500, problem, type="server_error")

    def _authorize(self, handler: _Handler, record: RequestRecord) -> Error | None:
        sent = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        sent = sent or handler.headers.get("api-key", "")  # Azure's header
        if self.api_key is None or sent == self.api_key:
            return None
        record.answered_by = "invalid_api_key"
        return invalid_api_key(sent)

    def _chat(self, record: RequestRecord) -> Step:
        refused = refusal(record.body, self.quirks) if self.quirks and record.body else None
        if refused:
            record.answered_by = f"quirk {refused[0]}"
            with self._lock:
                self.quirk_refusals.append(refused[0])
            return refused[1]
        invalid = validate_chat(record.body)
        if invalid:
            record.answered_by = "invalid request"
            self._fail(record, f"OpenAI would refuse it: {invalid.message}")
            return error(400, invalid.message, param=invalid.param)
        body = record.body
        count = count_prompt(body)
        record.prompt_tokens = count.total
        if not self.tools_supported and (body.get("tools") or body.get("functions")):
            record.answered_by = "reject_tools (server)"
            with self._lock:
                self.tool_rejections += 1
            return vllm_no_tools_error()
        completion = body.get("max_completion_tokens") or body.get("max_tokens")
        if self.context_window and count.total + (completion or 0) > self.context_window:
            record.answered_by = "context_length_exceeded"
            with self._lock:
                self.overflows += 1
            message = context_length_message(
                self.context_window,
                messages=count.messages,
                functions=count.tools,
                completion=completion,
            )
            return error(400, message, code="context_length_exceeded", param="messages")
        return self._next_step(record)

    def _next_step(self, record: RequestRecord) -> Step:
        with self._lock:
            if not self._steps:
                record.answered_by = "overrun"
                self.overruns.append(record)
                return error(500, "test script exhausted", type="server_error")
            number, step = self._steps[0]
            mismatch = isinstance(step, RejectTools) and not record.tools
            if not mismatch:
                self._steps.popleft()
                if self.loop:
                    self._steps.append((number, step))
        if mismatch:
            record.answered_by = "mismatch"
            return self._fail(record, f"step {number} is reject_tools(); the request has no tools")
        record.step_number = number
        step = self._resolve(record, step)
        record.answered_by = f"step {number}: {describe(step)}"
        return step

    def _resolve(self, record: RequestRecord, step: Step) -> Step:
        """Call a callable step (and what it returns) until a plain step comes out."""
        while callable(step):
            try:
                step = step(record)
            except Exception as exc:  # the test's own step failed: report it at teardown
                return self._fail(record, f"step {record.step_number} raised {exc!r}")
        return step

    def _embeddings(self, record: RequestRecord) -> Step | Payload:
        answer = embeddings.answer(record.body)
        record.prompt_tokens = answer.prompt_tokens
        if answer.body is not None:
            record.answered_by = "embeddings"
            return Payload(answer.body)
        record.answered_by = "refused"
        if answer.client_bug:
            self._fail(record, f"OpenAI would refuse it: {answer.refusal}")
        return error(400, str(answer.refusal))

    def _send(self, handler: _Handler, record: RequestRecord, answer: Any) -> None:
        if isinstance(answer, Delay):
            if not self._closing.wait(answer.seconds):  # closing: leave without answering
                self._send(handler, record, self._resolve(record, answer.then))
        elif isinstance(answer, Drop):
            handler.close_connection = True  # no response at all: the socket is just closed
        elif isinstance(answer, RejectTools):
            self._send(handler, record, vllm_no_tools_error())
        elif isinstance(answer, Error):
            handler.send_body(answer.status, answer.payload(), dict(answer.headers))
        elif isinstance(answer, (Reply, Streamed)):  # streamed when asked: sse.py
            sse.send(handler, record, answer, closing=self._closing, streams=self.streams)
        elif isinstance(answer, Payload):
            handler.send_body(200, answer.body)
        elif isinstance(answer, RawBody):  # a WAV (audio_speech.py), an image file (images_api.py)
            handler.send_bytes(answer.data, answer.content_type)
        else:
            self._send(handler, record, self._fail(record, f"not a step: {answer!r}"))


class _Handler(LocalHandler):
    def do_GET(self) -> None:
        self.server.owner.handle(self, None)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.server.owner.handle(self, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.model_server",
        description="Serve a scripted OpenAI-compatible API (script format: model_script.py).",
    )
    parser.add_argument("--script", type=Path, required=True, help="JSON list of steps")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--context-window", type=int, default=None)
    parser.add_argument("--loop", action="store_true", help="repeat the script forever")
    parser.add_argument("--no-tools", action="store_true", help="refuse tools, as vLLM can")
    parser.add_argument("--api-key", default=None, help="require this key")
    args = parser.parse_args(argv)
    steps = [step_from_json(s) for s in json.loads(args.script.read_text(encoding="utf-8"))]
    cache = tiktoken_cache_dir()
    if cache:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", cache)
    server = ModelServer(
        steps,
        context_window=args.context_window,
        tools_supported=not args.no_tools,
        api_key=args.api_key,
        loop=args.loop,
        host=args.host,
        port=args.port,
    )
    print(server.base_url, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with `&`
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        _print_summary(server)
    return 0


def _print_summary(server: ModelServer) -> None:
    left = 0 if server.loop else len(server.remaining)
    print(
        f"{len(server.requests)} chat requests ({server.overflows} overflows, "
        f"{len(server.overruns)} overruns), {len(server.embedding_requests)} embedding "
        f"requests, {left} steps left",
        file=sys.stderr,
    )
    for record in server.requests:
        last = record.messages[-1] if record.messages else {}
        shown = message_text(last)[:80] if isinstance(last, dict) else ""
        print(f"  #{record.index + 1} {record.answered_by} <- {shown!r}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
