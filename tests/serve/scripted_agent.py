"""A scripted model that does agbenchmark's WriteFile and ReadFile challenges for real: its
reply depends on the goal in the system prompt and on the last command's result in the request
(so the text written to output.txt is the text the agent read)."""

from __future__ import annotations

import re

from tests.support.model_script import RequestRecord, Step, autogpt_reply, message_text

_RESULT = re.compile(r"Command (\w+) returned: (.*)", re.S)


def last_result(record: RequestRecord) -> tuple[str, str] | None:
    for message in reversed(record.messages):
        match = _RESULT.search(message_text(message))
        if match:
            return match.group(1), match.group(2)
    return None


def challenge_brain(record: RequestRecord) -> Step:
    system = message_text(record.messages[0]) if record.messages else ""
    result = last_result(record)
    if result and result[0] == "write_to_file":
        return autogpt_reply("task_complete", {"reason": "the file is written"})
    if result and result[0] == "read_file":
        text = result[1].split("\n\n[", 1)[0].strip()
        return autogpt_reply("write_to_file", {"filename": "output.txt", "text": text})
    if "file_to_read.txt" in system:
        return autogpt_reply("read_file", {"filename": "file_to_read.txt"})
    if "Washington" in system:
        return autogpt_reply("write_to_file", {"filename": "answer.txt", "text": "Washington"})
    # Search needs the public internet: this model gives up on it
    return autogpt_reply("task_complete", {"reason": "not scripted"})


challenge_brain.__name__ = "challenge_brain"
