"""Every setting, its `.env` name, default and validation.

Priority is pydantic-settings' own: values passed to ``Settings(...)`` (CLI flags), then the real
environment, then ``.env`` in the working directory, then the defaults below. Field names are the
lower-case Auto-GPT names, so grep finds both. This module never prints and never prompts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from autogpt.config.legacy import value_hint
from autogpt.errors import ConfigError

CommaList = Annotated[list[str], NoDecode]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
DEFAULT_SHELL_ALLOWLIST = "ls,cat,head,tail,wc,grep,find,echo,pwd,date"
DEFAULT_SHELL_DENYLIST = "sudo,su,rm,shutdown,reboot,mkfs,dd,chmod,chown,curl,wget,ssh,scp"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    # --- model (issue A/B) ---
    openai_api_key: SecretStr | None = None
    openai_api_base: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_BASE", "OPENAI_BASE_URL")
    )
    fast_llm_model: str = "gpt-6-luna"
    """OpenAI's current inexpensive model (genai-prices: $0.10 / $0.50 per million tokens)."""
    smart_llm_model: str = "gpt-6.1-sol"
    """OpenAI's current strong model for agentic work, a fifth of gpt-6-astra's price."""
    fast_token_limit: int = Field(default=16000, ge=256)
    smart_token_limit: int = Field(default=32000, ge=256)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    openai_functions: Literal["auto", "true", "false"] = "auto"
    openai_timeout: float = Field(default=120.0, gt=0)
    """Seconds per model request before it counts as failed and is retried; streaming, the
    seconds to the reply's first chunk."""
    stream_replies: bool = True
    """Ask for replies as a stream (shown as they arrive); off by itself for endpoints that
    refuse it."""
    stream_idle_timeout: float = Field(default=60.0, gt=0)
    """Streaming: the longest wait between two chunks before the request is retried."""
    openai_max_retries: int = Field(default=6, ge=0, le=20)
    openai_retry_max_wait: float = Field(default=60.0, gt=0)
    """The longest single wait between retries, in seconds (Retry-After is honoured up to it)."""
    api_budget: float = Field(default=0.0, ge=0.0)
    """Dollars; 0 means no budget."""
    model_price_input: float | None = Field(default=None, ge=0.0)
    model_price_output: float | None = Field(default=None, ge=0.0)
    """Dollars per 1,000 tokens for models the price table does not know (needed by a budget)."""
    prices_file: str | None = None
    """YAML/JSON of model -> dollars per million tokens, over genai-prices (``llm/prices.py``)."""

    # --- Azure OpenAI (issue I): Auto-GPT 0.2's names, or 0.3's azure.yaml (config/azure.py) ---
    use_azure: bool = False
    openai_azure_api_base: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OPENAI_AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
    )
    openai_azure_api_version: str | None = None
    openai_azure_deployment_id: str | None = None
    openai_azure_chat_deployment_id: str | None = None
    openai_azure_embeddings_deployment_id: str | None = None
    azure_config_file: str = "azure.yaml"

    # --- proxies (issue B/C): read from .env too, then exported for every HTTP library ---
    http_proxy: str | None = None
    https_proxy: str | None = None
    all_proxy: str | None = None
    no_proxy: str | None = None

    # --- run (issue A) ---
    ai_settings_file: str = "ai_settings.yaml"
    workspace_path: str = "auto_gpt_workspace"
    restrict_to_workspace: bool = True
    execute_local_commands: bool = False
    authorise_command_key: str = Field(default="y", min_length=1)
    exit_key: str = Field(default="n", min_length=1)
    read_file_max_chars: int = Field(default=20000, ge=100)
    """The most characters one read_file returns; the model reads further with offset."""
    permissions_file: str = "permissions.yaml"
    """allow / ask / deny rules for commands (agent/permissions.py); a missing file: none."""
    max_helper_agents: int = Field(default=5, ge=0, le=100)
    """Helper agents (start_agent) alive at once; 0: the helper-agent commands are off."""

    # --- web (issue C) ---
    search_backend: Literal["auto", "searxng", "duckduckgo", "google"] = "auto"
    searxng_url: str | None = None
    google_api_key: SecretStr | None = None
    custom_search_engine_id: str | None = None
    use_web_browser: Literal["chrome", "firefox", "none"] = "chrome"
    """none: read pages over plain HTTP (no scripts run)."""
    headless_browser: bool = True
    chromedriver_path: str | None = None
    browse_page_timeout: float = Field(default=30.0, gt=0)
    browse_summary_max_calls: int = Field(default=3, ge=1, le=20)
    browse_chunk_tokens: int = Field(default=1500, ge=200)
    allow_private_urls: bool = False
    allow_downloads: bool = False
    download_max_bytes: int = Field(default=50_000_000, ge=1)
    download_timeout: float = Field(default=300.0, gt=0)

    # --- code execution (issue D) ---
    execution_backend: Literal["auto", "docker", "local", "off"] = "auto"
    python_docker_image: str = "python:3.11-slim"
    execute_timeout: float = Field(default=60.0, gt=0)
    execute_memory_limit_mb: int = Field(default=512, ge=16)
    execute_cpu_limit: float = Field(default=1.0, gt=0)
    execute_pids_limit: int = Field(default=128, ge=8)
    execute_file_size_limit_mb: int = Field(default=1024, ge=1)
    shell_command_control: Literal["allowlist", "denylist"] = "allowlist"
    shell_allowlist: CommaList = Field(default_factory=lambda: DEFAULT_SHELL_ALLOWLIST.split(","))
    shell_denylist: CommaList = Field(default_factory=lambda: DEFAULT_SHELL_DENYLIST.split(","))
    allow_unsandboxed_execution: bool = False

    # --- persistence and memory (issue E) ---
    autogpt_data_dir: str = ".autogpt"
    memory_backend: Literal["no_memory", "local", "postgres"] = "local"
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int = Field(default=512, ge=0)
    """0 means the model's native size; text-embedding-3-* accept smaller ones."""
    database_url: SecretStr | None = None
    memory_prompt_share: float = Field(default=0.1, ge=0.0, le=0.5)
    """The share of the token limit that recalled memories may take in a prompt."""

    # --- generate_image (issue K item 3; commands/images.py, llm/images.py) ---
    image_provider: Literal["openai", "sdwebui", "none"] = "none"
    """none: generate_image is not offered (many endpoints have no images API)."""
    image_model: str = "gpt-image-1-mini"
    image_api_base: str | None = None
    """An OpenAI-compatible endpoint for images; empty: OPENAI_API_BASE."""
    image_api_key: SecretStr | None = None
    """Its key; empty: OPENAI_API_KEY."""
    image_price: float | None = Field(default=None, ge=0.0)
    """Dollars per image for a model the price table does not know (llm/image_prices.py)."""
    image_timeout: float = Field(default=180.0, gt=0)
    sd_webui_url: str = "http://127.0.0.1:7860"
    sd_webui_auth: SecretStr | None = None
    """``user:password`` when the WebUI runs with ``--api-auth``."""

    # --- the Agent Protocol server, `python -m autogpt serve` (issue H) ---
    agent_protocol_token: SecretStr | None = None
    """Clients send it as ``Authorization: Bearer``; needed to listen beyond 127.0.0.1."""
    # --- MCP tool servers (issue J) ---
    mcp_config: str | None = None
    """The servers file ({"mcpServers": {...}}); by default mcp_servers.json beside .env."""
    mcp_start_timeout: float = Field(default=10.0, gt=0)
    # --- speech, --speak (issue K): autogpt/speech/ ---
    speak_mode: bool = False
    tts_provider: Literal["auto", "espeak", "openai", "none"] = "auto"
    """auto: espeak-ng when installed, else OpenAI's own /audio/speech, else none."""
    tts_model: str = "gpt-4o-mini-tts"
    tts_voice: str = "alloy"
    speech_output_dir: str | None = None
    """Write each utterance here as a numbered .wav file instead of playing it."""
    # --- clone_repository (issue K): git/environment.py, git/clone.py ---
    github_username: str | None = None
    github_api_key: SecretStr | None = None
    github_hosts: CommaList = Field(default_factory=lambda: ["github.com"])
    """Where the GitHub credentials are sent: ``github.com`` means https://github.com only."""
    clone_timeout: float = Field(default=300.0, gt=0)
    clone_max_bytes: int = Field(default=200_000_000, ge=1)
    clone_depth: int = Field(default=1, ge=0)
    """1: the latest commit only; 0: the whole history."""

    @field_validator("shell_allowlist", "shell_denylist", "github_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "openai_api_base",
        "searxng_url",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "chromedriver_path",
        "custom_search_engine_id",
        "prices_file",
        "openai_azure_api_base",
        "openai_azure_api_version",
        "openai_azure_deployment_id",
        "openai_azure_chat_deployment_id",
        "openai_azure_embeddings_deployment_id",
        "speech_output_dir",
        "image_api_base",
        "image_price",
        "github_username",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("http_proxy", "https_proxy", "all_proxy")
    @classmethod
    def _proxy_is_a_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return (
            None
            if value is None
            else _checked_url(
                value.strip(), env_name(str(info.field_name)), PROXY_SCHEMES, default_scheme="http"
            )
        )

    @field_validator("image_provider", mode="before")
    @classmethod
    def _dalle_is_openai(cls, value: Any) -> Any:
        """Auto-GPT's ``IMAGE_PROVIDER=dalle`` is the OpenAI images API."""
        if isinstance(value, str):
            value = value.strip().lower()
            return {"dalle": "openai", "": "none"}.get(value, value)
        return value

    @field_validator("image_api_base", "sd_webui_url")
    @classmethod
    def _image_url_is_a_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip()
        name = env_name(str(info.field_name))
        return _checked_url(value, name, ("http", "https"), default_scheme=_likely_scheme(value))

    @field_validator("openai_api_base")
    @classmethod
    def _api_base_is_a_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return _checked_url(
            value, "OPENAI_API_BASE", ("http", "https"), default_scheme=_likely_scheme(value)
        )

    @field_validator(
        "openai_api_key",
        "google_api_key",
        "database_url",
        "agent_protocol_token",
        "image_api_key",
        "sd_webui_auth",
        "github_api_key",
        mode="before",
    )
    @classmethod
    def _blank_secret_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and (not value.strip() or value.strip() == "your-openai-api-key"):
            return None
        return value

    @field_validator("model_price_input", "model_price_output", mode="before")
    @classmethod
    def _blank_price_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("workspace_path")
    @classmethod
    def _workspace_is_a_directory(cls, value: str) -> str:
        if Path(value).exists() and not Path(value).is_dir():
            raise PydanticCustomError(
                "not_a_directory",
                "a file, not a directory (-w or "
                "WORKSPACE_PATH: give a directory; it is created if missing)",
            )
        return value

    @field_validator("ai_settings_file")
    @classmethod
    def _profile_is_a_file(cls, value: str) -> str:
        if Path(value).is_dir():
            raise PydanticCustomError(
                "not_a_file", "a directory (-C or AI_SETTINGS_FILE: give a YAML file)"
            )
        return value

    @property
    def data_dir(self) -> Path:
        return Path(self.autogpt_data_dir)

    def secret_values(self) -> list[str]:
        """Every secret these settings hold (API keys, tokens, the database URL, proxy
        passwords): what the logs, the journal and the model's view are scrubbed of."""
        found = [
            value.get_secret_value()
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr) and value.get_secret_value()
        ]
        for proxy_url in (self.http_proxy, self.https_proxy, self.all_proxy):
            password = urlsplit(proxy_url).password if proxy_url else None
            if password:
                found.append(password)
        return found


