"""Starts the server: settings and logs as a run has them, then uvicorn in the main thread.

Each task's agent runs in its own thread; uvicorn keeps SIGINT and SIGTERM, and on either the
tasks waiting for an answer are saved as interrupted (``service.stop``), to resume at their
next step after a restart.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from autogpt import logs
from autogpt.config import proxy
from autogpt.config.settings import Settings, load_settings
from autogpt.errors import AutogptError, UsageError
from autogpt.git.status import github_secrets
from autogpt.llm import catalog, tokens
from autogpt.serve.service import ServerConfig, TaskService
from autogpt.serve.task_session import TaskConsole

log = logging.getLogger("autogpt")


def serve(
    *,
    host: str,
    port: int,
    workspace_root: Path | None,
    data_dir: Path | None,
    max_upload_bytes: int,
    loopback: bool,
) -> int:
    try:
        settings = load_settings()
        secret = settings.agent_protocol_token
        token = secret.get_secret_value().strip() if secret else None
        if not loopback and not token:
            raise UsageError(
                f"listening on {host} needs a token: set AGENT_PROTOCOL_TOKEN (clients then "
                "send 'Authorization: Bearer <token>'), or listen on 127.0.0.1."
            )
        config = _config(settings, workspace_root, data_dir, max_upload_bytes, token)
    except AutogptError as exc:
        print(f"autogpt serve: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    import uvicorn

    from autogpt.serve.app import create_app

    app = create_app(TaskService(config), token=token)
    uvicorn_config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    server = uvicorn.Server(uvicorn_config)
    print(
        f"Serving the Agent Protocol at http://{_shown(host)}:{port}/ap/v1 (tasks' workspaces "
        f"in {config.workspace_root}, their journals in {config.data_root})",
        file=sys.stderr,
        flush=True,
    )
    server.run()
    return 0


def _config(
    settings: Settings,
    workspace_root: Path | None,
    data_dir: Path | None,
    max_upload_bytes: int,
    token: str | None,
) -> ServerConfig:
    from autogpt.session_model import ensure_api_key

    secrets = [
        s.get_secret_value()
        for s in (settings.openai_api_key, settings.google_api_key, settings.database_url)
        if s
    ]
    secrets += github_secrets(settings)  # clone_repository (issue K)
    logs.setup(debug=False, secrets=secrets + ([token] if token else []))
    proxy.export(settings)
    tokens.preload(catalog.lookup(settings.fast_llm_model, fallback_window=4096).encoding)
    settings = ensure_api_key(settings, TaskConsole(lambda event: None))
    root = (workspace_root or Path(settings.workspace_path)).resolve()
    data = (data_dir or settings.data_dir / "serve").resolve()
    root.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    return ServerConfig(
        settings=settings,
        data_root=data,
        workspace_root=root,
        secrets=secrets,
        max_upload_bytes=max_upload_bytes,
    )


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host
