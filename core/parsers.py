"""The API's only parser: JSON (any other content type gets 415)."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser lets the RecursionError of deeply nested input (`[[[[…]]]]`) escape as a
    500 with a traceback in the log; this one answers it like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
