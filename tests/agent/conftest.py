from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.agent.run_parts import Parts, build


@pytest.fixture
def make_parts() -> Iterator[Callable[..., Parts]]:
    """``build`` whose journals are closed at teardown."""
    made: list[Parts] = []

    def make(*args: Any, **kwargs: Any) -> Parts:
        made.append(build(*args, **kwargs))
        return made[-1]

    yield make
    for parts in made:
        parts.journal.close()
