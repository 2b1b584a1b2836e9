import pytest

from autogpt.config.ai_profile import AIProfile, ProfileError, load_profile, save_profile


def test_chinese_profile_round_trips_unescaped(tmp_path):
    path = tmp_path / "ai_settings.yaml"
    profile = AIProfile("市场规划经理", "帮助公司制定和实施市场营销计划",
                        ["写一篇关于冰淇淋的市场调查报告, 要求100字"], 1.5)
    save_profile(profile, path)
    text = path.read_text(encoding="utf-8")
    assert "市场规划经理" in text and "\\u" not in text
    assert load_profile(path) == profile


def test_missing_file_gives_none(tmp_path):
    assert load_profile(tmp_path / "nope.yaml") is None


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_name: x\nai_goals: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(path)


def test_goals_are_capped_at_five(tmp_path):
    path = tmp_path / "ai_settings.yaml"
    path.write_text("ai_name: a\nai_role: b\nai_goals: [1, 2, 3, 4, 5, 6, 7]\n", encoding="utf-8")
    assert load_profile(path).ai_goals == ["1", "2", "3", "4", "5"]
