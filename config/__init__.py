# The one version of the package and of the API schema (pyproject.toml reads it from here).
__version__ = "0.1.0"
