"""Logging handlers: logs/activity.log, logs/error.log, and with --debug a JSONL of full model
requests and responses. Secrets are redacted from every record. Called once, from cli."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterable
from pathlib import Path

from autogpt.errors import UsageError

LOG_DIR = Path("logs")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def setup(*, debug: bool, secrets: Iterable[str] = (), log_dir: Path = LOG_DIR) -> Path:
    """Install the handlers; returns the error log path (printed on internal errors)."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        for name in ("activity.log", "error.log"):
            (log_dir / name).open("a", encoding="utf-8").close()
    except OSError as exc:
        raise UsageError(
            f"Cannot write the logs in {log_dir.resolve()}: "
            f"{exc.strerror or exc}. Run from a folder you can write to, or "
            "remove what is in the way."
        ) from None
    redact = RedactSecrets(list(secrets))
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)

    def rotating(name: str, level: int) -> logging.Handler:
        handler = logging.handlers.RotatingFileHandler(
            log_dir / name, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setLevel(level)
        handler.setFormatter(fmt)
        handler.addFilter(redact)
        return handler

    root.addHandler(rotating("activity.log", logging.DEBUG if debug else logging.INFO))
    root.addHandler(rotating("error.log", logging.ERROR))

    wire = logging.getLogger("autogpt.wire")
    wire.propagate = False
    wire.setLevel(logging.DEBUG if debug else logging.CRITICAL)
    if debug:
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "debug.jsonl", maxBytes=50_000_000, backupCount=2, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.addFilter(redact)
        wire.addHandler(handler)
    for noisy in ("httpx", "httpx2", "httpcore", "httpcore2", "openai", "urllib3", "selenium"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_dir / "error.log"
