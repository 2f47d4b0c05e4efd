"""Testing support for users of xs: hypothesis strategies for the core's value objects (install
the ``testing`` extra; the public surface is ``xs.testing``).

This ``__init__`` imports nothing: ``xs_core/__init__.py`` imports
:mod:`xs_core.testing.hypothesis_hook` on every import of the core.
"""
