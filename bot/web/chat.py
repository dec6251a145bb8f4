"""placeholder"""
from aiohttp import web


def setup_chat(app: web.Application) -> None:
    pass
