"""The ``<ref:ref>`` path converter: a URL names a person only by a well-formed reference.

Anything else (a NUL byte, a name, a path) never reaches a view or the database: the URL
does not match and the reader gets a 404, the same as for a reference that names no one.
"""

from django.urls import register_converter

from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH


class ReferenceConverter:
    regex = f"[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Importing this module registers the converter, and Python imports a module once.
register_converter(ReferenceConverter, "ref")
