from pathlib import Path

import pytest

from autogpt.config.settings import load_settings
from autogpt.errors import ConfigError


def test_defaults_match_auto_gpt() -> None:
    s = load_settings()
    assert (s.fast_llm_model, s.smart_llm_model) == ("gpt-6-luna", "gpt-6.1-sol")
    assert (s.fast_token_limit, s.smart_token_limit) == (16000, 32000)
    assert s.restrict_to_workspace is True
    assert s.execute_local_commands is False
    assert (s.authorise_command_key, s.exit_key) == ("y", "n")


@pytest.mark.parametrize("value", ["True", "true", "1", "yes", "YES", "on"])
def test_booleans_accept_any_case(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EXECUTE_LOCAL_COMMANDS", value)
    assert load_settings().execute_local_commands is True


def test_bad_value_names_variable_value_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAST_TOKEN_LIMIT", "lots")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "FAST_TOKEN_LIMIT='lots': expected an integer" in info.value.message
    assert info.value.exit_code == 2


def test_env_file_is_read_and_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "FAST_LLM_MODEL=from-dotenv\nSMART_LLM_MODEL=gpt-4o\n", encoding="utf-8"
    )
    monkeypatch.setenv("FAST_LLM_MODEL", "from-env")
    s = load_settings()
    assert s.fast_llm_model == "from-env"
    assert s.smart_llm_model == "gpt-4o"


def test_openai_base_url_is_read_as_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    assert load_settings().openai_api_base == "http://localhost:8000/v1"


def test_api_key_is_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-key")
    s = load_settings()
    assert "sk-very-secret-key" not in repr(s)
    assert s.openai_api_key is not None
    assert s.openai_api_key.get_secret_value() == "sk-very-secret-key"


def test_placeholder_key_from_template_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "your-openai-api-key")
    assert load_settings().openai_api_key is None


def test_shell_allowlist_is_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL_ALLOWLIST", "ls, cat ,echo")
    assert load_settings().shell_allowlist == ["ls", "cat", "echo"]


def test_literal_setting_lists_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_FUNCTIONS", "maybe")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "OPENAI_FUNCTIONS='maybe'" in info.value.message
    assert "'auto'" in info.value.message


@pytest.mark.parametrize(
    ("name", "value", "fix"),
    [
        ("HTTP_PROXY", "127.0.0.1:7890", "http://127.0.0.1:7890"),
        ("HTTPS_PROXY", "proxy.corp:3128", "http://proxy.corp:3128"),
        ("ALL_PROXY", "127.0.0.1:1080", "http://127.0.0.1:1080"),
        ("OPENAI_API_BASE", "localhost:8000/v1", "http://localhost:8000/v1"),
        ("OPENAI_API_BASE", "api.example.com/v1", "https://api.example.com/v1"),
    ],
)
def test_a_url_without_a_scheme_is_one_line_showing_the_fix(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fix: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.message == f"Invalid setting: {name}={value!r}: no scheme; write {name}={fix}"
    assert info.value.exit_code == 2


def test_a_proxy_password_never_shows_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "alice:hunter2@proxy.corp:3128")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "hunter2" not in info.value.message
    assert "write HTTPS_PROXY=http://alice:***@proxy.corp:3128" in info.value.message


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("ALL_PROXY", "sock5://127.0.0.1:1080", "unknown scheme 'sock5://'"),
        ("HTTP_PROXY", "http://:3128", "no host"),
        (
            "OPENAI_API_BASE",
            "ftp://models.example/v1",
            "unknown scheme 'ftp://': use http://, https://",
        ),
        ("OPENAI_API_BASE", "http://localhost:port/v1", "the port is not a number"),
    ],
)
def test_a_malformed_proxy_or_api_base_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.message.startswith(f"Invalid setting: {name}={value!r}: {problem}")


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:7890", "socks5h://u:p@10.0.0.1:1080", "https://proxy.corp"]
)
def test_proxy_urls_with_a_scheme_are_kept(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HTTP_PROXY", value)
    assert load_settings().http_proxy == value


def test_a_workspace_path_that_is_a_file_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(workspace_path="notes.txt")
    assert "WORKSPACE_PATH='notes.txt': a file, not a directory" in info.value.message
    assert load_settings(workspace_path="new_folder").workspace_path == "new_folder"


def test_an_ai_settings_file_that_is_a_directory_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    with pytest.raises(ConfigError, match="AI_SETTINGS_FILE='profiles': a directory"):
        load_settings(ai_settings_file="profiles")


@pytest.mark.parametrize("old", ["redis", "pinecone", "milvus", "weaviate"])
def test_an_old_memory_backend_says_what_to_use(monkeypatch: pytest.MonkeyPatch, old: str) -> None:
    monkeypatch.setenv("MEMORY_BACKEND", old)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert f"{old} memory is not supported any more: use MEMORY_BACKEND=local" in info.value.message


def test_safari_says_which_browsers_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USE_WEB_BROWSER", "safari")
    with pytest.raises(ConfigError, match="safari is not supported: use USE_WEB_BROWSER=chrome"):
        load_settings()


def test_old_names_get_one_note_per_topic(tmp_path: Path) -> None:
    from autogpt.config.legacy import migration_notes

    (tmp_path / ".env").write_text(
        "REDIS_HOST=localhost\nREDIS_PORT=6379\nUSE_AZURE=False\n", encoding="utf-8"
    )
    notes = migration_notes(
        {"ELEVENLABS_API_KEY": "k", "WIPE_REDIS_ON_START": "True"}, env_file=tmp_path / ".env"
    )
    assert notes == [
        "REDIS_HOST, REDIS_PORT are not read any more: Redis, Pinecone, Milvus and Weaviate "
        "memory are gone: use MEMORY_BACKEND=local (the default: files under "
        "AUTOGPT_DATA_DIR/memory, kept across runs) or MEMORY_BACKEND=postgres (PostgreSQL with "
        "pgvector, DATABASE_URL) to share memory between machines.",
        "WIPE_REDIS_ON_START is not read any more: memory is kept across runs; --wipe-memory "
        "clears it.",
        "ELEVENLABS_API_KEY is not read any more: --speak uses espeak-ng or an OpenAI-compatible "
        "/audio/speech now: see TTS_PROVIDER.",
    ]
