from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .models import Playbook


@permission_required("playbooks.view_playbook", raise_exception=True)
def playbook_list(request):
    return render(request, "playbooks/playbook_list.html", {"playbooks": Playbook.objects.all()})
