"""One builder per lifecycle: each drives a record to any state of its workflow through the real
services (never by writing ``status``), the way users' clicks would, with four-eyes respected
(a second person decides a review). Every test that needs a record in a given state uses these.

- ``tests.builders.inquiries``: ``new_inquiry``, ``inquiry_in(state, ...)``
- ``tests.builders.orders``: ``new_order``, ``order_in(state, ...)``, ``delivery_in(state, ...)``,
  ``installation_in(state, ...)``
"""
