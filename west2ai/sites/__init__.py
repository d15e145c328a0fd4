"""Local fixture sites for the scraping tasks, generated from a seed, served on 127.0.0.1."""
from .notice import NoticeSite, serve_notice_site
from .qa import QASite, serve_qa_site

__all__ = ["NoticeSite", "QASite", "serve_notice_site", "serve_qa_site"]
