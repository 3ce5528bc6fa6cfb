from django.apps import AppConfig

from cases.extensions import ingest_request_handled


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Metrics and reports"

    def ready(self):
        # Instrumentation only (no business logic): count Celery task outcomes in the shared
        # cache so the /metrics endpoint of any web process sees every worker's.
        from celery.signals import task_failure, task_retry, task_success

        from .prometheus import count_ingest_request, count_task_outcome

        def succeeded(sender=None, **kwargs):
            count_task_outcome(sender.name, "succeeded")

        def failed(sender=None, **kwargs):
            count_task_outcome(sender.name, "failed")

        def retried(sender=None, request=None, **kwargs):
            count_task_outcome(getattr(sender, "name", str(sender)), "retried")

        task_success.connect(succeeded, weak=False)
        task_failure.connect(failed, weak=False)
        task_retry.connect(retried, weak=False)

        def ingest_handled(sender=None, source=None, response=None, seconds=0.0, **kwargs):
            count_ingest_request(source, response, seconds)

        ingest_request_handled.connect(ingest_handled, weak=False)
