"""Shared fixtures: a guard against real network use, settings, heavy NLP loaded once, databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from config import Settings, load_config
from config.loader import builtin_config_path
from nlp import Analyzer, Lemmatizer, NerTagger
from storage import Database, upgrade
from tests.netguard import sitecustomize as netguard

DATA = Path(__file__).resolve().parent / "data"
PG_URL = os.environ.get("MCU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

@pytest.fixture(autouse=True, scope="session")
def no_network() -> None:
    """Any connection outside loopback fails the test that made it (subprocesses included, see cli_helpers)."""
    netguard.install()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's tokens or config."""
    for name in list(os.environ):
        if name.startswith("MCU_") and name != "MCU_TEST_PG_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def builtin_settings() -> Settings:
    settings, _ = load_config(str(builtin_config_path()))
    return settings


@pytest.fixture(scope="session")
def settings(builtin_settings: Settings) -> Settings:
    """The built-in config plus the demo's sample communities (as the demo runs)."""
    from mcu.demo import DEMO_OFFICIAL_SOURCES, DEMO_TOWN_SOURCES

    gazetteer = builtin_settings.gazetteer.model_copy(
        update={"town_sources": DEMO_TOWN_SOURCES, "official_sources": DEMO_OFFICIAL_SOURCES}
    )
    return builtin_settings.model_copy(update={"gazetteer": gazetteer})


@pytest.fixture(scope="session")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.fixture(scope="session")
def ner(lemmatizer: Lemmatizer) -> NerTagger:
    return NerTagger(lemmatizer.morph)


@pytest.fixture(scope="session")
def analyzer(settings: Settings, lemmatizer: Lemmatizer, ner: NerTagger) -> Analyzer:
    return Analyzer(settings, lemmatizer=lemmatizer, ner=ner)


@pytest.fixture(scope="session")
def product_analyzer(builtin_settings: Settings, lemmatizer: Lemmatizer, ner: NerTagger) -> Analyzer:
    """The analyser `mcu` builds by default: rules, NER and the shipped model, with the built-in config."""
    from nlp.models import load_for

    return Analyzer(builtin_settings, lemmatizer=lemmatizer, ner=ner, models=load_for(True, None))


def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not here"; the reason is shown in the skip
        return f"PostgreSQL недоступен ({PG_URL}): {type(exc).__name__}"


_PG_SKIP = _postgres_available()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, and a fresh PostgreSQL schema where a server is reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    import psycopg

    schema = f"mcu_test_{uuid.uuid4().hex[:10]}"
    plain = PG_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def web_world(tmp_path_factory: pytest.TempPathFactory, settings: Settings, analyzer: Analyzer):  # type: ignore[no-untyped-def]
    """The workspace tests' town, built once per test process (see tests/web_helpers.py)."""
    from tests.web_helpers import build_world

    return build_world(tmp_path_factory.mktemp("web-world"), settings, analyzer)


@pytest.fixture
def web(web_world, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.web_helpers import Web

    site = Web(web_world, tmp_path)
    yield site
    site.close()


@pytest.fixture(scope="session")
def pages_world(tmp_path_factory: pytest.TempPathFactory, settings: Settings, analyzer: Analyzer):  # type: ignore[no-untyped-def]
    """Appeals with known answers and the demo's official pages, for the appeals, ratings and госпаблики pages."""
    from tests.web_helpers import build_pages_world

    return build_pages_world(tmp_path_factory.mktemp("pages-world"), settings, analyzer)


@pytest.fixture
def pages(pages_world, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.web_helpers import Web

    site = Web(pages_world, tmp_path)
    yield site
    site.close()
