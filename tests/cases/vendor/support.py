"""Reading the vendor documents (tests/cases/fixtures/vendor) and what Vigil stored of them."""

import json
from pathlib import Path

from cases.models import Alert

VENDOR_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "vendor"


def document(name: str):
    return json.loads((VENDOR_DIR / name).read_text(encoding="utf-8"))


def observables_of(alert: Alert) -> set[tuple[str, str, str]]:
    return {
        (link.observable.type, link.observable.value, link.role) for link in alert.alert_observables.all()
    }
