from soc import roles as role_checks


def roles(request):
    """Expose the user's capabilities to templates (views still enforce them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_is_l1": role_checks.is_l1(user),
        "user_is_t2": role_checks.is_t2(user),
        "user_is_manager": role_checks.is_manager(user),
    }
