from django import template

from atrium.events.permissions import Role, has_role

register = template.Library()


@register.filter
def organises(user, conference) -> bool:
    """``{% if request.user|organises:conference %}``: the user is an organiser of it."""
    return bool(conference) and has_role(user, conference, Role.ORGANISER)
