"""The user's own task end to end: search, read the best result in a real browser, write the
Chinese report, finish. The public web is mocked by a local site (search API + page); the model
is the scripted server. ALLOW_PRIVATE_URLS=true because the test pages are on 127.0.0.1 (or
reached as site.test through a recording proxy)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import autogpt_reply, reply
from tests.support.model_server import ModelServer
from tests.support.proxy_server import RecordingProxy
from tests.support.system import need
from tests.web.site import JS_TEXT, Site

PAGE_TEXT = (
    "2023年中国冰淇淋市场规模约为一千六百亿元，同比增长百分之八。夏季销量占全年六成，"
    "年轻消费者更偏爱低糖和高端产品，线上渠道增长最快。"
)
REPORT = (
    "冰淇淋市场调查报告：2023年中国冰淇淋市场规模约一千六百亿元，同比增长百分之八。"
    "夏季是销售旺季，占全年销量约六成。年轻消费者偏爱低糖、健康和高端产品，"
    "品牌竞争加剧，线上渠道和便利店增长最快。建议企业推出低糖新品，加强社交媒体营销，"
    "提升品牌认知度并拓展线上销售。"
)


def test_search_browse_write_chinese_report_and_finish(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    need(shutil.which("chromedriver") is not None, "chromium-driver is not installed")
    with Site() as site:
        site.page(
            "/icecream",
            f"<html><head><title>冰淇淋市场</title></head><body>"
            f"<article><h1>冰淇淋市场报告</h1><p>{PAGE_TEXT}</p></article>"
            "</body></html>",
        )
        site.add(
            "/search",
            lambda r: r.json(
                {
                    "results": [
                        {
                            "url": site.url("/icecream"),
                            "title": "冰淇淋市场报告 2023",
                            "content": "中国冰淇淋市场规模与趋势",
                        }
                    ]
                }
            ),
        )
        model_server.script(
            [
                autogpt_reply("web_search", {"query": "冰淇淋 市场 2023"}),
                autogpt_reply(
                    "browse_website",
                    {"url": site.url("/icecream"), "question": "冰淇淋市场规模和趋势"},
                ),
                reply("市场规模约一千六百亿元，同比增长8%，夏季占六成，低糖高端产品受欢迎。"),
                autogpt_reply(
                    "write_to_file", {"filename": "冰淇淋市场调查报告.md", "text": REPORT}
                ),
                autogpt_reply("task_complete", {"reason": "报告已写好"}),
            ]
        )
        write_profile(tmp_path)
        done = run_agent(
            model_server,
            "-c",
            "-l",
            "8",
            "-y",
            timeout=120,
            env=agent_env(model_server, SEARXNG_URL=site.url(), ALLOW_PRIVATE_URLS="true"),
        )
    assert done.returncode == 0, done.stdout + done.stderr
    search_result = model_server.requests[1].messages[-1]["content"]
    assert "冰淇淋市场报告 2023" in search_result and "searxng" in search_result.lower()
    helper = model_server.requests[2]
    assert PAGE_TEXT[:20] in helper.messages[-1]["content"]
    assert helper.messages[0]["content"] != model_server.requests[0].messages[0]["content"]
    assert helper.tools is None
    browsed = model_server.requests[3].messages[-1]["content"]
    assert "一千六百亿元" in browsed and "<<<WEB CONTENT" in browsed
    report = (workspace / "冰淇淋市场调查报告.md").read_text(encoding="utf-8")
    assert len(re.findall(r"[\u4e00-\u9fff]", report)) >= 100
    assert "报告已写好" in done.stdout


def test_the_seed_task_reads_a_javascript_page_behind_a_proxy_on_another_host(
    model_server: ModelServer, tmp_path: Path, workspace: Path
) -> None:
    """HTTP_PROXY (with a password) is a recording proxy that stands for one on another machine:
    its "localhost" is not ours (it resolves to an unreachable address there), so Selenium's
    requests to chromedriver would never arrive if they went through it. The page needs
    JavaScript, so only the real browser can read it."""
    need(shutil.which("chromedriver") is not None, "chromium-driver is not installed")
    with (
        Site() as site,
        RecordingProxy(resolve={"site.test": "127.0.0.1", "localhost": "192.0.2.1"}) as proxy,
    ):
        site.add(
            "/search",
            lambda r: r.json(
                {
                    "results": [
                        {
                            "url": site.proxied_url("/js"),
                            "title": "Ice cream 2023",
                            "content": "sales",
                        }
                    ]
                }
            ),
        )
        model_server.script(
            [
                autogpt_reply("web_search", {"query": "ice cream sales 2023"}),
                autogpt_reply(
                    "browse_website",
                    {"url": site.proxied_url("/js"), "question": "how did sales change?"},
                ),
                reply("Sales rose 12 percent in 2023."),
                autogpt_reply(
                    "write_to_file",
                    {"filename": "report.md", "text": "Ice cream sales rose 12 percent in 2023."},
                ),
                autogpt_reply("task_complete", {"reason": "report written"}),
            ]
        )
        write_profile(tmp_path)
        with_password = proxy.url.replace("://", "://me:pw@")
        done = run_agent(
            model_server,
            "-c",
            "-l",
            "8",
            "-y",
            timeout=120,
            env=agent_env(
                model_server,
                SEARXNG_URL=site.url(),
                HTTP_PROXY=with_password,
                HTTPS_PROXY=with_password,
                NO_PROXY="127.0.0.1",
                no_proxy="127.0.0.1",
            ),
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert JS_TEXT in model_server.requests[2].messages[-1]["content"]  # read by the browser
    assert ("GET", site.proxied_url("/js")) in proxy.seen
    assert [t for _, t in proxy.seen if "localhost" in t] == []
    assert (workspace / "report.md").is_file()
