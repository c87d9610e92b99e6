from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def donate(request: HttpRequest) -> HttpResponse:
    # Placeholder until the donations issue lands: the article CTA already links here.
    return render(request, "donations/donate.html", {"source": request.GET.get("source", "")})
