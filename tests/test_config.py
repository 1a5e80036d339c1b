"""Configuration: the built-in file, the documented example, Russian errors with key paths, secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from config import ConfigError, Secret, load_config, parse_config
from config.loader import builtin_config_path, find_config
from config.schema import Settings

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = """
town: {name: Тестовск}
roles: {deputy: {title: Заместитель}}
gazetteer: {town: [тестовск]}
topics: [{code: other, title: Прочее}]
"""


def _parse(text: str, base: Path = Path(".")) -> Settings:
    return parse_config(text, "test.yaml", base)


def test_builtin_config_is_desnogorsk(builtin_settings: Settings) -> None:
    assert builtin_settings.town.name == "Десногорск"
    assert builtin_settings.town.timezone == "Europe/Moscow"
    titles = {role.title for role in builtin_settings.roles.values()}
    for expected in ("Глава", "Куратор", "Руководитель МЦУ", "Заместитель руководителя МЦУ", "ПОС", "Инцидент", "Госпаблики"):
        assert any(expected in title for title in titles), expected
    codes = [t.code for t in builtin_settings.topics]
    assert codes == ["health", "education", "social", "housing", "waste", "roads", "transport", "energy", "npp",
                     "emergency", "safety", "ecology", "improvement", "politics", "culture", "other"]


def test_every_api_base_url_is_a_setting(builtin_settings: Settings) -> None:
    api = builtin_settings.api
    assert api.vk.base_url.startswith("https://") and api.vk.version == "5.199"
    assert api.ok.base_url and api.telegram.preview_base_url and api.telegram_bot.base_url


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        found.add(key)
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", ()) + (annotation,):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found |= _keys(candidate)
    return found


def test_example_documents_every_key() -> None:
    example = (ROOT / "mcu.example.yaml").read_text(encoding="utf-8")
    written = set(re.findall(r"^\s*#?\s*-?\s*([a-z_]+):", example, flags=re.MULTILINE))
    missing = sorted(_keys(Settings) - written - {"env", "file"})
    assert not missing, f"в mcu.example.yaml не описаны ключи: {missing}"
    # every top-level section explains itself with at least one comment
    lines = example.splitlines()
    starts = [i for i, text in enumerate(lines) if re.match(r"[a-z_]+:", text)]
    bare = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        before = [text for text in lines[:start] if text.strip()][-1:]
        if "#" not in "\n".join(lines[start:end]) and not (before and before[0].startswith("#")):
            bare.append(lines[start].split(":")[0])
    assert not bare, f"разделы без комментариев: {bare}"


def test_example_is_the_loadable_builtin() -> None:
    settings, _ = load_config(str(ROOT / "mcu.example.yaml"))
    assert settings.town.name == "Десногорск"


def test_all_errors_reported_together_in_russian_with_paths() -> None:
    text = """
