"""SEC-2 / VIS-1: the public page behind customer links is rate-limited per client address."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.spec("VIS-1")
def test_the_public_link_page_is_limited_per_address(db, settings):
    settings.QSM_LINK_RATE_LIMIT = 5
    settings.QSM_LINK_RATE_WINDOW = 60
    url = reverse("links:open", args=["x" * 43])
    client = Client(REMOTE_ADDR="203.0.113.7")
    # the first five guesses get the "not valid" page
    for _n in range(5):
        assert client.get(url).status_code == 404
    # the sixth is refused as too many, in both languages, without reading the link
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert 'data-reason="throttled"' in html and "Too many" in html
    assert client.post(url, {"x": "1"}).status_code == 429
    # another address is not affected
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 404


@pytest.mark.spec("VIS-1")
def test_a_client_cannot_escape_the_limit_with_a_forwarded_header(db, settings):
    settings.QSM_LINK_RATE_LIMIT = 2
    settings.QSM_TRUSTED_PROXY_COUNT = 0  # no proxy is trusted: X-Forwarded-For is the client's own words
    url = reverse("links:open", args=["y" * 43])
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 429, 429]
