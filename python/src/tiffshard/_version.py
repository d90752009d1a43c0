"""The package version: packaging/VERSION of the repository (a test checks they agree)."""
__version__ = "0.1.0"
