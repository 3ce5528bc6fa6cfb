"""Every vendor document is named, with its source, in the fixtures' README."""

import pytest

from tests.cases.vendor.support import VENDOR_DIR

pytestmark = pytest.mark.django_db


def test_every_vendor_document_is_listed_in_the_readme():
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    assert {p.name for p in VENDOR_DIR.glob("*.json")} == {
        name for name in (p.name for p in VENDOR_DIR.glob("*.json")) if f"`{name}`" in readme
    }
