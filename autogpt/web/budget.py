"""Cut a command's text to its token budget, saying what was left out."""

from __future__ import annotations

from collections.abc import Callable


def cut_to_tokens(
    text: str, budget: int, count: Callable[[str], int], *, what: str = "characters"
) -> str:
    """``text`` if it fits in ``budget`` tokens, else its head with a note of how much was cut."""
    if budget <= 0 or count(text) <= budget:
        return text
    note_room = 30
    low, high = 0, min(len(text), budget * 8)  # no token is longer than ~8 characters
    while low < high:  # the longest prefix that fits, by bisection on characters
        mid = (low + high + 1) // 2
        if count(text[:mid]) + note_room <= budget:
            low = mid
        else:
            high = mid - 1
    head = text[:low].rstrip()
    return f"{head}\n[… cut to fit the result budget: {len(text) - len(head)} more {what}]"
