"""Helpers for the sphinx-gallery configuration in ``conf.py``.

They live in a module so that ``sphinx_gallery_conf`` can name them by
their qualified name, as sphinx-gallery recommends (the configuration then
stays picklable).
"""

import builtins


def set_example_file(gallery_conf, fname):
    """Make ``__file__`` resolve to the example being run.

    sphinx-gallery deliberately does not define ``__file__`` in an example's
    namespace, while the examples default their output folder to
    ``Path(__file__).parent``. A name missing from the namespace is looked up
    in :mod:`builtins`, so setting it there before each example makes the
    examples run unchanged. (The output folder itself is taken from
    ``SKSEQUENCE_EXAMPLES_OUT``, which ``conf.py`` sets.)
    """
    builtins.__file__ = str(fname)
