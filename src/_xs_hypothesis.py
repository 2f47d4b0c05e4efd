"""The hypothesis entry point of xs (``[project.entry-points.hypothesis]``).

Hypothesis calls :func:`_hypothesis_setup_hook` from inside ``import hypothesis``, in every process
of an environment where xs is installed. So this module lies outside the xs packages (loading it
imports none of them) and imports nothing itself. When xs has not been imported the hook does
nothing (``import xs`` registers the strategies later, see
:mod:`xs_core.testing.hypothesis_hook`); when it has, the hook registers them now.
"""

from __future__ import annotations

import sys


def _hypothesis_setup_hook() -> None:
    # every xs package imports the core first: no core, no xs
    if "xs_core" in sys.modules:
        from xs_core.testing.hypothesis_hook import register_now

        register_now()
