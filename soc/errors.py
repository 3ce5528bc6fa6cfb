"""Domain errors raised by services. The API's exception handler and the HTML views map
them to responses; services never raise HTTP errors themselves."""


class DomainError(Exception):
    """Base of every rule a service refuses to break. `status` is the HTTP mapping."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, **data):
        super().__init__(message)
        self.message = message
        self.data = data


class NotAllowed(DomainError):
    """The actor's role does not allow this action on this object."""

    status = 403
    code = "permission_denied"


class Conflict(DomainError):
    """The object's state does not allow the action now (e.g. a lost race)."""

    status = 409
    code = "conflict"


class Unprocessable(DomainError):
    """The request is well-formed but a business rule refuses it (e.g. a guardrail)."""

    status = 422
    code = "refused"
