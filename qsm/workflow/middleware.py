from django.conf import settings

from .actors import Via, acting_via


class ViaMiddleware:
    """Every write made while answering a request records whether it came from a page or the API.

    One rule by path, so DRF views, token clients and the browsable API are all ``api`` without
    each view saying so; the customer link view narrows it to ``link`` itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.api_prefix = getattr(settings, "QSM_API_PREFIX", "/api/")

    def __call__(self, request):
        via = Via.API if request.path_info.startswith(self.api_prefix) else Via.PAGE
        with acting_via(via):
            return self.get_response(request)
