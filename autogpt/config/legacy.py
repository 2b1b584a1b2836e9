"""Auto-GPT 0.2 / 0.3 settings that are gone or changed, and what to use instead.

A migrating user's `.env` still says ``MEMORY_BACKEND=redis`` or ``REDIS_HOST``. A value that
is no longer valid is a configuration error whose message names the replacement
(:func:`value_hint`); a name that is no longer read is one warning per topic
(:func:`migration_notes`), and the run goes on. Never prints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_MEMORY = (
    "use MEMORY_BACKEND=local (the default: files under AUTOGPT_DATA_DIR/memory, kept "
    "across runs) or MEMORY_BACKEND=postgres (PostgreSQL with pgvector, DATABASE_URL) "
    "to share memory between machines"
)
_BROWSER = (
    "use USE_WEB_BROWSER=chrome (headless Chromium, the tested path), firefox (needs "
    "geckodriver) or none (plain HTTP)"
)

VALUE_HINTS: dict[tuple[str, str], str] = {
    **{
        ("MEMORY_BACKEND", old): f"{old} memory is not supported any more: {_MEMORY}"
        for old in ("redis", "pinecone", "milvus", "weaviate")
    },
    **{
        ("USE_WEB_BROWSER", old): f"{old} is not supported: {_BROWSER}"
        for old in ("safari", "edge")
    },
    ("IMAGE_PROVIDER", "huggingface"): (
        "Hugging Face's image API is not supported: use IMAGE_PROVIDER=openai (an "
        "OpenAI-compatible images endpoint), sdwebui (a Stable Diffusion WebUI) or none"
    ),
}

# topic -> (the names, what to do instead); a topic is told once, naming the names that are set.
REMOVED: dict[str, tuple[tuple[str, ...], str]] = {
    "memory": (
        (
            "REDIS_HOST",
            "REDIS_PORT",
            "REDIS_PASSWORD",
            "MEMORY_INDEX",
            "PINECONE_API_KEY",
            "PINECONE_ENV",
            "MILVUS_ADDR",
            "MILVUS_USERNAME",
            "MILVUS_PASSWORD",
            "MILVUS_SECURE",
            "MILVUS_COLLECTION",
            "WEAVIATE_HOST",
            "WEAVIATE_PORT",
            "WEAVIATE_PROTOCOL",
            "WEAVIATE_USERNAME",
            "WEAVIATE_PASSWORD",
            "WEAVIATE_API_KEY",
            "WEAVIATE_SCOPES",
            "USE_WEAVIATE_EMBEDDED",
            "WEAVIATE_EMBEDDED_PATH",
        ),
        "Redis, Pinecone, Milvus and Weaviate memory are gone: " + _MEMORY,
    ),
    "wipe": (("WIPE_REDIS_ON_START",), "memory is kept across runs; --wipe-memory clears it"),
    "images": (
        (
            "IMAGE_SIZE",
            "HUGGINGFACE_IMAGE_MODEL",
            "HUGGINGFACE_API_TOKEN",
            "HUGGINGFACE_AUDIO_TO_TEXT_MODEL",
        ),
        "Hugging Face images and audio-to-text are not part of autogpt, and generate_image "
        "takes its size as an argument; these are ignored",
    ),
    "speech": (
        (
            "ELEVENLABS_API_KEY",
            "ELEVENLABS_VOICE_1_ID",
            "ELEVENLABS_VOICE_2_ID",
            "ELEVENLABS_VOICE_ID",
            "USE_MAC_OS_TTS",
            "USE_BRIAN_TTS",
            "TEXT_TO_SPEECH_PROVIDER",
        ),
        "--speak uses espeak-ng or an OpenAI-compatible /audio/speech now: see TTS_PROVIDER",
    ),
    "plugins": (
        ("PLUGINS_DIR", "ALLOWLISTED_PLUGINS", "DENYLISTED_PLUGINS", "CHAT_MESSAGES_ENABLED"),
        "plugins are not supported; these are ignored",
    ),
    "chunks": (
        ("BROWSE_CHUNK_MAX_LENGTH", "BROWSE_SPACY_LANGUAGE_MODEL"),
        "pages are split by tokens now: use BROWSE_CHUNK_TOKENS (default 1500)",
    ),
    "agent": (("USER_AGENT",), "pages are read with the browser's own user agent; ignored"),
    "fast": (("FAST_LLM",), "the name is FAST_LLM_MODEL"),
    "smart": (("SMART_LLM",), "the name is SMART_LLM_MODEL"),
    "cse": (("GOOGLE_CUSTOM_SEARCH_ENGINE_ID",), "the name is CUSTOM_SEARCH_ENGINE_ID"),
}
_OFF = {"", "false", "0", "no", "off"}


def value_hint(name: str, value: object) -> str | None:
    """What to use instead of an old value that no longer validates, e.g. MEMORY_BACKEND=redis."""
    return VALUE_HINTS.get((name.upper(), str(value).strip().lower()))


def migration_notes(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")
) -> list[str]:
    """One line per topic of old names set in the environment or ``env_file`` (a flag set to
    False, or an empty value, is not worth a word)."""
    values = dict(_read_env_file(env_file))
    values.update(os.environ if environ is None else environ)
    upper = {k.upper(): v for k, v in values.items()}
    notes = []
    for names, instead in REMOVED.values():
        found = [n for n in names if str(upper.get(n, "")).strip().lower() not in _OFF]
        if found:
            verb = "is" if len(found) == 1 else "are"
            notes.append(f"{', '.join(found)} {verb} not read any more: {instead}.")
    return notes


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v or "" for k, v in dotenv_values(path, encoding="utf-8").items()}
