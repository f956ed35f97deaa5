from django.shortcuts import render


def home(request):
    """Landing page: what the service is, and the way in."""
    associations = []
    if request.user.is_authenticated:
        associations = list(request.user.associations.order_by("name"))
    return render(request, "survey/home.html", {"associations": associations})


def static_page(request, template: str, title: str):
    return render(request, template, {"title": title})
