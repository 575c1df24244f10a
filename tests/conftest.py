"""Shared by every test directory.

Sanic's import runs `warnings.filterwarnings("once", category=DeprecationWarning)`: left alone, it
overrides pytest.ini's targeted filters for whatever is imported after it in the same phase (the
collection imports rasa, TensorFlow and matplotlib after it). Imported here inside
`catch_warnings`, its filter goes away again and pytest.ini's filters decide.
"""

import warnings

with warnings.catch_warnings():
    import sanic  # noqa: F401
