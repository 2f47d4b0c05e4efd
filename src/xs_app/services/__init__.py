"""Application services: one use case = one method taking a command object."""
