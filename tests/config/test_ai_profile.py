from pathlib import Path

import pytest

from autogpt.config.ai_profile import (
    DEFAULT_NAME,
    DEFAULT_ROLE,
    AIProfile,
    ProfileError,
    load_profile,
    save_profile,
)


def test_chinese_profile_round_trips_unescaped(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    profile = AIProfile(
        "市场规划经理",
        "帮助公司制定和实施市场营销计划",
        ["写一篇关于冰淇淋的市场调查报告, 要求100字"],
        1.5,
    )
    save_profile(profile, path)
    text = path.read_text(encoding="utf-8")
    assert "市场规划经理" in text and "\\u" not in text
    assert load_profile(path) == profile


def test_missing_file_gives_none(tmp_path: Path) -> None:
    assert load_profile(tmp_path / "nope.yaml") is None


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_name: x\nai_goals: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(path)


def test_a_sixth_goal_is_not_used_and_is_named_in_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    path.write_text(
        "ai_name: a\nai_role: b\nai_goals: [g1, g2, g3, g4, g5, 第六个目标]\n", encoding="utf-8"
    )
    profile = load_profile(path)
    assert profile is not None
    assert profile.ai_goals == ["g1", "g2", "g3", "g4", "g5"]
    (warning,) = profile.warnings
    assert "6 goals" in warning and "'第六个目标'" in warning


def test_an_empty_role_uses_the_default_and_says_which(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_name: Writer\nai_role: ''\nai_goals: [write]\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile is not None
    assert profile.ai_name == "Writer" and profile.ai_role == DEFAULT_ROLE
    (warning,) = profile.warnings
    assert "ai_role is empty" in warning and DEFAULT_ROLE in warning and "ai_name" not in warning


def test_a_missing_name_is_named_and_not_the_role(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_role: writes\nai_goals: [write]\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile is not None
    assert profile.ai_name == DEFAULT_NAME
    (warning,) = profile.warnings
    assert "ai_name is empty" in warning and "ai_role" not in warning


def test_a_misspelt_field_is_named_with_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_name: a\nai_role: b\nai_goal: [write]\n", encoding="utf-8")
    profile = load_profile(path)
    assert profile is not None
    assert profile.ai_goals == []
    assert profile.warnings == [
        f"{path}: unknown field 'ai_goal' is ignored (did you mean ai_goals?)"
    ]
