"""manage.py import_playbooks / export_playbook."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from playbooks.models import Playbook, PlaybookVersion
from tests.conftest import SEED_PLAYBOOK

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = 1
    return code, out.getvalue(), err.getvalue()


def test_import_the_shared_seed_folder_with_publish():
    code, out, _ = run("import_playbooks", "--publish", str(SEED_PLAYBOOK.parent))
    assert code == 0
    assert "T1591.002: created version 1 (published)" in out
    assert "1 file(s): 1 created, 0 unchanged, 0 failed" in out
    code, out, _ = run("import_playbooks", "--publish", str(SEED_PLAYBOOK.parent))
    assert code == 0
    assert "1 file(s): 0 created, 1 unchanged, 0 failed" in out
    assert PlaybookVersion.objects.get().status == PlaybookVersion.Status.PUBLISHED


def test_a_bad_file_fails_alone_and_the_run_exits_non_zero(tmp_path, seed_text):
    (tmp_path / "a-good.md").write_text(seed_text.replace("\n", "\r\n"), encoding="utf-8")
    (tmp_path / "b-bad.md").write_text("# Broken - T1591002\n\nno table here\n", encoding="utf-8")
    (tmp_path / "c-binary.txt").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "README.md").write_text("# About these playbooks\n", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    other = tmp_path / "sub"
    other.mkdir()
    (other / "T1591.txt").write_text(
        seed_text.replace("T1591.002", "T1591").replace("T1591002", "T1591"), encoding="utf-8"
    )
    code, out, err = run("import_playbooks", str(tmp_path), str(tmp_path / "missing.md"))
    assert code == 1
    assert f"FAIL {tmp_path / 'b-bad.md'}: no markdown table of playbook rows was found." in err
    assert "c-binary.txt: not UTF-8 text" in err
    assert "missing.md: no such file or folder" in err
    assert "5 file(s): 2 created, 0 unchanged, 3 failed" in out
    assert "3 of 5 file(s) failed to import" in err
    assert sorted(Playbook.objects.values_list("technique_id", flat=True)) == ["T1591", "T1591.002"]
    assert set(PlaybookVersion.objects.values_list("status", flat=True)) == {"draft"}  # no --publish


def test_warnings_are_printed(tmp_path, seed_text):
    path = tmp_path / "org.md"
    path.write_text(seed_text.replace("T1591.002", "T1999").replace("T1591002", "T1999"), encoding="utf-8")
    code, out, _ = run("import_playbooks", str(path))
    assert code == 0
    assert "warning: T1999 is not in the ATT&CK 18.1 catalogue" in out


def test_import_records_the_acting_user(tmp_path, seed_text, manager):
    code, _, _ = run("import_playbooks", "--by", manager.username, str(SEED_PLAYBOOK))
    assert code == 0
    assert PlaybookVersion.objects.get().created_by == manager
    assert run("import_playbooks", "--by", "nobody", str(SEED_PLAYBOOK))[0] == 1


def test_export_markdown_json_and_versions(seed_playbook, manager, tmp_path):
    from playbooks.services import playbook_version_new_draft

    code, out, _ = run("export_playbook", "T1591.002", "--format", "markdown")
    assert code == 0
    assert out.startswith("# Gather_Victim_Org_Information:_Business_Relationships - T1591002\n")
    code, out, _ = run("export_playbook", "T1591002", "--format", "json")
    assert (
        json.loads(out)["sections"]["question"][0]["text"]
        == "Does the activity come from legitimate or known IPs?"
    )
    playbook_version_new_draft(version=seed_playbook, by=manager)
    code, out, _ = run("export_playbook", "T1591.002", "--version", "2", "--format", "json")
    assert json.loads(out)["status"] == "draft"
    target = tmp_path / "out.md"
    assert run("export_playbook", "T1591.002", "--output", str(target))[0] == 0
    assert "| Questions for Analysis |" in target.read_text(encoding="utf-8")
    assert run("export_playbook", "T1591.002", "--version", "9")[0] == 1
    assert run("export_playbook", "T1592")[0] == 1
    assert run("export_playbook", "nope")[0] == 1
