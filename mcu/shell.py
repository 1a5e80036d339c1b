"""What every `mcu` command shares: the click group, the loaded settings, and the two consoles."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import Optional

import click
from rich.console import Console

from config import Settings, load_config
from mcu import click_ru
from mcu.logs import setup_logging

# Piped output (logs, scripts) gets wide tables instead of cells wrapped at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
# Messages carry user data (post text, paths with brackets): never interpret them as rich markup.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
log = logging.getLogger("mcu")


class State:
    config_path: Optional[str] = None
    verbose: bool = False
    _settings: Optional[Settings] = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings, _ = load_config(self.config_path)
            setup_logging(self.verbose, self._settings.secrets())
        return self._settings


state = State()


def bad_option(option: str, message: str) -> click.BadParameter:
    """A wrong value of ``option``: «Ошибка в команде: неверное значение '--since': …», exit code 2."""
    return click.BadParameter(message, ctx=click.get_current_context(silent=True), param_hint=f"'{option}'")


def usage_error(message: str) -> click.UsageError:
    """Options that do not go together: exit code 2 and the command's own help named."""
    return click.UsageError(message, ctx=click.get_current_context(silent=True))


def parse_moment(value: str | None, settings: Settings, what: str) -> datetime | None:
    """A date or moment given on the command line; without a zone, the town's."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_option(what, f"не понимаю дату {value!r}, пишите 2026-01-14 или 2026-01-14T08:00+03:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.town.tz)
    return moment


click_ru.install()
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(cls=click_ru.RuGroup, context_settings=CONTEXT, help="МЦУ monitor: мониторинг информационного поля и информационных рисков муниципалитета.")
@click.option("--config", "-c", "config", default=None, metavar="ФАЙЛ",
              help="Файл конфигурации (по умолчанию $MCU_CONFIG, ./mcu.yaml или встроенный для Десногорска).")
@click.option("--verbose", "-v", is_flag=True, help="Подробный журнал.")
@click.version_option(package_name="mcu-monitor", message="%(prog)s %(version)s")
def app(config: Optional[str], verbose: bool) -> None:
    state.config_path = config
    state.verbose = verbose
    state._settings = None
    setup_logging(verbose)
