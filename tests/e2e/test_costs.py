"""The cost line of a real run: a known model's list price even behind a local base URL (a relay
still costs money), with the cached share of the prompt shown and priced as cached."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from genai_prices import Usage, calc_price

from tests.e2e.harness import agent_env, run_agent, write_profile
from tests.support.model_script import Reply, autogpt_reply
from tests.support.model_server import ModelServer


def test_the_cost_line_prices_a_known_model_at_list_price_and_shows_the_cached_share(
    model_server: ModelServer, tmp_path: Path
) -> None:
    write_profile(tmp_path)
    done_step = autogpt_reply("task_complete", {"reason": "done"})
    assert isinstance(done_step, Reply)
    model_server.add(replace(done_step, cached_tokens=512))
    env = agent_env(model_server, FAST_LLM_MODEL="gpt-4o-mini")
    done = run_agent(model_server, "-c", "-l", "2", "-y", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    prompt = model_server.requests[0].prompt_tokens
    assert prompt is not None and prompt > 512
    line = next(x for x in done.stdout.splitlines() if x.startswith("Cost:"))
    assert f"tokens {prompt:,} in (512 cached, {512 / prompt:.0%})" in line
    shown = float(re.search(r"\$([\d.]+) this request", line).group(1))  # type: ignore[union-attr]
    completion = int(re.search(r"([\d,]+) out", line).group(1).replace(",", ""))  # type: ignore[union-attr]
    usage = Usage(input_tokens=prompt, cache_read_tokens=512, output_tokens=completion)
    expected = float(calc_price(usage, "gpt-4o-mini").total_price)
    assert shown == pytest.approx(expected, abs=0.00005)
    assert expected < float(
        calc_price(Usage(input_tokens=prompt, output_tokens=completion), "gpt-4o-mini").total_price
    )
