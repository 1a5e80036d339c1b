"""The digest as a Word справка and an Excel table, read back the way a reader (or Excel) sees them."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm
from openpyxl.workbook.workbook import Workbook

from alerts.digest import DigestData, OpenAppeal
from alerts.digest.charts import all_charts
from alerts.digest.excel import render_xlsx
from alerts.digest.word import render_docx
from mcu.export import write_records
from tests.digest_sample import END, START, sample_digest

TZ = ZoneInfo("Europe/Moscow")
NBSP = "\u00a0"
HOSTILE_TITLE = "Пишут из 3 мкр: «батареи ледяные с ночи» <script>alert(1)</script> & «ЖКХ»"
SECTIONS = ["1. Коротко", "2. Главные истории", "3. Темы", "4. Платформы", "5. Тональность",
            "6. Жалобы и вопросы без ответа", "7. Повторяющиеся проблемы (30/90 дней)", "8. Оповещения",
            "9. Покрытие", "Приложение. Графики по дням"]
SHEETS = ["Сводка", "Истории", "Темы", "Платформы", "Тональность", "Жалобы", "Повторы", "Оповещения", "Покрытие",
          "По дням"]
SAMPLE_URLS = {"https://vk.com/wall-2_9001", "https://vk.com/wall-1_48140",
               "https://t.me/demo_desna_chat_feed/11881", "https://vk.com/wall-1_1"}


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    data = sample_digest()
    return render_docx(data, TZ, all_charts(data))


@pytest.fixture(scope="module")
def document(docx_bytes: bytes) -> DocumentObject:
    return docx.Document(io.BytesIO(docx_bytes))


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(sample_digest(), TZ)))


def _texts(document: DocumentObject) -> list[str]:
    return [p.text for p in document.paragraphs]


def _table_rows(document: DocumentObject, *header: str) -> list[list[str]]:
    """The rows of the first table whose header row begins with ``header``."""
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if tuple(rows[0][: len(header)]) == header:
            return rows
    raise AssertionError(f"no table headed {header!r}")


def _empty_digest() -> DigestData:
    return DigestData(town="Десногорск", period="day", start=START, end=END, posts=0, posts_previous=0, relevant=0,
                      topics=(), platforms=(), sentiment=(), stories=(), appeals=())


# --- Word ------------------------------------------------------------------------------------------------------


def test_docx_is_an_a4_spravka_in_times_new_roman(document: DocumentObject) -> None:
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [2.0, 2.0, 2.0, 1.5]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 14
    assert document.styles["Таблица"].font.size.pt == 12
    assert all(t.style.name == "Table Grid" for t in document.tables)
    header_runs = [run for table in document.tables for cell in table.rows[0].cells
                   for p in cell.paragraphs for run in p.runs]
    assert header_runs and all(run.bold for run in header_runs)


def test_docx_header_block_names_the_institution_and_period(document: DocumentObject) -> None:
    assert _texts(document)[:5] == [
        "МЦУ муниципального образования «город Десногорск» Смоленской области",
        "",
        "СПРАВКА",
        "Справка об информационных рисках: Десногорск, за неделю",
        "за период с 12 января 2026 г. по 19 января 2026 г.",
    ]


def test_docx_sections_in_the_digest_order(document: DocumentObject) -> None:
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    stories = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert stories == ["2.1. АЭС и радиационная безопасность: уровень критический (81/100), завершилась",
                       "2.2. ЖКХ: уровень высокий (64/100), новая"]


def test_docx_numbers_match_the_sample(document: DocumentObject) -> None:
    texts = _texts(document)
    assert f"Собрано сообщений: 1{NBSP}234 (за предыдущий период — 987, +247), из них о городе — 1{NBSP}002 " \
           f"(было 870, +132)." in texts
    assert "Истории с риском: новых — 14, продолжаются — 3, завершились — 9." in texts
    assert "Оповещений отправлено: 17, взято в работу: 4, ложных: 1." in texts
    assert "Жалоб и вопросов без ответа: 2." in texts
    assert _table_rows(document, "Тема")[1:] == [["АЭС и радиационная безопасность", "120", "15", "+105"],
                                                 ["ЖКХ", "88", "60", "+28"],
                                                 ["Культура, спорт, досуг", "40", "52", "−12"]]
    assert _table_rows(document, "Тональность")[1] == ["негативная", "420", f"42{NBSP}%", "300", f"34{NBSP}%",
                                                       "+120"]
    assert _table_rows(document, "Платформа")[1] == ["ВКонтакте", "700", "600", "+100"]
    appeals = _table_rows(document, "Сообщение")
    assert appeals[0] == ["Сообщение", "Источник", "Тема", "Опубликовано", "Ждёт ответа"]
    assert appeals[1][4] == "6 дней"
    assert appeals[2] == ["Уберите мусор у дома 14 в 6 мкр", "demo_podslushano", "ТКО", "18.01.2026 03:00",
                          "30 часов"]
    assert _table_rows(document, "Тема", "Место")[1] == ["ТКО", "6 мкр", "3", "7", "11", "6", "17.01.2026 09:00"]
    alerts = dict(tuple(row) for row in _table_rows(document, "Показатель")[1:])
    assert alerts["Отправлено (первые и обновления)"] == "17"
    assert alerts["Медиана времени до взятия в работу, мин"] == "12,5"
    coverage = _table_rows(document, "Что")
    assert coverage[1] == ["источник", "vk_wall:desnogorsk_online", "VK: доступ закрыт (15)", "17.01.2026 09:00"]
    assert "Источники работали: 7 из 9." in texts
    assert any(text.startswith("Чего система не собрала, того в справке нет") for text in texts)
    assert any("«дорожной карты»" in text for text in texts)


def test_docx_story_details(document: DocumentObject) -> None:
    texts = _texts(document)
    assert "Впервые: 13.01.2026 10:00, последнее сообщение: 14.01.2026 00:00." in texts
    assert "Сообщений: 30, источников: 6, платформы: Одноклассники, Telegram, ВКонтакте." in texts
    assert "Где: 3 мкр." in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "эскалация: уезжать" in bullets
    assert "«Батареи ледяные, дома +15» — https://vk.com/wall-1_48140" in bullets
    assert "https://t.me/demo_desna_chat_feed/11881" in bullets  # a further link, not under an excerpt


def test_docx_links_are_clickable(document: DocumentObject) -> None:
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT.HYPERLINK}
    assert SAMPLE_URLS <= targets
    body_links = {(link.text, link.url) for p in document.paragraphs for link in p.hyperlinks}
    assert ("https://vk.com/wall-2_9001", "https://vk.com/wall-2_9001") in body_links
    appeal_cell = _cell_paragraph(document, "Когда починят лифт")
    assert [(link.text, link.url) for link in appeal_cell.hyperlinks] == [
        ("Когда починят лифт в доме 5? Третью неделю пешком | на 9 этаж", "https://vk.com/wall-1_1")]


def _cell_paragraph(document: DocumentObject, start: str):  # noqa: ANN202 - a python-docx Paragraph
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text.startswith(start):
                    return cell.paragraphs[0]
    raise AssertionError(start)


def test_docx_charts_signature_and_plain_hostile_text(document: DocumentObject, docx_bytes: bytes) -> None:
    assert len(document.inline_shapes) == 3
    assert all(abs(shape.width.cm - Cm(16).cm) < 0.01 for shape in document.inline_shapes)
    texts = _texts(document)
    assert [t for t in texts if t.startswith("Рисунок")] == [
        "Рисунок 1 — Сообщения о городе по темам", "Рисунок 2 — Тональность по дням",
        "Рисунок 3 — Истории с риском по уровням"]
    assert texts[-2:] == ["Заместитель руководителя МЦУ ____________ / ____________ /", "19 января 2026 г."]
    assert HOSTILE_TITLE in texts
    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; «ЖКХ»" in xml and "<script>" not in xml


def test_docx_empty_digest_says_so() -> None:
    document = docx.Document(io.BytesIO(render_docx(_empty_digest(), TZ)))
    texts = _texts(document)
    for sentence in ("Историй с риском выше низкого за период не было.",
                     "Сообщений о городе за период не было.", "Жалоб и вопросов без официального ответа нет.",
                     "Сообщений о городе за период не было, тональность не определялась.",
                     "Повторяющихся проблем за 90 дней не найдено.", "Оповещений за период не отправлялось.",
                     "Сведений об источниках нет."):
        assert sentence in texts
    assert len(document.inline_shapes) == 0 and not document.tables
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == SECTIONS[:-1]


def _hostile_digest() -> DigestData:
    data = sample_digest()
    appeal = OpenAppeal("=HYPERLINK(\"http://evil\")\x07 звонок", "javascript:alert(1)", "demo\x00", END, "waste", 1)
    return dataclasses.replace(data, appeals=(appeal, *data.appeals))


def test_hostile_links_and_control_characters_stay_inert() -> None:
    data = _hostile_digest()
    document = docx.Document(io.BytesIO(render_docx(data, TZ, charts=[])))
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT.HYPERLINK}
    assert not any(t.startswith("javascript") for t in targets)
    assert _table_rows(document, "Сообщение")[1][:2] == ["=HYPERLINK(\"http://evil\") звонок", "demo"]
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(data, TZ)))["Жалобы"]
    assert sheet["A2"].value == "=HYPERLINK(\"http://evil\") звонок" and sheet["A2"].data_type == "s"
    assert sheet["A2"].hyperlink is None and sheet["B2"].value == "demo"


# --- Excel -----------------------------------------------------------------------------------------------------


def test_xlsx_sheets_are_filterable_tables(workbook: Workbook) -> None:
    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        assert all(sheet.column_dimensions[c.column_letter].width >= 6 for c in sheet[1])


def _rows(workbook: Workbook, name: str) -> list[tuple[object, ...]]:
    return list(workbook[name].iter_rows(values_only=True))


def test_xlsx_numbers_are_numbers(workbook: Workbook) -> None:
    topics = _rows(workbook, "Темы")
    assert topics[0] == ("Тема", "Сообщений", "Было", "Изменение")
    assert topics[1] == ("АЭС и радиационная безопасность", 120, 15, 105)
    assert topics[3][3] == -12
    sentiment = workbook["Тональность"]
    assert [c.value for c in sentiment[1]] == ["Тональность", "Сообщений", "Доля", "Было", "Доля была", "Изменение"]
    assert sentiment["C2"].value == pytest.approx(420 / 1002) and sentiment["C2"].number_format == "0%"
    summary = {row[0]: row[1:] for row in _rows(workbook, "Сводка")[1:]}
    assert summary["Собрано сообщений"] == (1234, 987, 247)
    assert summary["Жалоб и вопросов без ответа"][0] == 2
    alerts = dict(row for row in _rows(workbook, "Оповещения")[1:])
    assert alerts["Первых оповещений"] == 6 and alerts["Медиана времени до взятия в работу, мин"] == 12.5
    stories = workbook["Истории"]
    assert stories["D2"].value == pytest.approx(80.8) and isinstance(stories["I2"].value, int)


def test_xlsx_dates_are_town_time_datetimes(workbook: Workbook) -> None:
    summary = workbook["Сводка"]
    assert summary["A2"].value == "Начало периода"
    assert summary["B2"].value == datetime(2026, 1, 12, 9, 0)
    assert summary["B2"].number_format == "DD.MM.YYYY HH:MM"
    stories = workbook["Истории"]
    assert stories["G1"].value == "Впервые" and stories["G2"].value == datetime(2026, 1, 15, 7, 0)
    assert workbook["Жалобы"]["D2"].is_date and workbook["Покрытие"]["D2"].is_date


def test_xlsx_links_and_hostile_text(workbook: Workbook) -> None:
    appeals = workbook["Жалобы"]
    assert appeals["A2"].hyperlink.target == "https://vk.com/wall-1_1"
    assert appeals["A3"].hyperlink is None
    assert appeals["E2"].value == 144 and appeals["E2"].number_format == '#,##0" ч"'
    stories = workbook["Истории"]
    assert stories["N1"].value == "Ссылка" and stories["N2"].hyperlink.target == "https://vk.com/wall-2_9001"
    assert stories["F3"].value == HOSTILE_TITLE


def test_xlsx_days_one_row_per_day(workbook: Workbook) -> None:
    rows = _rows(workbook, "По дням")
    header = rows[0]
    assert header[0] == "День" and "Тема: ЖКХ" in header and "Тональность: негативная" in header
    assert "Уровень: критический" in header
    assert len(rows) == 8 and rows[1][0] == datetime(2026, 1, 12)
    npp = header.index("Тема: АЭС и радиационная безопасность")
    assert [row[npp] for row in rows[1:]] == [0, 0, 0, 40, 0, 0, 0]
    critical = header.index("Уровень: критический")
    assert sum(row[critical] for row in rows[1:]) == 1


# --- mcu export --format xlsx ----------------------------------------------------------------------------------

RECORDS = [
    {"story_id": 1, "title": "=1+1 не формула", "places": ["3 мкр"], "score": 64.3, "update": False, "text": None},
    {"story_id": 2, "title": "Бип\x07", "places": [], "score": 12.0, "update": True, "text": {"a": "б"}},
]


def test_export_xlsx_writes_one_filtered_sheet(tmp_path: Path) -> None:
    target = tmp_path / "stories.xlsx"
    assert write_records(iter(RECORDS), "xlsx", target, kind="stories") == 2
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["stories"]
    sheet = book["stories"]
    assert [c.value for c in sheet[1]] == ["story_id", "title", "places", "score", "update", "text"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3"
    assert [c.value for c in sheet[2]] == [1, "=1+1 не формула", '["3 мкр"]', 64.3, False, None]
    assert sheet["B2"].data_type == "s"
    assert [c.value for c in sheet[3]] == [2, "Бип", "[]", 12.0, True, '{"a": "б"}']


def test_export_xlsx_to_redirected_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert write_records(iter(RECORDS[:1]), "xlsx", None, kind="alerts") == 1
    book = openpyxl.load_workbook(io.BytesIO(capsysbinary.readouterr().out))
    assert book.sheetnames == ["alerts"] and book["alerts"]["A2"].value == 1


def test_export_xlsx_without_records_is_a_valid_empty_sheet(tmp_path: Path) -> None:
    target = tmp_path / "posts.xlsx"
    assert write_records(iter([]), "xlsx", target, kind="posts") == 0
    assert openpyxl.load_workbook(target).sheetnames == ["posts"]


def test_docx_drops_pictographs_the_document_font_cannot_print() -> None:
    from dataclasses import replace as replaced
    from io import BytesIO
    from zoneinfo import ZoneInfo

    import docx

    from alerts.digest.word import render_docx
    from tests.digest_sample import sample_digest

    data = sample_digest()
    line = data.stories[0]
    data = replaced(data, stories=(replaced(line, excerpts=(("🔴☢️ СРОЧНО: выброс ⚠", None),)),))
    text = "\n".join(p.text for p in docx.Document(BytesIO(render_docx(data, ZoneInfo("Europe/Moscow"), []))).paragraphs)
    assert "СРОЧНО: выброс" in text and not any(ch in text for ch in "🔴☢⚠\ufe0f")
