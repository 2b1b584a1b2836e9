"""``python -m autogpt serve [--host 127.0.0.1] [--port 8000] [--workspace-root DIR]``.

Listens on 127.0.0.1 unless told otherwise; any other address needs ``AGENT_PROTOCOL_TOKEN``
(clients send ``Authorization: Bearer <token>``), and without one the server does not start.
The flags are parsed before anything heavy is imported.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Sequence
from pathlib import Path

TOKEN_VARIABLE = "AGENT_PROTOCOL_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="autogpt serve",
        description="Serve the Agent Protocol v1 under /ap/v1: each task is a session of the "
        "agent with its own workspace, journal, limits and budget; each step is one cycle.",
        epilog=f"Any address but 127.0.0.1/localhost/::1 needs {TOKEN_VARIABLE} (clients send "
        "'Authorization: Bearer <token>'). Settings come from the environment and .env.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    p.add_argument(
        "--workspace-root",
        metavar="DIR",
        default=None,
        help="each task's workspace is DIR/<task_id>/ (default: ./auto_gpt_workspace)",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None,
        help="the tasks' records and journals (default: AUTOGPT_DATA_DIR/serve, .autogpt/serve)",
    )
    p.add_argument(
        "--max-upload-mb",
        type=float,
        default=50.0,
        metavar="MB",
        help="refuse uploaded artifacts larger than this (default 50)",
    )
    return p


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from autogpt.serve.start import serve

    return serve(
        host=args.host,
        port=args.port,
        workspace_root=Path(args.workspace_root) if args.workspace_root else None,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        loopback=is_loopback(args.host),
    )
