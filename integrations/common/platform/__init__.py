"""Adapters shipped inside the packages with the runtime: each one
connects the runtime to one platform's API. They import only the runtime and the standard library."""
