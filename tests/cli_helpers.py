"""Run `mcu` the way a user does: a config file, exit codes and output (in this process unless a test is about
the process itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from config.loader import builtin_config_path
from mcu.demo import DEMO_OFFICIAL_SOURCES, DEMO_TOWN_SOURCES


def mcu(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 120, separate: bool = False) -> subprocess.CompletedProcess[str]:
    """`mcu` with these arguments in ``cwd``: exit code, stdout and stderr as a user sees them.

    It runs inside the test process (an interpreter start and the imports cost seconds of CPU a call, and add
    nothing a test checks); ``separate=True`` runs a real child process, for the few tests about the process
    itself (the entry point, signals, several processes at once)."""
    if not separate:
        return _in_process(args, cwd, stdin, env)
    environment = guarded_environment()
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mcu", *args], cwd=cwd, input=stdin, capture_output=True, text=True,
        env=environment, timeout=timeout,
    )


def _in_process(args: tuple[str, ...], cwd: Path, stdin: str | None,
                env: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
    """As a child would run: its own working directory, environment (no developer's MCU_*), stdin, stdout and
    stderr, and the logging it sets up taken down again after."""
    import contextlib
    import io
    import logging

    from mcu.cli import main

    saved_environment, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update({k: v for k, v in saved_environment.items() if not k.startswith("MCU_")})
        os.environ.update(env or {})
        os.chdir(cwd)
        sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environment)
        root.handlers[:] = handlers
        root.setLevel(level)
    return subprocess.CompletedProcess(["mcu", *args], code, out.getvalue(), err.getvalue())


NETGUARD = Path(__file__).resolve().parent / "netguard"


def guarded_environment() -> dict[str, str]:
    """The environment for a child `mcu`: no developer's MCU_* settings, and the network guard loaded."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MCU_")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETGUARD), environment.get("PYTHONPATH", "")]))
    return environment


# The fakes answer on loopback: the real APIs' spacing between requests (tested in test_budget) would only make
# tests sleep (about 40 s of the suite). A test about spacing sets its rate itself.
LOOPBACK_RATES = {"vk": "requests_per_second", "ok": "requests_per_second", "web": "requests_per_second",
                  "telegram": "preview_requests_per_second"}


def write_config(directory: Path, **changes: Any) -> Path:
    """The built-in config with a database in ``directory``, the demo communities, and ``changes`` on top
    (``api={"vk": {...}}`` replaces the vk subsection and keeps the others); requests to the loopback fakes are
    not spaced unless ``changes`` set a rate."""
    data = yaml.safe_load(builtin_config_path().read_text(encoding="utf-8"))
    data["database"]["url"] = f"sqlite:///{directory / 'mcu.db'}"
    data["gazetteer"]["town_sources"] = DEMO_TOWN_SOURCES
    data["gazetteer"]["official_sources"] = DEMO_OFFICIAL_SOURCES
    data["digest"]["out_dir"] = str(directory / "digests")
    for key, value in changes.items():
        # A dict merges into the section one level deep; anything else replaces it.
        data[key] = {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
    for api, rate in LOOPBACK_RATES.items():
        section = data.get("api", {}).get(api)
        if isinstance(section, dict) and rate not in (changes.get("api") or {}).get(api, {}):
            section[rate] = 1000
    path = directory / "mcu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def one_russian_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert any("а" <= ch.lower() <= "я" for ch in lines[0]), lines[0]
    return lines[0]


def mcu_here(*args: str, capsys: Any) -> tuple[int, str, str]:
    """`mcu` run inside the test process (no interpreter to start; the network guard is already on):
    the exit code, stdout and stderr, as a user would see them."""
    import logging

    from mcu.cli import main

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        code = main(list(args))
    finally:
        root.handlers[:] = handlers  # the command installs its own stderr handler
        root.setLevel(level)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
