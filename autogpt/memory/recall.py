"""The memory block of a prompt: the most relevant few memories, never over their token share.

Pure apart from the one ``store.search``: the context builder gives the query (what the agent is
about to do) and a fixed budget (``MEMORY_PROMPT_SHARE`` of the token limit); this returns the text
to put in the prompt, or "" when nothing relevant fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from autogpt.memory.base import MemoryHit, MemoryStore

HEADER = "Relevant memories from earlier in this and past runs (most relevant first):"
ELLIPSIS = " …"
MIN_ITEM_TOKENS = 12
"""A memory cut shorter than this says nothing useful; leave it out instead."""
ITEM_SHARE_TOKENS = 24
"""A small budget takes fewer memories (the most relevant) rather than more, shorter ones."""


def recall_block(
    store: MemoryStore,
    query: str,
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    k: int = 4,
    min_score: float = 0.0,
    exclude: Collection[str] = (),
) -> str:
    """Up to ``k`` memories nearest to ``query``, each cut to a fair share of the budget; the
    whole block (header included) counts at most ``budget_tokens``. "" if none fit."""
    if budget_tokens <= 0 or not query.strip():
        return ""
    header_tokens = count_tokens(HEADER)
    if header_tokens + MIN_ITEM_TOKENS > budget_tokens:
        return ""
    remaining = budget_tokens - header_tokens
    k = min(k, max(1, remaining // ITEM_SHARE_TOKENS))
    # Memories already in the prompt word for word (recent turns) would only repeat them.
    found = store.search(query, k + len(exclude)) if exclude else store.search(query, k)
    hits = [h for h in found if h.score >= min_score and h.text not in exclude][:k]
    items: list[str] = []
    for index, hit in enumerate(hits):
        share = remaining // (len(hits) - index)
        line = _fit(_format(hit), share - 1, count_tokens)  # 1 for the newline
        if line:
            items.append(line)
            remaining -= count_tokens(line) + 1
    while items:  # joined text can count a token or two more than its parts
        block = "\n".join([HEADER, *items])
        if count_tokens(block) <= budget_tokens:
            return block
        items.pop()
    return ""


_SPACE = re.compile(r"\s+")


def _format(hit: MemoryHit) -> str:
    return f"- ({hit.kind}) {_SPACE.sub(' ', hit.text).strip()}"


def _fit(line: str, max_tokens: int, count_tokens: Callable[[str], int]) -> str:
    """``line`` if it fits, else its longest prefix that fits with an ellipsis, else ""."""
    if max_tokens < MIN_ITEM_TOKENS:
        return ""
    if count_tokens(line) <= max_tokens:
        return line
    low, high = 0, min(len(line), max_tokens * 8)  # a token is rarely over 8 characters
    while low < high:
        middle = (low + high + 1) // 2
        if count_tokens(line[:middle] + ELLIPSIS) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return ""
    candidate = line[:low].rstrip() + ELLIPSIS
    return candidate if count_tokens(candidate) <= max_tokens else ""
