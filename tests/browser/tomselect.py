"""Picking in a searchable select (tom-select) the way a person does: type, wait for the match, take it."""
from __future__ import annotations


def pick(page, select: str, typed: str, value) -> None:
    """Type into the searchable select ``select`` until the option ``value`` shows, then take it.
    The pick goes through tom-select's own API: a click on the option raced the list's closing
    under load. Works for the type-aheads that fetch their options (``data-lookup``) too."""
    control = page.locator(f"{select} + .ts-wrapper .ts-control")
    control.click()
    control.locator("input").press_sequentially(typed)
    page.locator(f"{select} + .ts-wrapper .ts-dropdown .option[data-value='{value}']").wait_for()
    page.eval_on_selector(select, "(e, v) => { e.tomselect.setValue(v); e.tomselect.close(); e.tomselect.blur(); }",
                          str(value))
    page.locator(f"{select} + .ts-wrapper .ts-dropdown").wait_for(state="hidden")
    assert page.eval_on_selector(select, "e => e.value") == str(value)
