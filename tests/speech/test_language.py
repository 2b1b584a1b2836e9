from __future__ import annotations

import pytest

from autogpt.speech.language import CHINESE, ENGLISH, voice_for


@pytest.mark.parametrize(
    "text",
    ["我要写一份冰淇淋市场调查报告。", "我在写 README.md 文件", "先读取 data.csv，然后总结"],
)
def test_mostly_chinese_text_gets_the_chinese_voice(text: str) -> None:
    assert voice_for(text) == CHINESE


@pytest.mark.parametrize(
    "text",
    ["I will write the report now.", "Write notes.txt (笔记) before the summary", "", "12345"],
)
def test_other_text_gets_the_english_voice(text: str) -> None:
    assert voice_for(text) == ENGLISH
