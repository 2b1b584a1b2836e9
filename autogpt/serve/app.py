"""The Agent Protocol v1 routes under ``/ap/v1``, written here (the PyPI ``agent-protocol`` SDK
answers in a shape agbenchmark 0.0.10 cannot read), and the errors as JSON.

Every refusal is a 4xx with ``{"error": "..."}``: an unknown task or artifact (404), malformed
JSON (400), a body that does not fit (422), an upload over the cap (413), a path outside the
workspace (400), a missing or wrong token (401). Our own bug is a 500 with one line; its
traceback goes to the log, never to the client.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from autogpt.serve.artifacts import ArtifactError
from autogpt.serve.bodies import StepRequest, TaskRequest
from autogpt.serve.service import TaskEnded, TaskService
from autogpt.serve.tasks import Task, paginate

log = logging.getLogger(__name__)

PREFIX = "/ap/v1"
Body = TypeVar("Body", bound=BaseModel)
Page = Query(1, ge=1)
Size = Query(10, ge=1, le=100)
ArtifactSize = Query(100, ge=1, le=1000)
"""Clients that do not page (agbenchmark 0.0.10) get a whole workspace in one answer."""


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(service: TaskService, *, token: str | None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(service.stop)

    app = FastAPI(
        title="autogpt",
        version="v1",
        lifespan=lifespan,
        docs_url=f"{PREFIX}/docs",
        openapi_url=f"{PREFIX}/openapi.json",
        redoc_url=None,
    )
    _errors(app)
    if token:
        _require_token(app, token)
    _task_routes(app, service)
    _artifact_routes(app, service)
    return app


def _task_routes(app: FastAPI, service: TaskService) -> None:
    @app.post(f"{PREFIX}/agent/tasks")
    async def create_task(request: Request) -> dict[str, Any]:
        body = await _body(request, TaskRequest, empty_ok=False)
        try:
            body.goals()
        except ValueError as exc:
            raise ApiError(422, str(exc)) from None
        task = await run_in_threadpool(service.create, body)
        return _task_json(task, service)

    @app.get(f"{PREFIX}/agent/tasks")
    def list_tasks(current_page: int = Page, page_size: int = Size) -> dict[str, Any]:
        page = paginate(service.store.all(), current_page=current_page, page_size=page_size)
        return {
            "tasks": [_task_json(t, service, artifacts=False) for t in page.items],
            "pagination": page.pagination,
        }

    @app.get(f"{PREFIX}/agent/tasks/{{task_id}}")
    def get_task(task_id: str) -> dict[str, Any]:
        return _task_json(_task(service, task_id), service)

    @app.post(f"{PREFIX}/agent/tasks/{{task_id}}/steps")
    async def execute_step(task_id: str, request: Request) -> dict[str, Any]:
        task = _task(service, task_id)
        body = await _body(request, StepRequest, empty_ok=True)
        try:
            return await service.step(task, body.input)
        except TaskEnded as exc:
            raise ApiError(409, str(exc)) from None

    @app.get(f"{PREFIX}/agent/tasks/{{task_id}}/steps")
    def list_steps(task_id: str, current_page: int = Page, page_size: int = Size) -> Any:
        task = _task(service, task_id)
        page = paginate(task.steps, current_page=current_page, page_size=page_size)
        return {"steps": page.items, "pagination": page.pagination}

    @app.get(f"{PREFIX}/agent/tasks/{{task_id}}/steps/{{step_id}}")
    def get_step(task_id: str, step_id: str) -> dict[str, Any]:
        task = _task(service, task_id)
        for step in task.steps:
            if step.get("step_id") == step_id:
                return step
        raise ApiError(404, f"Task {task_id} has no step {step_id!r}.")


def _artifact_routes(app: FastAPI, service: TaskService) -> None:
    @app.get(f"{PREFIX}/agent/tasks/{{task_id}}/artifacts")
    def list_artifacts(
        task_id: str, current_page: int = Page, page_size: int = ArtifactSize
    ) -> dict[str, Any]:
        found = service.artifacts(_task(service, task_id)).all()
        page = paginate(found, current_page=current_page, page_size=page_size)
        return {"artifacts": [a.to_json() for a in page.items], "pagination": page.pagination}

    @app.post(f"{PREFIX}/agent/tasks/{{task_id}}/artifacts")
    async def upload_artifact(task_id: str, request: Request) -> dict[str, Any]:
        task = _task(service, task_id)
        limit = service.config.max_upload_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise ApiError(413, f"The upload is over the cap of {limit:,} bytes.")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise ApiError(400, "Send the file as multipart/form-data, in a part named 'file'.")
        async with request.form(max_files=1, max_fields=8) as form:
            upload = form.get("file")
            folder = form.get("relative_path")
            if not isinstance(upload, UploadFile):
                raise ApiError(400, "The upload has no part named 'file' holding a file.")
            if folder is not None and not isinstance(folder, str):
                raise ApiError(400, "relative_path must be text (a folder in the workspace).")
            artifact = await run_in_threadpool(
                service.artifacts(task).upload,
                upload.file,
                file_name=upload.filename or "",
                folder=folder,
                limit=limit,
            )
        return artifact.to_json()

    @app.get(f"{PREFIX}/agent/tasks/{{task_id}}/artifacts/{{artifact_id}}")
    def download_artifact(task_id: str, artifact_id: str) -> Response:
        path = service.artifacts(_task(service, task_id)).find(artifact_id)
        return FileResponse(path, media_type="application/octet-stream", filename=path.name)


def _task(service: TaskService, task_id: str) -> Task:
    task = service.store.get(task_id)
    if task is None:
        raise ApiError(404, f"No task {task_id!r}.")
    return task


def _task_json(task: Task, service: TaskService, *, artifacts: bool = True) -> dict[str, Any]:
    listed = service.artifacts(task).all() if artifacts else []
    return {
        "task_id": task.task_id,
        "input": task.input,
        "additional_input": task.additional_input,
        "created_at": task.created_at,
        "artifacts": [a.to_json() for a in listed],
        "status": task.outcome or ("running" if task.steps else "created"),
    }


async def _body(request: Request, model: type[Body], *, empty_ok: bool) -> Body:
    raw = await request.body()
    if not raw.strip():
        if not empty_ok:
            raise ApiError(400, "The request needs a JSON body.")
        return model()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, _describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message)

    @app.exception_handler(ArtifactError)
    async def artifact_error(request: Request, exc: ArtifactError) -> JSONResponse:
        return _error(exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        where = [".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors()[:5]]
        return _error(422, "; ".join(where) or "invalid request")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(500, f"Internal error: {type(exc).__name__}; the traceback is in the log.")


def _require_token(app: FastAPI, token: str) -> None:
    expected = f"Bearer {token}".encode()

    @app.middleware("http")
    async def bearer(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        sent = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(sent, expected):
            message = "Missing or wrong token: send Authorization: Bearer <AGENT_PROTOCOL_TOKEN>."
            return _error(401, message, **{"WWW-Authenticate": "Bearer"})
        return await call_next(request)
