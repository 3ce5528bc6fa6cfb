"""Admin for reference data: known networks and business partners, and their audit trail.

Every save and delete, bulk delete action included, goes through intel.services
(validation, audit row, index refresh, open cases re-enriched) as made through the admin;
the upload pages import as `upload`. Extra pages on each change list: import a CSV (with
a strict option) and, for known networks, upload a threat feed that replaces one source's
malicious entries. The "Export as CSV" action writes the same columns the importers read.
The audit trail (ReferenceChange) is listed read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from soc.admin import ViewOnlyAdmin
from soc.errors import DomainError

from . import services
from .exports import networks_csv, partners_csv
from .feeds import import_feed
from .imports import import_networks_csv, import_partners_csv
from .models import NETWORK_FIELDS, PARTNER_FIELDS, BusinessPartner, KnownNetwork, ReferenceChange

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _apply_domain_errors(form: forms.Form, exc: DomainError) -> None:
    errors = exc.data.get("errors") or {}
    if not errors:
        form.add_error(None, exc.message)
    for name, messages_ in errors.items():
        form.add_error(name if name in form.fields else None, messages_)


class ReferenceForm(forms.ModelForm):
    """Cleans through the same service function as the API (`clean_service`), then lets the
    subclass check the row as a whole (`check_entry`), each problem on its field."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            cleaned = type(self).clean_service({f: data.get(f) for f in self.Meta.fields})
        except DomainError as exc:
            _apply_domain_errors(self, exc)
            return data
        data.update(cleaned)
        self.check_entry(cleaned)
        return data


class KnownNetworkForm(ReferenceForm):
    clean_service = staticmethod(services.clean_network_fields)

    class Meta:
        model = KnownNetwork
        fields = NETWORK_FIELDS

    def check_entry(self, cleaned):
        clash = KnownNetwork.objects.filter(
            cidr=cleaned["cidr"], list=cleaned["list"], source=cleaned["source"]
        )
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("cidr", "This network is already on that list from that source.")


class ListField(forms.CharField):
    """A list edited as text: one value per line (or separated by ';' or ',')."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [
            part.strip() for part in text.replace(";", "\n").replace(",", "\n").splitlines() if part.strip()
        ]


class BusinessPartnerForm(ReferenceForm):
    clean_service = staticmethod(services.clean_partner_fields)
    domains = ListField(required=False, help_text="One domain per line, e.g. partner.example")
    networks = ListField(required=False, help_text="One IP or CIDR per line, e.g. 198.51.100.0/24")

    class Meta:
        model = BusinessPartner
        fields = PARTNER_FIELDS

    def check_entry(self, cleaned):
        start, end = cleaned.get("contract_start"), cleaned.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", "The contract cannot end before it starts.")


class CsvImportForm(forms.Form):
    file = forms.FileField(label="CSV file")
    strict = forms.BooleanField(
        label="Strict: import nothing if any row is bad", required=False, initial=False
    )


class FeedImportForm(forms.Form):
    file = forms.FileField(label="Feed file (one IP, CIDR or range per line)")
    source = forms.CharField(label="Source name", max_length=100, help_text="Replaces this source's entries.")
    label = forms.CharField(label="Label", max_length=200, required=False)
    expires_at = forms.DateTimeField(label="Expires at", required=False)
    strict = forms.BooleanField(label="Strict: import nothing if any line is bad", required=False)


def _read_upload(upload) -> bytes | None:
    if upload.size > MAX_UPLOAD_BYTES:
        return None
    return upload.read()


class ReferenceAdminMixin:
    """Save, delete and import through the services; export CSV. Each admin names its
    services: `create_entry`, `update_entry(entry, **fields)`, `csv_importer`,
    `csv_exporter`, and may add pages to `extra_pages` (path, view method, url name suffix)."""

    import_title = ""
    extra_pages = [("import-csv/", "import_csv_view", "import"), ("export-csv/", "export_all_view", "export")]

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(route, self.admin_site.admin_view(getattr(self, view)), name=f"{prefix}_{suffix}")
            for route, view, suffix in self.extra_pages
        ]
        return extra + super().get_urls()

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        via = ReferenceChange.Via.ADMIN
        if change:
            saved = self.update_entry(obj, by=request.user, via=via, **fields)
        else:
            saved = self.create_entry(by=request.user, via=via, **fields)
        obj.pk = saved.pk

    def import_csv_view(self, request):
        def run(data, options, **upload):
            return self.csv_importer(data, strict=options["strict"], **upload)

        return self._upload_view(request, CsvImportForm, run, self.import_title)

    def _require_manage(self, request):
        if not request.user.has_perm(services.MANAGE_PERMISSION):
            raise PermissionDenied

    def _upload_view(self, request, form_class, run, title: str):
        """An upload page: `run(data, options, by=, via=, file=)` imports the file's bytes
        with the form's other fields as options and returns its ImportReport."""
        self._require_manage(request)
        form = form_class(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = _read_upload(upload)
            if data is None:
                form.add_error("file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            else:
                report = run(
                    data, form.cleaned_data, by=request.user, via=ReferenceChange.Via.UPLOAD, file=upload.name
                )
                level = messages.SUCCESS if report.ok else messages.WARNING
                self.message_user(request, report.summary(), level)
                if report.ok:
                    return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/intel/import.html", context)

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request, queryset):
        return self._csv_response(self.csv_exporter(queryset.order_by(*self.opts.ordering)))

    def _csv_response(self, text: str) -> HttpResponse:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.opts.model_name}-{stamp}.csv"'
        return response

    def export_all_view(self, request):
        self._require_manage(request)
        return self._csv_response(self.csv_exporter(None))

    def delete_model(self, request, obj):
        services.reference_delete(by=request.user, entry=obj, via=ReferenceChange.Via.ADMIN)

    def delete_queryset(self, request, queryset):
        services.references_delete(by=request.user, queryset=queryset, via=ReferenceChange.Via.ADMIN)


