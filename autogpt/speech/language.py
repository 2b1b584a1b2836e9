"""Which espeak-ng voice reads a text: Chinese for mostly-Chinese text, else English.

A Han character is about a word, so a text is Chinese when it has at least as many Han
characters as Latin words: "我在写 README 文件" is Chinese, "Write notes.txt (笔记) now" is not.
espeak-ng's ``cmn`` voice reads the Latin words in Chinese text as English, so mixed text is
fine either way. Other scripts get English (the one other voice every espeak-ng has).
"""

from __future__ import annotations

import re

CHINESE = "cmn"
ENGLISH = "en"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def voice_for(text: str) -> str:
    han = len(_HAN.findall(text))
    if han and han >= len(_LATIN_WORD.findall(text)):
        return CHINESE
    return ENGLISH
