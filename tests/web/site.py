"""A local web site for the web tests: pages that need JavaScript, GBK and Big5 pages, a slow
page, a trickling one, redirects, a SearXNG-style and a Google-style search API, downloads.

The public internet is unreachable here; this site stands in for it. Reach it as
``http://127.0.0.1:<port>`` (``url``), or as ``http://site.test:<port>`` through a
:class:`RecordingProxy` that resolves ``site.test`` (``proxied_url``): a host no guard can see
as local, since it resolves only inside the proxy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PROXIED_HOST = "site.test"

JS_PAGE = """<!doctype html><html><head><title>Rendered later</title></head><body>
<div id="out">Loading…</div>
<script>
fetch('/data.json').then(r => r.json()).then(d => {
  setTimeout(() => { document.getElementById('out').textContent = d.text; }, 150);
});
</script></body></html>"""
JS_TEXT = "Only JavaScript shows this: ice cream sales rose 12 percent in 2023."

GBK_TEXT = "冰淇淋市场调查报告：二〇二三年中国冰淇淋市场规模约为一千六百亿元，喆品牌增长最快。"
BIG5_TEXT = "冰淇淋市場調查報告：台灣冰淇淋市場穩定成長，夏季銷量最高。"


def gbk_page(*, declared: bool = True) -> bytes:
    meta = '<meta charset="gb2312">' if declared else ""
    return (
        f"<html><head>{meta}<title>冰淇淋</title></head><body><h1>冰淇淋报告</h1>"
        f"<p>{GBK_TEXT}</p><p>{GBK_TEXT}</p><a href='/next'>下一页</a></body></html>"
    ).encode("gbk")


def article(n: int, *, paragraphs: int, needle: str | None = None) -> str:
    """A long page of filler paragraphs; ``needle`` is hidden in one paragraph past the middle."""
    filler = (
        "Paragraph {i} of page {n} talks about weather, trains, gardens and the history of "
        "bicycles in some detail, with many words that have nothing to do with desserts. "
    )
    body = [f"<p>{filler.format(i=i, n=n) * 3}</p>" for i in range(paragraphs)]
    if needle:
        body.insert(paragraphs * 2 // 3, f"<p>{needle}</p>")
    links = "".join(f"<a href='/article-{k}'>Article {k}</a> " for k in range(1, 9))
    return (
        f"<html><head><title>Article {n}</title></head><body><nav>{links}</nav>"
        f"<article><h1>Article {n}</h1>{''.join(body)}</article></body></html>"
    )


Handler = Callable[["_Request"], None]


class Site:
    """The local site in a daemon thread; a context manager. ``routes`` maps paths to handlers;
    ``hits`` lists the paths requested (with the query)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.routes: dict[str, Handler] = {}
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Request)
        self._httpd.daemon_threads = True
        self._httpd.site = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._default_routes()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def proxied_url(self, path: str = "/") -> str:
        return f"http://{PROXIED_HOST}:{self.port}{path}"

    def add(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def page(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = lambda r: r.reply(status, data, content_type)

    def close(self) -> None:
        self.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _default_routes(self) -> None:
        self.page("/js", JS_PAGE)
        self.page("/data.json", json.dumps({"text": JS_TEXT}), "application/json")
        self.page("/gbk", gbk_page(), "text/html")
        self.page("/gbk-undeclared", gbk_page(declared=False), "text/html")
        self.page(
            "/big5",
            f"<html><body><p>{BIG5_TEXT}</p></body></html>".encode("big5"),
            "text/html; charset=big5",
        )
        self.page("/secret", "<html><body><p>The local secret is 4242.</p></body></html>")
        self.page(
            "/hello",
            "<html><head><title>Hello</title></head><body><p>Hello from the "
            "site.</p><a href='/secret'>a secret</a> <a href='https://example.org/x'>"
            "elsewhere</a> <a href='javascript:alert(1)'>js</a></body></html>",
        )
        self.add("/slow", _slow)
        self.add("/redirect", lambda r: r.redirect(r.query.get("to", ["/hello"])[0]))
        self.add("/loop", lambda r: r.redirect("/loop"))
        self.add("/trickle", trickle)


def _slow(request: _Request) -> None:
    seconds = float(request.query.get("s", ["5"])[0])
    request.site.closing.wait(seconds)
    request.reply(200, b"<html><body><p>finally</p></body></html>", "text/html")


class _Request(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    @property
    def site(self) -> Site:
        return self.server.site  # type: ignore[no-any-return]

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        with self.site._lock:
            self.site.hits.append(self.path)
        handler = self.site.routes.get(path)
        if handler is None:
            self.reply(404, b"<html><body>not found</body></html>", "text/html")
            return
        handler(self)

    def reply(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (a timeout test)
        self.close_connection = True

    def json(self, data: Any, status: int = 200) -> None:
        self.reply(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")

    def redirect(self, location: str, status: int = 302) -> None:
        self.reply(status, b"", "text/html", {"Location": location})

    def log_message(self, format: str, *args: Any) -> None:
        pass


def trickle(request: _Request) -> None:
    """One byte a second for a minute: of the head (``?part=head``) or of the body. Each read
    is quick; the whole answer never ends in time."""
    head_first = request.query.get("part", ["body"])[0] == "head"
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 60\r\n"
        b"Connection: close\r\n"
    )
    try:
        if head_first:
            request.wfile.write(b"HTTP/1.1 200 OK\r\n")
        else:
            request.wfile.write(head + b"\r\n")
        request.wfile.flush()
        for _ in range(60):
            if request.site.closing.wait(1):
                break
            request.wfile.write(b"X-Slow: 1\r\n" if head_first else b"x")
            request.wfile.flush()
    except OSError:
        pass  # the client gave up, as it should
    request.close_connection = True