def _checked_url(value: str, name: str, schemes: tuple[str, ...], *, default_scheme: str) -> str:
    """``value`` if it is a URL with one of ``schemes`` and a host; else a ValueError whose text
    shows the fix, with any password masked (``HTTP_PROXY=http://127.0.0.1:7890``)."""
    if "://" not in value:
        fixed = _masked(f"{default_scheme}://{value}")
        raise ValueError(f"no scheme; write {name}={fixed}")
    parts = urlsplit(value)
    if parts.scheme.lower() not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        raise ValueError(f"unknown scheme '{parts.scheme}://': use {allowed}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            f"the port is not a number; write {name}={parts.scheme}://host:port"
        ) from None
    if not parts.hostname:
        raise ValueError(
            f"no host; write {name}={parts.scheme}://host" + (f":{port}" if port else ":port")
        )
    return value


def _likely_scheme(value: str) -> str:
    """http for a local or self-hosted address without a scheme, https for anything else."""
    host = urlsplit(f"//{value}").hostname or ""
    local = host == "localhost" or host.replace(".", "").isdigit() or ":" in host
    return "http" if local else "https"


def _masked(url: str) -> str:
    """``url`` (with or without a scheme) with its password, if any, as ``***``."""
    try:
        password = urlsplit(url if "://" in url else f"x://{url}").password
    except ValueError:
        password = None
    return url.replace(f":{password}@", ":***@", 1) if password else url


