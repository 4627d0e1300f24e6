"""The package version, in a leaf module that imports nothing.

``sksequence.__version__`` re-exports it; modules that record the version
(``sksequence.save``) read it here rather than importing the package's
``__init__`` back, and the build reads it without importing sksequence.
"""

__version__ = "0.1.0.dev0"
