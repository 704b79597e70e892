from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def notifications(request) -> dict:
    """The bell's unread count on every page; counted only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread_count": SimpleLazyObject(lambda: unread_count(user))}
