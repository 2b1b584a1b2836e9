import subprocess
import sys
from pathlib import Path

import pytest

from autogpt.llm import catalog
from autogpt.llm.tokens import TokenCounter


def test_counting_is_more_conservative_than_the_cookbook() -> None:
    import tiktoken

    enc = tiktoken.get_encoding("cl100k_base")
    messages = [
        {"role": "system", "content": "You are 市场规划经理."},
        {"role": "user", "content": "Determine which next command to use"},
    ]
    cookbook = (
        sum(3 + len(enc.encode(m["role"])) + len(enc.encode(m["content"])) for m in messages) + 3
    )
    assert TokenCounter("cl100k_base").messages(messages) >= cookbook + len(messages)


def test_tool_schemas_are_counted_with_a_margin() -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "read_file",
                "description": "Read.",
                "parameters": {"type": "object"},
            },
        }
    ]
    import json

    import tiktoken

    exact = len(tiktoken.get_encoding("cl100k_base").encode(json.dumps(tools)))
    assert TokenCounter("cl100k_base").tools(tools) > exact


def test_without_rank_files_a_conservative_estimator_is_used(tmp_path: Path) -> None:
    """tiktoken cannot download offline: the count falls back and still over-counts."""
    code = (
        "import os; os.environ['TIKTOKEN_CACHE_DIR']={!r}\n"
        "from autogpt.llm.tokens import TokenCounter, encoder\n"
        "print(type(encoder('cl100k_base')).__name__, TokenCounter('cl100k_base').text({!r}))"
    ).format(str(tmp_path), "冰淇淋市场 ice cream market " * 10)
    env = {
        "PATH": "",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[0] == "_Estimator"
    import tiktoken

    exact = len(tiktoken.get_encoding("cl100k_base").encode("冰淇淋市场 ice cream market " * 10))
    assert int(out[1]) >= exact


def test_model_table_longest_prefix_wins_and_unknown_models_use_the_limit() -> None:
    dated = catalog.lookup("gpt-4o-mini-2024-07-18", fallback_window=1)
    assert (dated.name, dated.encoding, dated.max_output) == (
        "gpt-4o-mini-2024-07-18",
        "o200k_base",
        16384,
    )
    assert catalog.lookup("openai/gpt-4o", fallback_window=1).name == "openai/gpt-4o"
    local = catalog.lookup("llama-3-8b", fallback_window=2048)
    assert (local.context_window, local.known, local.tools) == (2048, False, False)


def test_remembered_counts_match_fresh_ones_and_the_memory_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tiktoken

    from autogpt.llm import tokens

    monkeypatch.setattr(tokens, "MEMO_SIZE", 8)
    enc = tiktoken.get_encoding("cl100k_base")
    counter = TokenCounter("cl100k_base")
    texts = [f"市场 report part {i} " * (i + 1) for i in range(20)]
    for _ in range(2):
        for text in texts:
            assert counter.text(text) == len(enc.encode(text))
    assert len(counter._memo) <= 8
