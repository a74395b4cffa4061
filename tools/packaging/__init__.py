"""``soarpacks package``: turn each integration found on disk into artifacts that SOAR platforms import.

One module per concern: ``sources`` (which files ship), ``archive`` (reproducible zip/tgz, paths that
cannot escape the output folder), ``outputs`` (JSON Schema → context/data paths), one module per target
(``native``, ``xsoar``, ``splunk``), and ``platform/`` — the adapters that ship *inside* the packages and
connect the runtime to each platform's API. Nothing here knows any vendor: everything comes from the
manifest, so a new integration folder is packaged without touching the tool.
"""
