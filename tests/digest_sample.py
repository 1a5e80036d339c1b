"""A fixed digest with every section filled, hostile text included: renderers are tested on it without a database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from alerts.digest import (
    AlertStats,
    Coverage,
    DayCounts,
    DigestData,
    OpenAppeal,
    Recurring,
    SourceTrouble,
    StoryLine,
    Volume,
)
from risk.story import RiskAssessment, StoryView

END = datetime(2026, 1, 19, 6, 0, tzinfo=timezone.utc)  # Monday 09:00 in Desnogorsk
START = END - timedelta(days=7)


def sample_digest() -> DigestData:
    heating = StoryView(
        id=38, title="Пишут из 3 мкр: «батареи ледяные с ночи» <script>alert(1)</script> & «ЖКХ»", topic="housing",
        topic_title="ЖКХ", places=("3 мкр",), first_seen_at=START + timedelta(days=1, hours=1),
        last_seen_at=START + timedelta(days=1, hours=15), post_count=30, source_count=6, platforms=("ok", "telegram", "vk"),
        assessment=RiskAssessment(64.3, "high", ("тема: ЖКХ", "6 источников на 3 платформах за 40 мин",
                                                  "просмотры растут ×6 быстрее обычного для источника")),
        links=("https://vk.com/wall-1_48140", "https://t.me/demo_desna_chat_feed/11881"),
    )
    rumour = StoryView(
        id=44, title="На САЭС авария, был выброс, пейте йод", topic="npp", topic_title="АЭС и радиационная безопасность",
        places=(), first_seen_at=START + timedelta(days=2, hours=22), last_seen_at=START + timedelta(days=3, hours=6),
        post_count=99, source_count=9, platforms=("ok", "telegram", "vk", "web"),
        assessment=RiskAssessment(80.8, "critical", ("тема: АЭС и радиационная безопасность", "эскалация: уезжать",
                                                     "упоминание: Глава муниципального образования")),
        links=("https://vk.com/wall-2_9001",),
    )
    days = tuple(
        DayCounts(date(2026, 1, 12) + timedelta(days=i),
                  {"housing": 3 + 5 * (i == 1), "npp": 40 * (i == 3), "culture": 4},
                  {"negative": 5 + 30 * (i == 3), "neutral": 6, "positive": 2},
                  {"low": 10, "medium": i % 2, "high": int(i in (1, 3)), "critical": int(i == 3)})
        for i in range(7)
    )
    return DigestData(
        town="Десногорск", period="week", start=START, end=END, previous_start=START - timedelta(days=7),
        posts=1234, posts_previous=987, relevant=1002, relevant_previous=870,
        topics=(Volume("npp", "АЭС и радиационная безопасность", 120, 15), Volume("housing", "ЖКХ", 88, 60),
                Volume("culture", "Культура, спорт, досуг", 40, 52)),
        platforms=(Volume("vk", "ВКонтакте", 700, 600), Volume("telegram", "Telegram", 250, 200),
                   Volume("ok", "Одноклассники", 40, 50), Volume("web", "Сайты", 12, 20)),
        sentiment=(Volume("negative", "негативная", 420, 300), Volume("neutral", "нейтральная", 450, 440),
                   Volume("positive", "позитивная", 132, 130)),
        stories=(StoryLine(rumour, "resolved", (("СРОЧНО!!! На САЭС авария", "https://vk.com/wall-2_9001"),)),
                 StoryLine(heating, "new", (("Батареи ледяные, дома +15", "https://vk.com/wall-1_48140"),))),
        appeals=(OpenAppeal("Когда починят лифт в доме 5? Третью неделю пешком | на 9 этаж", "https://vk.com/wall-1_1",
                            "demo_gorod", END - timedelta(days=6), "housing", 144),
                 OpenAppeal("Уберите мусор у дома 14 в 6 мкр", None, "demo_podslushano", END - timedelta(hours=30),
                            "waste", 30)),
        appeals_total=2, days=days, new_stories=14, continuing_stories=3, resolved_stories=9,
        recurring=(Recurring("waste", "ТКО", "6 мкр", 3, 7, END - timedelta(days=2), complaints=11, authors=6),
                   Recurring("housing", "ЖКХ", "3 мкр", 2, 5, END - timedelta(days=5))),
        alerts=AlertStats(sent=17, first=6, taken=4, false_positive=1, closed=3, unanswered=1, median_minutes_to_take=12.5),
        coverage=Coverage(sources=9, sources_ok=7,
                          failing=(SourceTrouble("vk_wall:desnogorsk_online", "VK: доступ закрыт (15)", END - timedelta(days=2)),),
                          quota=(SourceTrouble("vk newsfeed.search", "дневная квота исчерпана", END - timedelta(hours=5)),)),
    )
