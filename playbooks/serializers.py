"""API shapes for playbooks. Output serializers read the dicts built by
exporters.version_as_dict (the same shape the JSON export writes)."""

from rest_framework import serializers

from . import attack
from .importers import SECTION_ROWS
from .registry import ActionKey, AssistKey


class ItemOutput(serializers.Serializer):
    order = serializers.IntegerField()
    text = serializers.CharField()
    assist = serializers.ChoiceField(choices=["", *AssistKey.values], help_text="Enrichment shown beside it.")
    action = serializers.ChoiceField(choices=["", *ActionKey.values], help_text="Containment it maps to.")


SectionsOutput = type(
    "SectionsOutput",
    (serializers.Serializer,),
    {str(key.value): ItemOutput(many=True, help_text=title) for key, title in SECTION_ROWS},
)


class AttackOutput(serializers.Serializer):
    known = serializers.BooleanField(help_text="False for an organisation's own technique id.")
    name = serializers.CharField(allow_null=True)
    tactics = serializers.ListField(child=serializers.CharField(), help_text="Tactic ids, e.g. TA0043.")
    attack_version = serializers.CharField()


def attack_info(technique_id: str) -> dict:
    info = attack.lookup(technique_id)
    return {
        "known": info is not None,
        "name": info.full_name if info else None,
        "tactics": list(info.tactic_ids) if info else [],
        "attack_version": attack.attack_version(),
    }


class VersionDetailOutput(serializers.Serializer):
    technique_id = serializers.CharField()
    name = serializers.CharField()
    tactic = serializers.CharField(allow_blank=True)
    tactic_id = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["draft", "published", "retired"])
    published_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField()
    extra = serializers.DictField(help_text='Rows the importer did not know: {"unknown_rows": [...]}.')
    sections = SectionsOutput()
    versions = serializers.ListField(
        child=serializers.DictField(), help_text="Every version: number, status."
    )
    attack = AttackOutput()
    covers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Related technique ids this playbook also covers (routing; not versioned).",
    )


class CoverageInput(serializers.Serializer):
    covers = serializers.ListField(
        child=serializers.CharField(max_length=20),
        allow_empty=True,
        max_length=200,
        help_text='ATT&CK technique ids of the bundled catalogue, e.g. ["T1656", "T1566", "T1110"]; '
        "a listed parent covers its sub-techniques.",
    )


class CoverageOutput(serializers.Serializer):
    technique_id = serializers.CharField()
    covers = serializers.ListField(
        child=serializers.CharField(), help_text="Stored form: upper-case, sorted."
    )


class PlaybookListOutput(serializers.Serializer):
    technique_id = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    tactic = serializers.CharField(allow_null=True)
    tactic_id = serializers.CharField(allow_null=True)
    current_version = serializers.IntegerField(allow_null=True, help_text="Published version number.")
    version_count = serializers.IntegerField()
    case_count = serializers.IntegerField(help_text="Cases pinned to any version of this playbook.")
    url = serializers.CharField()


class PlaybookPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PlaybookListOutput(many=True)


class ImportInput(serializers.Serializer):
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="The file's content.")
    file = serializers.FileField(required=False, help_text="Or upload the file (multipart).")
    filename = serializers.CharField(required=False, default="upload.md")
    publish = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if bool(attrs.get("text")) == bool(attrs.get("file")):
            raise serializers.ValidationError("Send either text or file.")
        return attrs


class ImportOutput(serializers.Serializer):
    technique_id = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.BooleanField(help_text="False when identical content already existed.")
    published = serializers.BooleanField(help_text="This import published the version.")
    warnings = serializers.ListField(child=serializers.CharField())
