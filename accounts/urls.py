from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import oidc, views

app_name = "accounts"

urlpatterns = [
    path("second-factor/", views.second_factor_verify, name="second-factor"),
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/recovery-codes/", views.recovery_codes_renew, name="recovery-codes"),
    path("sso/refused/", views.sso_refused, name="sso-refused"),
    path("lockouts/", views.lockout_list, name="lockouts"),
    path("lockouts/<int:attempt_pk>/release/", views.lockout_release, name="lockout-release"),
    path("sign-in-events/", views.sign_in_events, name="sign-in-events"),
]

# mozilla-django-oidc's views, with discovery, under the names it reverses.
oidc_urlpatterns = [
    path("callback/", login_not_required(oidc.CallbackView.as_view()), name="oidc_authentication_callback"),
    path("authenticate/", login_not_required(oidc.SignInView.as_view()), name="oidc_authentication_init"),
]
