"""Which failed attempts are tried again: a server that cannot embed says so in a 500, and
asking again would only wait out the retries (a minute) before memory goes off."""

from __future__ import annotations

import pytest

from autogpt.llm.retry import Failure


@pytest.mark.parametrize(
    "message",
    [
        "Llama model must be created with embedding=True to call this method",  # llama-cpp-python
        "This server does not support embeddings. Start it with `--embeddings`",  # llama-server
    ],
)
def test_a_server_without_embeddings_is_not_asked_again(message: str) -> None:
    assert not Failure("status", status=500, message=message).retryable


def test_other_server_errors_are_still_retried() -> None:
    assert Failure("status", status=500, message="The server had an error").retryable
    assert Failure("status", status=503, message="overloaded").retryable
