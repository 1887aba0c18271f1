"""The warroom engine: monitoring, incidents, chaos and remediation.

Nothing in this package imports a terminal or HTTP framework; the faces in
``warroom`` call :class:`engine.service.Engine` and render what it returns.
"""
