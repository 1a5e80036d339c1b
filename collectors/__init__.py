"""Collectors: fetch posts from sources and turn them into ``Post`` records (storage is not their job)."""

from collectors.batch import Batch
from collectors.post import METRIC_NAMES, PLATFORMS, Metrics, Post
from collectors.bounds import check_post, check_posts
from collectors.problem import RecordProblem, clean_text
from collectors.records import event_time, parse_line, post_from_dict, read_posts
from collectors.replay import ReplayCollector

__all__ = [
    "METRIC_NAMES",
    "PLATFORMS",
    "Batch",
    "Metrics",
    "Post",
    "RecordProblem",
    "ReplayCollector",
    "check_post",
    "check_posts",
    "clean_text",
    "event_time",
    "parse_line",
    "post_from_dict",
    "read_posts",
]
