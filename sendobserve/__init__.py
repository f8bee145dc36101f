"""sendobserve: observation and accreditation records for SEND mediators."""

APP_NAME = "sendobserve"
APP_DISPLAY_NAME = "sendobserve"

# The one place the version is written: pyproject.toml reads it from here (setuptools
# "dynamic"), and so does the frozen app's spec. A literal rather than a package-metadata
# lookup, which cost about 50 ms of every start-up.
__version__ = "0.1.0"
