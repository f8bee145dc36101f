"""sendobserve: observation and accreditation records for SEND mediators."""

from importlib.metadata import PackageNotFoundError, version

APP_NAME = "sendobserve"
APP_DISPLAY_NAME = "sendobserve"

try:
    __version__ = version("sendobserve")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
