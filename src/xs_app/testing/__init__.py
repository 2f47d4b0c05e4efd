"""Testing support at the application level: strategies for every command, and worlds built
through the services (install the ``testing`` extra). The public surface is ``xs.testing``.

This package's ``__init__`` imports nothing: :mod:`xs_app.testing.registration` is imported by
the hypothesis hook, and must not pull in the strategy modules.
"""
