"""The web host and the external API (R7.1): ``create_app(xs)`` builds a Litestar application
over a bootstrapped :class:`~xs_app.bootstrap.Xs`. A thin layer: every rule lives in the
services; this package decodes requests into their commands, answers JSON, and turns refusals
into RFC 9457 problem documents (see ``docs/api.md``)."""

from __future__ import annotations

from xs_app.web.app import create_app

__all__ = ["create_app"]
