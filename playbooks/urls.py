from django.urls import path

from . import views

app_name = "playbooks"
urlpatterns = [
    path("", views.playbook_list, name="list"),
]
