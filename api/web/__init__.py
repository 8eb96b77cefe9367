"""The web pages for billers, managers and auditors: server-rendered Jinja2 over the same
store, workflow and authentication functions as the API (``install_web(app)`` adds them)."""

from api.web.install import install_web

__all__ = ["install_web"]
