"""Azure OpenAI with the settings Auto-GPT users have: ``USE_AZURE=True`` and either the 0.2
names in ``.env`` (``OPENAI_AZURE_API_BASE``, ``OPENAI_AZURE_API_VERSION``,
``OPENAI_AZURE_CHAT_DEPLOYMENT_ID``, ``OPENAI_AZURE_EMBEDDINGS_DEPLOYMENT_ID``,
``OPENAI_AZURE_DEPLOYMENT_ID``) or 0.3's ``azure.yaml`` (``AZURE_CONFIG_FILE``: ``azure_api_base``,
``azure_api_version``, ``azure_model_map`` with ``fast_llm_model_deployment_id``,
``smart_llm_model_deployment_id``, ``embedding_model_deployment_id``). The key is
``OPENAI_API_KEY``. Never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autogpt.errors import ConfigError

if TYPE_CHECKING:
    from autogpt.config.settings import Settings

DEFAULT_API_VERSION = "2024-10-21"
"""Azure's current generally available data-plane version when none is given."""


@dataclass(frozen=True)
class AzureSetup:
    endpoint: str
    api_version: str
    deployments: dict[str, str] = field(default_factory=dict)
    """Model name (FAST_LLM_MODEL, SMART_LLM_MODEL, EMBEDDING_MODEL) -> its deployment."""

    def deployment(self, model: str) -> str:
        return self.deployments.get(model, model)


def azure_setup(settings: Settings) -> AzureSetup | None:
    """The Azure endpoint, API version and deployments, or None without ``USE_AZURE``."""
    if not settings.use_azure:
        return None
    config = _read_yaml(Path(settings.azure_config_file))
    models = config.get("azure_model_map") or {}
    if not isinstance(models, dict):
        raise ConfigError(f"{settings.azure_config_file}: azure_model_map must be a mapping")
    endpoint = settings.openai_azure_api_base or config.get("azure_api_base")
    if not endpoint:
        raise ConfigError(
            "USE_AZURE=True needs the endpoint: set OPENAI_AZURE_API_BASE="
            "https://<resource>.openai.azure.com in .env (or azure_api_base in "
            f"{settings.azure_config_file})"
        )
    version = (
        settings.openai_azure_api_version or config.get("azure_api_version") or DEFAULT_API_VERSION
    )
    chat = settings.openai_azure_chat_deployment_id or settings.openai_azure_deployment_id
    wanted = {
        settings.fast_llm_model: models.get("fast_llm_model_deployment_id") or chat,
        settings.smart_llm_model: models.get("smart_llm_model_deployment_id") or chat,
        settings.embedding_model: models.get("embedding_model_deployment_id")
        or settings.openai_azure_embeddings_deployment_id,
    }
    deployments = {model: str(dep) for model, dep in wanted.items() if dep}
    return AzureSetup(str(endpoint).rstrip("/"), str(version), deployments)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}
