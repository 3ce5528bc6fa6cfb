# ruff: noqa: F821, B018 (vulture reads these attribute uses; nothing runs this file)
"""Names vulture (pyproject.toml [tool.vulture], run by scripts/dead_code.py) cannot see
used, each with the reason. Model fields, names in templates, names in strings and names
the tests use are found by scripts/dead_code.py itself. Not imported by anything."""

# Choices members: values the database may hold and forms offer, read through `choices`.
_.AMBER_STRICT  # Alert.Tlp
_.OBSERVED  # Case.ContainmentEffect
_.NOT_OBSERVED  # Case.ContainmentEffect
_.REPLIED  # enrichment.assistant.alert_reading's email outcome

# TypedDict keys of the timeline builders' optional details: passed as keyword arguments
# (containment/services/execution.py passes retry_in=...), which vulture does not count.
_.retry_in  # cases.services.events.operations.ContainmentDetails

# Attributes a library reads after we set them.
_.msg  # logging.LogRecord.msg, rewritten by soc.log_redaction
_._stream  # WSGIRequest._stream, the body Django reads (soc.internals.replace_request_body)
_.label_from_instance  # ModelChoiceField hook Django calls (cases.forms.AssigneeChoiceField)
_.abstract  # Meta.abstract of soc.db.Timestamped, read by Django's model metaclass
_.form_class  # accounts/views.py LoginView: read by Django's FormView
