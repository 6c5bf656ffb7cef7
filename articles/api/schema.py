"""
The OpenAPI schema: drf-spectacular's, with the error responses every
operation can give added from one place (the shapes of exceptions.py), so
that the schema describes all the answers a client may get.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse

from .permissions import IsStaff
from .serializers import SLUG

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "code": {"type": "string", "description": "The same, for a program to test."},
        "problems": {"type": "array", "items": {"type": "string"},
                     "description": "Each precondition a refused transition failed."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Each invalid field or query parameter with its problems; problems not "
                   "about one field under non_field_errors. A body that is not valid JSON "
                   "gets {\"detail\", \"code\"} instead.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"person": ["Unknown person: 'nobody'."]},
}


def error(description: str, schema: str = "Error") -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": f"#/components/schemas/{schema}"},
                           description=description)


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        self.registry.register_on_missing(
            ResolvedComponent("Error", ResolvedComponent.SCHEMA, object="Error", schema=ERROR))
        self.registry.register_on_missing(ResolvedComponent(
            "ValidationError", ResolvedComponent.SCHEMA, object="ValidationError",
            schema=VALIDATION_ERROR))
        for code, response in self.error_responses().items():
            bodies.setdefault(str(code), self._get_response_for_code(response, str(code),
                                                                     direction=direction))
        return dict(sorted(bodies.items()))

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "slug":
                parameter["schema"]["pattern"] = SLUG.pattern
        return parameters

    def staff_only(self) -> bool:
        return any(isinstance(p, IsStaff) for p in self.view.get_permissions())

    def get_auth(self):
        auth = super().get_auth()
        public = self.method == "GET" or not self.view.get_permissions()
        if public and not self.staff_only() and {} not in auth:
            auth.append({})  # public reads (and the token exchange) need no credentials
        return auth

    def error_responses(self) -> dict:
        staff_only = self.staff_only()
        errors = {
            400: error("Invalid input: a malformed value, an unknown slug or query parameter, "
                       "a page out of range.", "ValidationError"),
            401: error("The credentials sent are wrong, or a write was attempted without any "
                       "(WWW-Authenticate: Token)."),
            429: error("Too many requests from this address; Retry-After says when to retry."),
        }
        if self.method == "GET":
            errors[304] = OpenApiResponse(description="Not modified: the ETag sent in "
                                                      "If-None-Match is still current.")
        if self.method != "GET" or staff_only:
            errors[403] = error("Not allowed for this user (role or workflow rule).")
        if self.method in ("POST", "PUT", "PATCH"):
            errors[415] = error("The body is not JSON (Content-Type: application/json).")
        if self.method in ("POST", "PATCH"):
            errors[413] = error("The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        # Every operation answers JSON only (the page cache keys on the URL, not on Accept).
        errors[406] = error("Accept names no type this API answers: it answers "
                            "application/json only.")
        if "{" in self.path:
            errors[404] = error("No such object, or not one this user may see.")
        if self.path.startswith("/api/v1/articles/{"):
            errors[410] = error("The article was withdrawn (killed); detail is the notice.")
        return errors