def env_name(field_name: str) -> str:
    return field_name.upper()


def load_settings(**overrides: Any) -> Settings:
    """Build Settings once; a validation problem becomes one ConfigError line per variable."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(describe_settings_error(exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f".env is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}). "
            "Save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8) and run again."
        ) from None


def describe_settings_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        name = env_name(str(err["loc"][0])) if err["loc"] else "settings"
        value = err.get("input")
        shown = "(secret)" if "KEY" in name or "URL" in name and "DATABASE" in name else repr(value)
        if isinstance(value, str) and (name.endswith("_PROXY") or name == "OPENAI_API_BASE"):
            shown = repr(_masked(value))
        allowed = err["msg"]
        if err["type"] == "value_error":
            allowed = str(err["ctx"]["error"])
        elif err["type"] == "literal_error":
            allowed = "expected " + err["ctx"]["expected"]
            hint = value_hint(name, value)
            allowed += f". {hint}" if hint else ""
        elif err["type"].startswith("int_"):
            allowed = "expected an integer"
        elif err["type"].startswith("float_"):
            allowed = "expected a number"
        elif err["type"].startswith("bool_"):
            allowed = "expected true or false (also 1/0, yes/no, on/off)"
        lines.append(f"{name}={shown}: {allowed}")
    return "Invalid setting: " + "\n".join(lines)
