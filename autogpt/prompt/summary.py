"""The running summary: old turns folded into a few sentences by the fast model.

One request, a small conversation of its own (short instruction, no tools, not the main system
prompt), within its own limit; sent through the request gateway like every request.
"""

from __future__ import annotations

from collections.abc import Sequence

from autogpt.llm.tokens import TokenCounter
from autogpt.llm.types import ChatRequest
from autogpt.prompt.turns import Turn, describe

INSTRUCTION = (
    "You keep the running memory of an autonomous agent. Merge the new events into the current "
    "summary. Write in the first person, past tense, as the agent ('I read data.csv, ...'). Keep "
    "file names, numbers, URLs, findings and what is still to do; drop chatter. At most {words} "
    "words. Reply with the summary text only."
)


def summary_request(
    *,
    model: str,
    limit: int,
    reply_tokens: int,
    counter: TokenCounter,
    previous: str | None,
    turns: Sequence[Turn],
    temperature: float = 0.0,
) -> ChatRequest:
    """The request that folds ``turns`` into the summary, within the fast model's limit."""
    words = int(reply_tokens * 0.5)
    instruction = INSTRUCTION.format(words=words)
    head = f"Current summary:\n{previous or '(nothing yet)'}\n\nNew events:\n"
    room = (
        limit
        - reply_tokens
        - counter.messages(
            [{"role": "system", "content": instruction}, {"role": "user", "content": head}]
        )
        - 16
    )
    events = _cut_to(_shared_out([describe(t) for t in turns], room, counter), room, counter)
    return ChatRequest(
        model=model,
        messages=[
            {"role": "system", "content": instruction},
            {"role": "user", "content": head + events},
        ],
        max_tokens=reply_tokens,
        temperature=temperature,
        purpose="summary",
    )


def summary_text(
    reply: str | None, previous: str | None, reply_tokens: int, counter: TokenCounter
) -> str:
    """The new summary from the reply: the previous one if the reply was empty, cut to size."""
    text = (reply or "").strip() or (previous or "")
    return _cut_to(text, reply_tokens, counter) if counter.text(text) > reply_tokens else text


def _shared_out(events: list[str], room: int, counter: TokenCounter) -> str:
    """The events within ``room``: when they do not all fit, each gets an equal share (what a
    short one leaves goes to the others), cut in its middle, so every folded turn reaches the
    summary with its head (a batch of many turns too), not only the first and the last."""
    joined = "\n\n".join(events)
    if counter.text(joined) <= room:
        return joined
    sizes = [counter.text(e) for e in events]
    left = room - 2 * len(events)  # the separators
    shares = [0] * len(events)
    for n, i in enumerate(sorted(range(len(events)), key=sizes.__getitem__)):
        shares[i] = max(0, min(sizes[i], left // (len(events) - n)))
        left -= shares[i]
    return "\n\n".join(_cut_to(e, share, counter) for e, share in zip(events, shares, strict=True))


def _cut_to(text: str, tokens: int, counter: TokenCounter) -> str:
    """The head and tail of ``text`` within ``tokens`` (the middle matters least)."""
    if tokens <= 0:
        return ""
    if counter.text(text) <= tokens:
        return text
    keep = len(text)
    while keep > 0 and counter.text(text[: keep // 2] + text[-keep // 2 :]) > tokens - 8:
        keep = int(keep * 0.8)
    return text[: keep // 2] + "\n[...]\n" + text[-keep // 2 :] if keep else ""