town: {name: X, timezone: Mars/Olympus}
roles: {}
gazetteer: {town: [x], districts_max: много}
topics: [{code: Bad Code, title: T}]
alerts: {routes: [{levels: [urgent], roles: [deputy]}]}
unknown_section: 1
"""
    with pytest.raises(ConfigError) as caught:
        _parse(text)
    problems = caught.value.problems
    joined = "\n".join(problems)
    assert "town.timezone: неизвестный часовой пояс 'Mars/Olympus'" in joined
    assert "roles:" in joined
    assert "gazetteer.districts_max: ожидается целое число" in joined
    assert "topics.0.code: значение не подходит по формату" in joined
    assert "alerts.routes.0.levels.0: недопустимое значение" in joined
    assert "unknown_section: неизвестный ключ" in joined
    assert len(problems) >= 6


def test_unknown_role_in_route_is_named() -> None:
    text = MINIMAL + "alerts: {routes: [{levels: [high], roles: [deputy, mayor]}]}\n"
    with pytest.raises(ConfigError, match=r"alerts\.routes\.0\.roles: неизвестная роль 'mayor'"):
        _parse(text)


def test_thresholds_must_grow() -> None:
    with pytest.raises(ConfigError, match="пороги должны расти"):
        _parse(MINIMAL + "risk: {levels: {medium: 50, high: 40, critical: 90}}\n")


def test_durations_accept_human_units() -> None:
    settings = _parse(MINIMAL + "scheduler: {process_interval: 2m, dispatch_interval: 45}\n")
    assert settings.scheduler.process_interval == 120
    assert settings.scheduler.dispatch_interval == 45
    with pytest.raises(ConfigError, match="scheduler.process_interval: не понимаю длительность"):
        _parse(MINIMAL + "scheduler: {process_interval: скоро}\n")


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"корректным YAML \(строка \d+\)"):
        _parse("town:\n  name: X\n  bad: [unclosed\n")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="файл не найден"):
        load_config(str(tmp_path / "nope.yaml"))
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="файл не в кодировке UTF-8 \\(байт 1\\): сохраните его в UTF-8$"):
        load_config(str(binary))
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ожидается словарь"):
        load_config(str(listing))


def test_secret_written_in_file_is_refused() -> None:
    with pytest.raises(ConfigError, match="api.telegram_bot.token: секреты нельзя писать"):
        _parse(MINIMAL + "api: {telegram_bot: {token: '123:abc'}}\n")


def test_secret_from_env_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_BOT_TOKEN", "123456:SECRET-VALUE")
    settings = _parse(MINIMAL + "api: {telegram_bot: {token: {env: TEST_BOT_TOKEN}}}\n")
    token = settings.api.telegram_bot.token
    assert isinstance(token, Secret) and token.reveal() == "123456:SECRET-VALUE"
    for shown in (repr(settings), str(settings), repr(token), str(token), settings.model_dump_json()):
        assert "SECRET-VALUE" not in shown


def test_unset_env_secret_means_not_configured() -> None:
    settings = _parse(MINIMAL + "api: {telegram_bot: {token: {env: SURELY_UNSET_VAR}}}\n")
    assert settings.api.telegram_bot.token is not None and not settings.api.telegram_bot.token.present


def test_secret_from_file_relative_to_config(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("file-secret\n", encoding="utf-8")
    config = tmp_path / "mcu.yaml"
    config.write_text(MINIMAL + "api: {vk: {token: {file: token.txt}}}\n", encoding="utf-8")
    settings, _ = load_config(str(config))
    assert settings.api.vk.token is not None and settings.api.vk.token.reveal() == "file-secret"
    config.write_text(MINIMAL + "api: {vk: {token: {file: missing.txt}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="не удалось прочитать файл секрета"):
        load_config(str(config))


def test_config_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None) == builtin_config_path()
    (tmp_path / "mcu.yaml").write_text(MINIMAL, encoding="utf-8")
    assert find_config(None) == Path("mcu.yaml")
    monkeypatch.setenv("MCU_CONFIG", "/elsewhere.yaml")
    assert find_config(None) == Path("/elsewhere.yaml")
    assert find_config("given.yaml") == Path("given.yaml")


def test_builtin_yaml_is_plain_yaml() -> None:
    data = yaml.safe_load(builtin_config_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict) and "gazetteer" in data


def test_a_retired_gospublics_deadline_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """`gospublics.thresholds.answer_deadline` left the schema when госпаблики began to take deadlines from the
    responses component: an older config still loads (the daemon keeps running) and says where the setting went."""
    text = MINIMAL + "gospublics: {thresholds: {answer_deadline: 24h, min_answered_share: 0.6}}\n"
    with caplog.at_level("WARNING", logger="config.gospublics"):
        settings = _parse(text)
    assert settings.gospublics.thresholds.min_answered_share == 0.6
    assert not hasattr(settings.gospublics.thresholds, "answer_deadline")
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "config.gospublics"]
    assert warning.startswith("конфигурация: gospublics.thresholds.answer_deadline больше не используется")
    assert "responses.deadlines" in warning
    with pytest.raises(ConfigError, match="gospublics.thresholds.answer_deadlin: неизвестный ключ"):
        _parse(MINIMAL + "gospublics: {thresholds: {answer_deadlin: 24h}}\n")  # a typo is still an error


def test_the_retired_key_reaches_the_operator_and_the_command_works(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_helpers import mcu_here, write_config

    data = yaml.safe_load(builtin_config_path().read_text(encoding="utf-8"))
    thresholds = {**data["gospublics"]["thresholds"], "answer_deadline": "24h"}
    config = write_config(tmp_path, gospublics={"thresholds": thresholds})
    assert mcu_here("--config", str(config), "init", capsys=capsys)[0] == 0
    code, out, err = mcu_here("--config", str(config), "gospublics", capsys=capsys)
    assert code == 0, err
    assert "Реестр госпабликов пуст" in out
    assert "gospublics.thresholds.answer_deadline больше не используется" in err and "Traceback" not in err
