"""Госпаблики: the health of the official pages of the town's authorities and institutions (section 2.7 of the
МЦУ regulation). Records in, records out; storage queries live in ``storage/gospublics.py``, rendering in
``alerts/gospublics/``, wiring in the shells.

    records.py     Page, PagePost, PageComment, QuestionAnswer, CheckResult, PageReport
    registry.py    pages from config, a URL or a CSV table
    answers.py     questions in comments and the page's answers, judged by the responses component
    checks/        one small pure function per check
    figures.py     the period's numbers
    score.py       weights → score 0..100, rank within kind
    recommend.py   advice from the failing checks
    evaluate.py    all pages of a period → reports
    problems.py    what to alert the responsible role about
"""

from gospublics.answers import PageDialogue, body_accounts, judge, page_accounts
from gospublics.checks import TITLES as CHECK_TITLES
from gospublics.evaluate import PageInput, evaluate
from gospublics.problems import Problem, problems_of
from gospublics.records import (
    EXPORT_FIELDS,
    PLATFORM_TITLES,
    STATUS_TITLES,
    CheckResult,
    Monitoring,
    Page,
    PageComment,
    PageFigures,
    PagePost,
    PageReport,
    Period,
    QuestionAnswer,
)
from gospublics.registry import PageEntry, RowProblem, read_csv

__all__ = [
    "CHECK_TITLES",
    "EXPORT_FIELDS",
    "PLATFORM_TITLES",
    "STATUS_TITLES",
    "CheckResult",
    "Monitoring",
    "Page",
    "PageComment",
    "PageDialogue",
    "PageEntry",
    "PageFigures",
    "PageInput",
    "PagePost",
    "PageReport",
    "Period",
    "Problem",
    "QuestionAnswer",
    "RowProblem",
    "body_accounts",
    "evaluate",
    "judge",
    "page_accounts",
    "problems_of",
    "read_csv",
]
