"""The shared runtime every soarpacks integration is built on.

One concern per module: ``errors`` (kinds and exit codes), ``redaction``, ``retry`` and ``http``
(the one request loop), ``auth`` (strategies), ``paginators``, ``state`` (bookmarks and stores),
``manifest`` (loading, argument coercion), ``results``, ``registry`` (integrations and their
handlers), ``simkit`` (base for vendor simulators).
"""
