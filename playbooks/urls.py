from django.urls import path

from . import views

app_name = "playbooks"
urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("<str:technique_id>/", views.playbook_detail, name="detail"),
]
