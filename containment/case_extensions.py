"""What containment adds to the case page and the case detail API, through the registry
cases owns (cases.extensions), registered in ContainmentConfig.ready()."""

from cases.extensions import CaseDetailField, CasePanel

from .models import ContainmentAction
from .serializers import ActionOutput


def panel_starts_open(user, case) -> bool:
    """Expanded for a T2 case seen by someone who may request containment."""
    return case.tier == case.Tier.T2 and user.has_perm("containment.request_action")


def case_actions(case) -> list[ContainmentAction]:
    return list(
        ContainmentAction.objects.filter(case=case).select_related(
            "case", "requested_by", "approved_by", "overridden_by", "owner"
        )
    )


PANEL = CasePanel(
    key="containment", title="Containment", url_name="containment:case_panel", open_for=panel_starts_open
)
ACTIONS_FIELD = CaseDetailField(
    name="containment_actions",
    field=lambda **kwargs: ActionOutput(many=True, **kwargs),
    load=case_actions,
)
