"""Alerts: decide, route by role, render, deliver through sinks; and the periodic digests."""

from alerts.alert import Alert, PreviousAlert
from alerts.decision import decide
from alerts.digest import DigestData, OpenAppeal, render_markdown
from alerts.message import LEVEL_TITLES, fit_telegram, render
from alerts.routing import route
from alerts.sinks import ConsoleSink, JsonlSink, Sink, TelegramSink, telegram_html
from alerts.telegram_client import BotClient

__all__ = [
    "LEVEL_TITLES",
    "Alert",
    "BotClient",
    "ConsoleSink",
    "DigestData",
    "JsonlSink",
    "OpenAppeal",
    "PreviousAlert",
    "Sink",
    "TelegramSink",
    "decide",
    "fit_telegram",
    "render",
    "render_markdown",
    "route",
    "telegram_html",
]
