"""The dispatcher web page served at ``/`` (see docs/web.md)."""
