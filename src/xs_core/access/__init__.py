"""Access: users, roles, feature authorisations and scopes (R0.6)."""

from xs_core.access.authoriser import Authoriser
from xs_core.access.features import ALL_FEATURES, FEATURE_INFO, Feature
from xs_core.access.model import Principal, ResolvedScope, Role, RoleKind, Scope, User

__all__ = [
    "ALL_FEATURES",
    "FEATURE_INFO",
    "Authoriser",
    "Feature",
    "Principal",
    "ResolvedScope",
    "Role",
    "RoleKind",
    "Scope",
    "User",
]
