"""Image generation requests: an OpenAI-compatible ``images/generations`` endpoint (IMAGE_MODEL)
or a Stable Diffusion WebUI's ``/sdapi/v1/txt2img`` (SD_WEBUI_URL). No prompt knowledge.

Every request, and the download of an image an endpoint answers with a URL, goes through the
proxy ``config/proxy.py`` chooses for its URL, with the answer capped at ``MAX_IMAGE_BYTES``.
Transient failures (dropped connections, timeouts, 408/409/429/5xx) are retried with the run's
policy (``llm/retry.py``: OPENAI_MAX_RETRIES, OPENAI_RETRY_MAX_WAIT, Retry-After honoured), each
wait told to ``on_wait`` first. What outlasts the retries, or is refused, is an
:class:`ImageFailed` whose text is one line for the model. The key is sent to the images endpoint
only, never to the URL it answers with.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from autogpt.config.proxy import proxy_setting, redact
from autogpt.config.settings import Settings
from autogpt.llm.image_prices import fit_size, image_price
from autogpt.llm.response_cap import ResponseTooLarge, capped_transport
from autogpt.llm.retry import (
    Failure,
    RetryPolicy,
    is_proxy_auth_refusal,
    parse_retry_after,
    root_cause,
    unreachable_reason,
)

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 32 * 1024 * 1024
"""One answer (a base64 JSON or a downloaded image); a 1536x1024 PNG is a few megabytes."""

ImageWait = Callable[[int, int, float, str], None]
"""(retry number, max retries, seconds, what failed) — shown before each wait."""


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    """The image file as the service sent it (checked to be a PNG by the command)."""
    model: str
    size: str
    """The size asked of the service (the one asked for, or the model's nearest)."""
    revised_prompt: str | None = None


class ImageFailed(Exception):
    """The image could not be made; the text says why, for the model."""


class _Attempt(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class ImageService:
    """The HTTP side shared by both providers: proxies, the size cap, retries."""

    provider = ""

    def __init__(self, settings: Settings, *, model: str, on_wait: ImageWait | None) -> None:
        self.settings = settings
        self.model = model
        self.on_wait = on_wait
        self.policy = RetryPolicy(
            max_retries=settings.openai_max_retries, max_delay=settings.openai_retry_max_wait
        )

    def generate(self, prompt: str, size: str) -> GeneratedImage:
        raise NotImplementedError

    def price(self, size: str) -> float | None:
        """Dollars for one image of ``size``; None: unknown."""
        return image_price(self.model, fit_size(self.model, size), self.settings.image_price)

    def describe(self) -> str:
        raise NotImplementedError

    def _post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        """POST JSON, retried; the answer's JSON."""
        import json

        raw = self._with_retries(lambda: self._once("POST", url, body, headers), url)
        try:
            return json.loads(raw)
        except ValueError:
            raise ImageFailed(
                f"the image service at {url} answered with something not JSON"
            ) from None

    def _download(self, url: str) -> bytes:
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise ImageFailed(f"the image service answered with a URL that is not http(s): {url!r}")
        return self._with_retries(lambda: self._once("GET", url, None, {}), url)

    def _with_retries(self, call: Callable[[], bytes], url: str) -> bytes:
        attempt = 0
        while True:
            try:
                return call()
            except _Attempt as failed:
                failure = failed.failure
            attempt += 1
            if not self.policy.allows(attempt, failure):
                raise ImageFailed(_final(failure, url, attempt, self)) from None
            delay = self.policy.delay(attempt, failure)
            total = self.policy.retries_for(failure)
            what = f"the image service at {url}: {_reason(failure)}"
            log.warning("image retry %d/%d in %.1f s: %s", attempt, total, delay, what)
            if self.on_wait:
                self.on_wait(attempt, total, delay, what)
            time.sleep(delay)

    def _once(
        self, method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> bytes:
        import httpx2

        chosen = proxy_setting(url, self.settings)
        proxy = chosen[1] if chosen else None
        shown_proxy = redact(proxy) if proxy else None
        transport = capped_transport(proxy, MAX_IMAGE_BYTES)
        try:
            with httpx2.Client(
                transport=transport, trust_env=False, timeout=self.settings.image_timeout
            ) as client:
                response = client.request(method, url, json=body, headers=headers)
        except ResponseTooLarge as exc:
            raise _Attempt(Failure("too_large", message=str(exc), endpoint=url)) from None
        except httpx2.TimeoutException:
            message = f"timed out after {self.settings.image_timeout:g} s (IMAGE_TIMEOUT)"
            raise _Attempt(Failure("timeout", message=message, endpoint=url)) from None
        except httpx2.TransportError as exc:
            if proxy and is_proxy_auth_refusal(exc):
                failure = Failure("proxy_auth", status=407, message=root_cause(exc))
            elif reason := unreachable_reason(exc):
                failure = Failure("unreachable", message=reason)
            else:
                failure = Failure("connection", message=root_cause(exc))
            raise _Attempt(_with_place(failure, url, shown_proxy)) from None
        if response.status_code >= 400:
            raise _Attempt(_status_failure(response, url, shown_proxy))
        content: bytes = response.content
        return content


def _with_place(failure: Failure, url: str, proxy: str | None) -> Failure:
    return Failure(
        failure.kind,
        status=failure.status,
        message=failure.message,
        endpoint=url,
        proxy=proxy,
    )


def _status_failure(response: Any, url: str, proxy: str | None) -> Failure:
    message, code = response.text[:300].strip(), None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            message = str(inner.get("message") or inner.get("detail") or message)
            code = inner.get("code") or inner.get("type")
        elif isinstance(inner, str):  # the WebUI's {"error": "...", "detail": "..."}
            message = str(body.get("detail") or inner)
    return Failure(
        "status",
        status=response.status_code,
        code=str(code) if code else None,
        message=message,
        retry_after=parse_retry_after(response.headers),
        endpoint=url,
        proxy=proxy,
    )


def _reason(failure: Failure) -> str:
    if failure.kind == "status":
        return f"HTTP {failure.status} {failure.message}".strip()
    return failure.message or failure.short()


def _final(failure: Failure, url: str, attempts: int, service: ImageService) -> str:
    """One line for the model: what went wrong and whether trying again can help."""
    via = f" through proxy {failure.proxy}" if failure.proxy else ""
    where = f"the image service at {url}{via}"
    if failure.kind == "proxy_auth":
        return f"the proxy{via} refused the credentials for {url}; the user must fix the proxy"
    if failure.kind == "too_large":
        cap = MAX_IMAGE_BYTES / 2**20
        return f"{where} sent an answer larger than {cap:g} MB; nothing was saved"
    if failure.status in (401, 403):
        return (
            f"{where} refused the key ({failure.status}: {failure.message}); the user must set "
            f"{'SD_WEBUI_AUTH' if service.provider == 'sdwebui' else 'IMAGE_API_KEY'}. "
            "Go on without images."
        )
    if failure.status == 404:
        return (
            f"{where} has no images API or no model {service.model!r} (404: "
            f"{failure.message}). Image generation does not work with this endpoint; go on "
            "without images."
        )
    if failure.kind == "unreachable":
        return f"{where} could not be reached: {failure.message}. Go on without images."
    if failure.retryable:
        return f"{where} failed {attempts} times (last: {_reason(failure)}). Try again later."
    return f"{where} refused the request (HTTP {failure.status}: {failure.message})"


class OpenAIImages(ImageService):
    """``POST {IMAGE_API_BASE or OPENAI_API_BASE}/images/generations``: one image, answered as
    ``b64_json`` or as a ``url`` that is then downloaded."""

    provider = "openai"

    def __init__(self, settings: Settings, *, on_wait: ImageWait | None = None) -> None:
        super().__init__(settings, model=settings.image_model, on_wait=on_wait)
        base = settings.image_api_base or settings.openai_api_base or "https://api.openai.com/v1"
        self.url = base.rstrip("/") + "/images/generations"
        self.key = settings.image_api_key or settings.openai_api_key

    def describe(self) -> str:
        return f"openai, {self.model} at {self.url}"

    def generate(self, prompt: str, size: str) -> GeneratedImage:
        size = fit_size(self.model, size)
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "n": 1, "size": size}
        name = self.model.lower().split("/")[-1]
        if name.startswith("dall-e"):
            body["response_format"] = "b64_json"  # gpt-image models refuse it: always b64
        elif name.startswith("gpt-image"):
            body["quality"] = "medium"  # what the price table counts ("auto" may pick high)
        headers = {"Authorization": f"Bearer {self.key.get_secret_value()}"} if self.key else {}
        answer = self._post(self.url, body, headers)
        data = answer.get("data") if isinstance(answer, dict) else None
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        revised = first.get("revised_prompt")
        revised = revised if isinstance(revised, str) and revised.strip() else None
        if isinstance(first.get("b64_json"), str):
            png = _decoded(first["b64_json"], self.url)
        elif isinstance(first.get("url"), str):
            png = self._download(first["url"])
        else:
            raise ImageFailed(f"the image service at {self.url} answered without an image")
        return GeneratedImage(png, self.model, size, revised)


class SdWebUi(ImageService):
    """A Stable Diffusion WebUI (AUTOMATIC1111 or Forge) started with ``--api``: ``POST
    /sdapi/v1/txt2img``, answered with base64 images. Runs on your machine: $0 an image unless
    IMAGE_PRICE says otherwise."""

    provider = "sdwebui"

    def __init__(self, settings: Settings, *, on_wait: ImageWait | None = None) -> None:
        super().__init__(settings, model="stable-diffusion-webui", on_wait=on_wait)
        self.url = settings.sd_webui_url.rstrip("/") + "/sdapi/v1/txt2img"

    def describe(self) -> str:
        return f"sdwebui at {self.url}"

    def price(self, size: str) -> float | None:
        return self.settings.image_price or 0.0

    def generate(self, prompt: str, size: str) -> GeneratedImage:
        width, _, height = size.partition("x")
        body = {
            "prompt": prompt,
            "width": int(width),
            "height": int(height),
            "n_iter": 1,
            "batch_size": 1,
        }
        headers = {}
        auth = self.settings.sd_webui_auth
        if auth:
            token = base64.b64encode(auth.get_secret_value().encode("utf-8")).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        answer = self._post(self.url, body, headers)
        images = answer.get("images") if isinstance(answer, dict) else None
        if not isinstance(images, list) or not images or not isinstance(images[0], str):
            raise ImageFailed(f"the Stable Diffusion WebUI at {self.url} answered without an image")
        return GeneratedImage(_decoded(images[0], self.url), self.model, size)


def _decoded(text: str, url: str) -> bytes:
    """Base64 (a ``data:image/png;base64,`` prefix allowed) to bytes."""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImageFailed(f"the image service at {url} sent an image that is not base64") from None


def image_service(settings: Settings, *, on_wait: ImageWait | None = None) -> ImageService | None:
    """The configured provider, or None with IMAGE_PROVIDER=none."""
    if settings.image_provider == "openai":
        return OpenAIImages(settings, on_wait=on_wait)
    if settings.image_provider == "sdwebui":
        return SdWebUi(settings, on_wait=on_wait)
    return None
