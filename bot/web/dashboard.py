"""placeholder"""
from aiohttp import web


def setup_dashboard(app: web.Application) -> None:
    pass
