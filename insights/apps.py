from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Metrics and reports"

    def ready(self):
        # Instrumentation only (no business logic): count Celery task outcomes in the shared
        # cache so the /metrics endpoint of any web process sees every worker's.
        from celery.signals import task_failure, task_retry, task_success

        from .prometheus import count_task_outcome

        def succeeded(sender=None, **kwargs):
            count_task_outcome(sender.name, "succeeded")

        def failed(sender=None, **kwargs):
            count_task_outcome(sender.name, "failed")

        def retried(sender=None, request=None, **kwargs):
            count_task_outcome(getattr(sender, "name", str(sender)), "retried")

        task_success.connect(succeeded, weak=False)
        task_failure.connect(failed, weak=False)
        task_retry.connect(retried, weak=False)
