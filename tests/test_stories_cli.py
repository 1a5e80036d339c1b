"""`mcu stories` and `mcu calibrate` from an analyst's terminal: list, show, split, merge, mark, then calibrate."""

from __future__ import annotations

import re
from pathlib import Path

from mcu.calibration import bundled_timelines
from tests.cli_helpers import mcu, one_russian_line, write_config

HEATING = next(p for p in bundled_timelines() if p.name == "heating.jsonl")


def test_analyst_corrects_stories_and_calibrates_from_marks(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = lambda *args: mcu("--config", str(config), *args, cwd=tmp_path)  # noqa: E731
    assert run("init").returncode == 0
    assert run("replay", "--db", f"sqlite:///{tmp_path / 'mcu.db'}", str(HEATING)).returncode == 0

    listed = run("stories")
    assert listed.returncode == 0, listed.stderr
    top = int(re.search(r"│\s*(\d+)\s*│\s*(?:high|critical|medium)", listed.stdout).group(1))  # type: ignore[union-attr]

    shown = run("stories", "show", str(top))
    assert shown.returncode == 0 and f"История №{top}:" in shown.stdout and "Факторы:" in shown.stdout
    post_ids = [int(n) for n in re.findall(r"│\s*(\d+)\s*│\s*\d\d\.\d\d \d\d:\d\d", shown.stdout)]
    assert len(post_ids) >= 3

    split = run("stories", "split", str(top), str(post_ids[-1]), "--by", "Иванова")
    assert split.returncode == 0, split.stderr
    new = int(re.search(r"новую историю №(\d+)", split.stdout).group(1))  # type: ignore[union-attr]
    assert "Правка: разделение" in run("stories", "show", str(new)).stdout

    merged = run("stories", "merge", str(top), str(new), "--by", "Петров")
    assert merged.returncode == 0 and f"объединены в №{top}" in merged.stdout
    assert f"объединена с №{top}" in run("stories", "show", str(new)).stdout
    assert run("process").returncode == 0  # membership changed: the story is scored again

    assert "ложное срабатывание" in run("stories", "mark", str(top), "false").stdout
    calibrated = run("calibrate", str(HEATING))
    assert calibrated.returncode == 0, calibrated.stderr
    assert "heating" in calibrated.stdout and "не выполнено ожиданий: 0" in calibrated.stdout
    assert "Отметки аналитиков: ложные срабатывания — 1" in calibrated.stdout


def test_story_commands_explain_mistakes(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    run = lambda *args: mcu("--config", str(config), *args, cwd=tmp_path)  # noqa: E731
    assert run("init").returncode == 0
    assert "истории №99 нет" in one_russian_line(run("stories", "show", "99").stderr)
    assert "истории №99 нет" in one_russian_line(run("stories", "merge", "99", "98").stderr)
    assert run("stories", "mark", "1", "maybe").returncode == 2
    assert "пороги должны расти" in one_russian_line(run("calibrate", "--levels", "60,50,70").stderr)


def test_calibrate_with_stricter_thresholds_fails_expectations(tmp_path: Path) -> None:
    result = mcu("--config", str(write_config(tmp_path)), "calibrate", "--levels", "35,95,99", str(HEATING), cwd=tmp_path)
    assert result.returncode == 1 and "не выполнено ожиданий: 1" in result.stdout