@admin.register(KnownNetwork)
class KnownNetworkAdmin(ReferenceAdminMixin, admin.ModelAdmin):
    form = KnownNetworkForm
    list_display = ("cidr", "list", "label", "source", "shared", "expires_at", "updated_at")
    list_filter = ("list", "shared", "source")
    search_fields = ("cidr", "label", "source")
    actions = ["export_csv"]
    change_list_template = "admin/intel/change_list.html"
    import_title = "Import known networks (CSV: cidr,list,label,source,expires_at,shared)"
    list_per_page = 100
    extra_pages = [*ReferenceAdminMixin.extra_pages, ("import-feed/", "import_feed_view", "import_feed")]
    create_entry = staticmethod(services.network_create)
    csv_importer = staticmethod(import_networks_csv)
    csv_exporter = staticmethod(networks_csv)

    def update_entry(self, network, **fields):
        return services.network_update(network=network, **fields)

    def import_feed_view(self, request):
        def run(data, options, **upload):
            feed = {name: options[name] for name in ("source", "label", "expires_at", "strict")}
            return import_feed(data, **feed, **upload)

        return self._upload_view(request, FeedImportForm, run, "Import a threat feed into the malicious list")


@admin.register(BusinessPartner)
class BusinessPartnerAdmin(ReferenceAdminMixin, admin.ModelAdmin):
    form = BusinessPartnerForm
    list_display = ("name", "criticality", "contract_start", "contract_end", "domain_list", "updated_at")
    list_filter = ("criticality",)
    search_fields = ("name", "contacts", "notes")
    actions = ["export_csv"]
    change_list_template = "admin/intel/change_list.html"
    import_title = (
        "Import business partners (CSV: name,domains,networks,contract_start,contract_end,"
        "criticality,contacts; lists separated by ';')"
    )

    @admin.display(description="Domains")
    def domain_list(self, obj):
        return ", ".join(obj.domains or [])

    create_entry = staticmethod(services.partner_create)
    csv_importer = staticmethod(import_partners_csv)
    csv_exporter = staticmethod(partners_csv)

    def update_entry(self, partner, **fields):
        return services.partner_update(partner=partner, **fields)


@admin.register(ReferenceChange)
class ReferenceChangeAdmin(ViewOnlyAdmin):
    """The audit trail, read-only for everyone (rows are written with the changes they
    record, through intel.audit); seen with intel.view_referencechange (SOC managers,
    superusers)."""

    list_display = ("at", "actor_name", "action", "kind", "natural_key", "object_id", "via", "import_summary")
    list_filter = ("kind", "action", "via", ("at", admin.DateFieldListFilter))
    search_fields = ("natural_key",)
    fields = (
        "at",
        "actor",
        "actor_name",
        "kind",
        "object_id",
        "natural_key",
        "action",
        "via",
        "batch",
        "changes",
    )
    readonly_fields = fields
    list_per_page = 100
    # Not the app's admin/intel/change_list.html: the trail has no import or export.
    change_list_template = "admin/change_list.html"

    @admin.display(description="Import")
    def import_summary(self, obj):
        return obj.batch_id or ""
