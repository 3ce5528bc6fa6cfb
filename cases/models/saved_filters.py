"""A user's saved case-list filters: a name and the list's query string."""

from django.conf import settings
from django.db import models


class SavedFilter(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, help_text="The case list's query string, without page.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_user_name_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.name}"
