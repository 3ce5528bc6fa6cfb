from tests.accounts.oidc_support import oidc_provider, sso  # noqa: F401 - fixtures for this folder
