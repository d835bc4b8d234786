"""One builder per lifecycle: each drives a record to any state of its workflow through the real
services (never by writing ``status``), the way users' clicks would, with four-eyes respected
(a second person decides a review). Every test that needs a record in a given state uses these.

- ``tests.builders.inquiries``: ``new_inquiry``, ``inquiry_in(state, ...)``
- ``tests.builders.orders``: ``new_order``, ``order_in(state, ...)``, ``delivery_in(state, ...)``,
  ``installation_in(state, ...)``
- ``tests.builders.aftersales``: ``case_build``, ``plan_build``, ``visit_build``
- ``tests.builders.complaints``: ``cast()`` (the people of a complaint), ``new_complaint``,
  ``complaint_in(state, round=1, plan="draft")`` (every complaint state, planning at round 2 with
  plan v2), ``plan_in(state)``, ``measure_in(state)``, ``preventive_in(state)``
"""
