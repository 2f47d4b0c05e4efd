"""xs core: the pure rules, value objects and ports (no I/O).

When hypothesis is already imported, importing the core registers its strategies for
``st.from_type`` (:mod:`xs_core.testing.hypothesis_hook`; nothing else is imported otherwise).
"""

from xs_core.testing.hypothesis_hook import register_if_ready as _register_strategies

_register_strategies()
