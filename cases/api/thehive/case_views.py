"""TheHive's calls that put an alert in a case, and reading that case back.

Every Vigil alert is in a case from the moment it arrives (intake groups it), so
promoting an alert answers its case, and merging it into the case it is already in
answers that case. Moving an alert into another case is an analyst's merge in Vigil
(cases.services.merge needs a user with the right to close), never an ingest source's:
TheHive's 403, naming the case the alert is in. A source reads only the cases that hold
its alerts; any other is TheHive's 404.
"""

from rest_framework import status
from rest_framework.response import Response

from cases.models import Alert

from . import render
from .base import TheHiveView, thehive_schema, v0_flavour
from .body import TheHiveError, bad_request
from .refusals import CASES


def moved_refused(alert: Alert, case_id: int) -> TheHiveError:
    return TheHiveError(
        403,
        "AuthorizationError",
        f"Alert {alert.pk} is in case {alert.case_id}; Vigil does not move it into case {case_id} "
        "over the TheHive API. An analyst merges the two cases in Vigil.",
    )


class CaseAnswerMixin:
    def case_body(self, case) -> dict:
        return render.case(case, url=self.case_url(case.pk))


class AlertCaseView(CaseAnswerMixin, TheHiveView):
    @thehive_schema(
        "Promote an alert to a case",
        "Every Vigil alert is in a case from the moment it arrives: this answers that case "
        "as TheHive's case object (its Vigil reference and page in extraData.vigil). Nothing changes.",
        created=True,
    )
    def post(self, request, alert_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        return Response(self.case_body(self.get_case(str(alert.case_id))), status=status.HTTP_201_CREATED)


class AlertMergeView(CaseAnswerMixin, TheHiveView):
    @thehive_schema(
        "Merge an alert into a case",
        "thehive4py's alert.merge_into_case: the case the alert is already in is answered "
        "(nothing changes); another case of this source is a 403 (an analyst merges cases in "
        "Vigil); a case that holds none of this source's alerts is a 404.",
        body=False,
    )
    def post(self, request, alert_id: str, case_id: str, *args, **kwargs):
        alert = self.get_alert(alert_id)
        case = self.get_case(case_id)
        if case.pk != alert.case_id:
            raise moved_refused(alert, case.pk)
        return Response(self.case_body(case))


class AlertBulkMergeView(CaseAnswerMixin, TheHiveView):
    @thehive_schema(
        "Merge alerts into a case",
        'thehive4py\'s alert.bulk_merge_into_case ({"caseId", "alertIds"}): as a merge of each alert.',
    )
    def post(self, request, *args, **kwargs):
        body = request.data
        ids = body.get("alertIds") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str | int) for i in ids):
            raise bad_request(
                "Expected {caseId, alertIds: [alert id, ...]}.", {"alertIds": ["A list of alert ids."]}
            )
        case = self.get_case(str(body.get("caseId", "")))
        for alert in [self.get_alert(str(i)) for i in ids]:
            if alert.case_id != case.pk:
                raise moved_refused(alert, case.pk)
        return Response(self.case_body(case))


class CaseDetailView(CaseAnswerMixin, TheHiveView):
    @thehive_schema("Get a case", "A case that holds one of this source's alerts.", body=False)
    def get(self, request, case_id: str, *args, **kwargs):
        return Response(self.case_body(self.get_case(case_id)))

    @thehive_schema("Update a case", "Refused (403): analysts work cases in Vigil.")
    def patch(self, request, case_id: str, *args, **kwargs):
        self.get_case(case_id)
        raise TheHiveError(403, "AuthorizationError", CASES)

    @thehive_schema("Delete a case", "Refused (403): analysts work cases in Vigil.", body=False)
    def delete(self, request, case_id: str, *args, **kwargs):
        self.get_case(case_id)
        raise TheHiveError(403, "AuthorizationError", CASES)


V0AlertCaseView = v0_flavour(AlertCaseView)
V0AlertMergeView = v0_flavour(AlertMergeView)
