"""
One shape for every error the API answers.

    400  {"<field>": ["what is wrong", ...], ...}   invalid input, named by field or
                                                   query parameter; problems not about
                                                   one field under "non_field_errors"
    400  {"detail": "..."}                         a body that is not JSON at all
    4xx  {"detail": "...", "code": "..."}          everything else; a refused workflow
                                                   transition adds "problems": [...]

The workflow's and curation's errors are mapped here, so views just call them:
TransitionNotAllowed and GuardFailed → 409, TransitionForbidden → 403,
StaleVersion → 412, Django's ValidationError → 400; a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (Django's RequestDataTooBig) → 413.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from articles.workflow import GuardFailed, StaleVersion, TransitionForbidden, TransitionNotAllowed


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the article's current state."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, problems=None):
        super().__init__(detail, code)
        self.problems = problems


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The article changed since you read it."
    default_code = "stale_version"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the article's ETag, so that no one's changes are lost."
    default_code = "if_match_required"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This article has been withdrawn."
    default_code = "gone"


def translate(exc):
    """The API exception for an error raised by the workflow, curation or the ORM."""
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail)
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, GuardFailed):
        return Conflict(str(exc), "guard_failed", problems=exc.problems)
    if isinstance(exc, TransitionNotAllowed):
        return Conflict(str(exc), "transition_not_allowed")
    if isinstance(exc, TransitionForbidden):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(str(exc))
    return exc


def field_errors(detail, prefix="") -> dict:
    """Flatten nested serializer errors into {"field.sub": [messages]}."""
    if isinstance(detail, dict):
        items = detail.items()
    elif isinstance(detail, list) and any(isinstance(v, (dict, list)) for v in detail):
        items = ((index, value) for index, value in enumerate(detail) if value)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {prefix or "non_field_errors": [str(m) for m in messages]}
    flat = {}
    for key, value in items:
        flat.update(field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def exception_handler(exc, context):
    exc = translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = field_errors(exc.detail)
    else:
        response.data = {"detail": str(exc.detail),
                         "code": getattr(exc.detail, "code", None) or exc.default_code}
        if getattr(exc, "problems", None):
            response.data["problems"] = exc.problems
    return response
