"""Rider-facing notices: what happened, why and what the rider can do, in their language."""

from riderperf.notices.model import NoticeError
from riderperf.notices.render import RenderedNotice, render_notice

__all__ = ["NoticeError", "RenderedNotice", "render_notice"]
