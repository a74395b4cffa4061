"""Adapters shipped inside the packages (as the top-level package ``soarpacks_platform``): each one
connects the runtime to one platform's API. They import only the runtime and the standard library."""
