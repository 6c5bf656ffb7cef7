"""
Who may do what through the API: the same rules as the admin. A user needs
to be active staff (the admin's own gate) and to hold the role's permission;
object-level rules (a reporter edits only their own drafts) are the
workflow's, asked through workflow.can_edit.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from articles.curation import can_curate
from articles.workflow import can_edit


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def sees_unpublished(user) -> bool:
    """Editors (and reporters) with the admin's view permission see articles in
    every state; everyone else sees live articles only."""
    return is_staff(user) and user.has_perm("articles.view_article")


class IsStaff(BasePermission):
    """Signed-in, active staff: the people the admin lets in. What they may do
    beyond that is decided by the operation they call (e.g. the workflow)."""

    def has_permission(self, request, view):
        return is_staff(request.user)


class ArticlePermission(BasePermission):
    """Anyone reads (what they may see is the queryset's business); creating
    needs articles.add_article; editing needs workflow.can_edit, so a reporter
    changes their own drafts only and nobody changes a killed article."""

    message = "You may not edit this article in its current state."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not is_staff(request.user):
            return False
        if view.action == "create":
            return request.user.has_perm("articles.add_article")
        return True

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or can_edit(request.user, obj)


class CanCurateTags(IsStaff):
    """Deciding on tags, adding them by hand, correcting dates: articles.curate_tags."""

    message = "Only editors may curate tags."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and can_curate(request.user)
