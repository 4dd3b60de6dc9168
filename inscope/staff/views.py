"""Signing in and out, and the home page that sends each person to the screen their role starts from."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from inscope.lib.pages import render_page
from inscope.staff.permissions import Action, can
from inscope.staff.requests import AuthedRequest


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True


def logout(request: HttpRequest) -> HttpResponse:
    """GET shows a confirmation; POST signs out (so a link cannot sign anyone out)."""
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    return render_page(request, "staff/logout.html", {"page_title": "Log out"})


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if can(user, Action.RESOLVE_ESCALATION):
        return redirect("exams:queue")
    if can(user, Action.PERFORM_EXAMINATION):
        return redirect("exams:worklist")
    if can(user, Action.EDIT_POLICY) or can(user, Action.VIEW_POLICY):
        return redirect("policy:list")
    if can(user, Action.VIEW_AUDIT):
        return redirect("audit:list")
    return render_page(request, "staff/no_role.html", {"page_title": "No role"}, status=403)
