"""Reading pages: seconds per page in the browser and over plain HTTP, and what answering a
question from each page costs (model requests, tokens), on 10 local pages of 5–300 KB.

    .venv/bin/python -m bench.browse [--sizes 5 20 50 100 150 200 250 300 300 300]
                                     [--token-limit 4000]  (FAST_TOKEN_LIMIT; try 1900)

Pages are served by a local HTTP server (the public internet is out of reach here); the model is
the scripted local OpenAI-compatible server, reached through the real client; its prompt token
counts are OpenAI's way of counting. The browser's start is counted once, apart. Prints figures;
not a test.

Targets (issue C): ≤ 3 requests and ≤ 6,000 tokens per page whatever its size; browser start
≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autogpt.commands.context import CommandContext, RunResources
from autogpt.config.settings import Settings
from autogpt.llm.tokens import encoder
from autogpt.web.answer import answer_question
from autogpt.web.browser import Browser
from autogpt.web.page import BROWSER_KEY, read_page
from autogpt.workspace import Workspace
from tests.support.model_server import ModelServer, reply
from tests.support.token_count import tiktoken_cache_dir
from tests.web.conftest import helper_model
from tests.web.site import Site, article

NEEDLE = "In 2023 the harbour kiosk sold 9,431 cones of salted caramel ice cream."
QUESTION = "How many cones of salted caramel ice cream did the harbour kiosk sell in 2023?"


def _pages(site: Site, sizes_kb: list[int]) -> list[tuple[str, int]]:
    pages = []
    for n, kb in enumerate(sizes_kb, 1):
        paragraphs = 1
        html = article(n, paragraphs=paragraphs, needle=NEEDLE)
        while len(html.encode()) < kb * 1000:
            paragraphs = max(paragraphs + 1, int(paragraphs * kb * 1000 / len(html.encode())))
            html = article(n, paragraphs=paragraphs, needle=NEEDLE)
        site.page(f"/page-{n}", html)
        pages.append((site.url(f"/page-{n}"), len(html.encode())))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[5, 20, 50, 100, 150, 200, 250, 300, 300, 300]
    )
    parser.add_argument("--token-limit", type=int, default=4000)
    args = parser.parse_args()
    if tiktoken_cache_dir():  # count as the model does (the estimator over-counts)
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tiktoken_cache_dir()))
    with (
        Site() as site,
        ModelServer([reply("9,431 cones.")], loop=True) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = Settings(
            _env_file=None, allow_private_urls=True, fast_token_limit=args.token_limit
        )
        resources = RunResources()
        ctx = CommandContext(
            workspace=Workspace(Path(tmp)),
            settings=settings,
            ask_model=helper_model(server),
            resources=resources,
            count_tokens=encoder("cl100k_base").count,
        )
        pages = _pages(site, args.sizes)
        began = time.perf_counter()
        browser = resources.get_or_create(
            BROWSER_KEY, lambda: Browser.start(settings), close=lambda b: b.close()
        )
        start_s = time.perf_counter() - began
        print(
            f"browser start: {start_s:.2f} s ({browser.how}); FAST_TOKEN_LIMIT {args.token_limit}\n"
        )
        print(
            f"{'page':>6} {'KB':>5} {'browser s':>10} {'http s':>7} {'requests':>8} "
            f"{'prompt tok':>10} {'bound tok':>9} {'chunks':>9} found"
        )
        rows = []
        try:
            for n, (url, size) in enumerate(pages, 1):
                t0 = time.perf_counter()
                page = read_page(ctx, url)
                t_browser = time.perf_counter() - t0
                t0 = time.perf_counter()
                read_page(ctx, url, use_browser=False)
                t_http = time.perf_counter() - t0
                before = len(server.requests)
                answer = answer_question(ctx, text=page.text, question=QUESTION, source=url)
                sent = server.requests[before:]
                prompt = sum(r.prompt_tokens or 0 for r in sent)
                found = any(NEEDLE in r.body["messages"][1]["content"] for r in sent)
                rows.append((t_browser, t_http, answer.requests, prompt, answer.tokens))
                print(
                    f"{n:>6} {size / 1000:>5.0f} {t_browser:>10.2f} {t_http:>7.2f} "
                    f"{answer.requests:>8} {prompt:>10} {answer.tokens:>9} "
                    f"{answer.chunks_read:>4}/{answer.chunks_total:<4} {found}"
                )
        finally:
            resources.close_all()
        print()
        print(
            f"mean browser s/page {statistics.mean(r[0] for r in rows):.2f}, "
            f"mean http s/page {statistics.mean(r[1] for r in rows):.2f}"
        )
        print(
            f"max requests/page {max(r[2] for r in rows)} (target ≤ 3), "
            f"max prompt tokens/page {max(r[3] for r in rows)}, "
            f"max bound (prompt + max_tokens) {max(r[4] for r in rows)} (target ≤ 6,000)"
        )


if __name__ == "__main__":
    main()
