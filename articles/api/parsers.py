"""
The API's JSON parser: DRF's, made safe against a body nested deeper than
Python's recursion limit ([[[[...]]]]), for which json.load raises
RecursionError, which DRF does not catch (a 500). Bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE are refused before parsing, by Django itself
(exceptions.py answers its RequestDataTooBig with a 413).
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        except ValueError as exc:  # DRF catches its own; this covers any raised late
            raise ParseError(f"JSON parse error - {exc}") from None
