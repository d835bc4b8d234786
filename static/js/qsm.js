/* QSM page helpers. Everything here only speeds things up: every form also works without it.

   The only script of the pages (besides the vendored Bootstrap and htmx), loaded once by base.html.
   The content security policy (settings.CONTENT_SECURITY_POLICY) runs no inline script, no on*=
   handler and no eval, so templates never carry code: they say what they want with data-*
   attributes and the delegated listeners below act on them, also inside HTML that htmx swaps in.
     data-add-row="<box id>"  a formset's "add a row" button: clones the box's <template> row
     data-groups-follow="<id>"  a select offering only the option group named like the chosen option of <id>
     record pages             the element a record page swaps (hx-target="this", id "<entity>-page",
                              or data-record-page): after a swap its first error comes into view
   A page that needs more (a chart) loads its own static file in {% block scripts %} and reads its
   data from json_script / data-* attributes, never from inline code. */
(function () {
  "use strict";

  // Intake form: picking a customer fills the contact fields that are still empty;
  // choosing "New customer" carries over what was typed in the search box.
  document.addEventListener("change", function (event) {
    const input = event.target;
    // A list's people filters (owner, engineer): picking a match applies it.
    if (input.hasAttribute && input.hasAttribute("data-filter-pick") && input.form && input.form.id === "filter-form") {
      input.form.requestSubmit();
      return;
    }
    if (input.name !== "customer" || !input.form) return;
    const form = input.form;
    if (form.id === "filter-form") {  // the list's customer filter: picking one applies it
      form.requestSubmit();
      return;
    }
    if (input.value === "new") {
      const search = form.querySelector("#customer-search");
      const name = form.querySelector("[name=new_customer_name]");
      if (search && name && !name.value) {
        const text = search.value.trim();
        if (/^[\d\s+()-]+$/.test(text)) {
          const phone = form.querySelector("[name=new_customer_phone]");
          if (phone && !phone.value) phone.value = text;
        } else {
          name.value = text;
        }
      }
      if (name) name.focus();
      return;
    }
    const fill = function (field, value) {
      const el = form.querySelector("[name=" + field + "]");
      if (el && !el.value && value) el.value = value;
    };
    fill("contact_name", input.dataset.contactName);
    fill("contact_phone", input.dataset.contactPhone);
  });

  // A request htmx does not swap (403, 404, 500, network down) still tells the user what happened.
  document.body.addEventListener("htmx:responseError", function (event) {
    showError(event.detail.xhr.status + " " + (event.detail.xhr.statusText || ""));
  });
  document.body.addEventListener("htmx:sendError", function () {
    showError(document.documentElement.lang === "en" ? "The server cannot be reached." : "无法连接服务器。");
  });

  function showError(text) {
    const box = document.getElementById("messages");
    if (!box) return;
    const div = document.createElement("div");
    div.className = "alert alert-danger alert-dismissible fade show py-2";
    div.setAttribute("role", "alert");
    div.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    div.appendChild(close);
    box.appendChild(div);
  }

  // The record page hook: after htmx swaps a record page (an inquiry, an order, ...), bring its
  // first error into view, wherever in the long page the form was.
  function isRecordPage(el) {
    return el.hasAttribute("data-record-page") || (/-page$/.test(el.id) && el.getAttribute("hx-target") === "this");
  }
  document.body.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    if (!target || !isRecordPage(target)) return;
    const invalid = target.querySelector(
      ".is-invalid, .invalid-feedback.d-block, .review-error, form .alert-danger, details[open] .text-danger");
    if (invalid) invalid.scrollIntoView({ block: "center", behavior: "smooth" });
  });

  // A formset's "add a row" clones the empty row kept in the box's <template>; without JavaScript
  // the same button posts the form back for more rows.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row]");
    if (!button) return;
    const box = document.getElementById(button.dataset.addRow);
    const template = box && box.querySelector("template");
    const total = box && box.querySelector("input[name$=TOTAL_FORMS]");
    if (!template || !total) return;
    event.preventDefault();
    const index = parseInt(total.value, 10) || 0;
    box.querySelector("tbody").insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    // (not a searchable one: focused, its list would open over the rows below)
    const first = box.querySelector("tbody tr:last-child select:not([data-searchable])");
    if (first) first.focus();
  });

  // Success messages go away by themselves; errors stay until closed.
  function fadeSuccess(root) {
    (root || document).querySelectorAll("#messages .alert-success").forEach(function (el) {
      if (el.dataset.timer) return;
      el.dataset.timer = "1";
      setTimeout(function () {
        if (window.bootstrap) window.bootstrap.Alert.getOrCreateInstance(el).close();
        else el.remove();
      }, 6000);
    });
  }
  fadeSuccess();
  document.body.addEventListener("htmx:afterSettle", function () { fadeSuccess(); });

  // Ctrl+Enter (Cmd+Enter on a Mac) in a text box saves its form: the hands stay on the keyboard.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const field = event.target;
    if (!field.form || !/^(TEXTAREA|INPUT)$/.test(field.tagName)) return;
    event.preventDefault();
    const primary = field.form.querySelector("button[type=submit]:not([name])") || field.form.querySelector("button[type=submit]");
    field.form.requestSubmit(primary || undefined);
  });

  // The customer modal on the list page: clear the old form when it closes.
  document.addEventListener("hidden.bs.modal", function (event) {
    const body = event.target.querySelector(".modal-body");
    if (body && body.id === "customer-modal-body") body.innerHTML = "";
  });
})();

/* Searchable selects and long texts (issue 7), wired from data-* attributes like the rest:
     <select data-searchable data-placeholder data-no-results data-remove-label>
                      set by the shared widgets (qsm.web.forms.searchable): tom-select (vendored
                      from npm, static/vendor/tom-select/) makes it searchable; a multi-select then
                      picks with a click (no Ctrl-click) and removes with the x on each chip.
     form.filter-form [data-filter-toggle-box]
                      a list's filters on a phone fold behind "more filters" (open while applied)
     .clamp[data-more][data-less]
                      a long text (a 19,500-character question) shows its first lines and a
                      "show more" button; the button appears only when the text is cut. */
(function () {
  "use strict";

  function initSearchable(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-searchable]").forEach(function (el) {
      if (el.tomselect) return;
      const noResults = el.dataset.noResults || "";
      const settings = {
        maxOptions: null,
        allowEmptyOption: !el.multiple,
        placeholder: el.dataset.placeholder || "",
        hidePlaceholder: true,  // a picked value is enough; no "type to search" beside it
        closeAfterSelect: !el.multiple,  // one pick of a single select is the end of it (order lines)
        render: {
          no_results: function () {
            const div = document.createElement("div");
            div.className = "no-results";
            div.textContent = noResults;
            return div;
          },
        },
      };
      if (el.dataset.lookup) {
        // A picker of people from the whole company (qsm.web.forms.PeoplePicker): only the picked
        // ones are in the page; the others are found as the user types (JSON from data-lookup).
        const url = el.dataset.lookup;
        settings.shouldLoad = function (query) { return query.trim().length > 0; };
        settings.load = function (query, callback) {
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query),
                { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) { callback(data.results || []); })
            .catch(function () { callback(); });
        };
      }
      if (el.multiple) {
        settings.plugins = { remove_button: { title: el.dataset.removeLabel || "" } };
        // After a pick the search starts afresh for the next person (tom-select keeps the query).
        settings.onItemAdd = function () {
          this.setTextboxValue("");
          this.refreshOptions(false);
        };
      }
      new window.TomSelect(el, settings);
    });
  }

  function initClamps(root) {
    root.querySelectorAll(".clamp").forEach(function (el) {
      if (el.dataset.clampReady) return;
      el.dataset.clampReady = "1";
      el.classList.add("clamp-armed");  // cut only where a button can undo it (not without JavaScript)
      if (el.scrollHeight <= el.clientHeight + 4) {
        el.classList.remove("clamp-armed");
        return;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 clamp-toggle";
      button.textContent = el.dataset.more || "…";
      button.setAttribute("aria-expanded", "false");
      if (el.id) button.setAttribute("aria-controls", el.id);
      button.addEventListener("click", function () {
        const open = el.classList.toggle("clamp-open");
        button.textContent = open ? (el.dataset.less || "") : (el.dataset.more || "");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (!open) el.scrollIntoView({ block: "nearest" });
      });
      el.insertAdjacentElement("afterend", button);
    });
  }

  // A list's filters on a phone: folded behind "more filters" unless a filter is applied.
  function initFilterToggle(root) {
    root.querySelectorAll("form.filter-form").forEach(function (form) {
      const box = form.querySelector("[data-filter-toggle-box]");
      if (!box || form.classList.contains("filter-collapsible")) return;
      const button = box.querySelector("button");
      const label = button.querySelector("span");
      form.classList.add("filter-collapsible");
      box.hidden = false;
      button.addEventListener("click", function () {
        const open = form.classList.toggle("filter-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        label.textContent = open ? button.dataset.less : button.dataset.more;
      });
    });
  }

  function init(root) {
    initSearchable(root);
    initClamps(root);
    initFilterToggle(root);
  }
  init(document);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    init(event.detail.elt || document);
  });
  // A formset row added by "add a row" (the listener above, registered first, has cloned it).
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row]");
    const box = button && document.getElementById(button.dataset.addRow);
    if (box) initSearchable(box);
  });
})();

/* Order lines (issue 7), wired from data-* attributes of templates/orders/_line_row.html:
     select[data-line-product] option[data-whole][data-price]
                      picking a product sets the row's quantity step: 1 (min 1) for a product counted
                      in whole units, 0.01 otherwise (the server refuses a fraction all the same), and
                      fills the unit price with the list price while the price is empty;
     [data-line-quantity] [data-line-price] -> output[data-line-amount]
                      the row's amount follows what is typed. */
(function () {
  "use strict";

  function rowOf(el) { return el.closest(".line-row"); }

  function number(text) {
    const value = parseFloat(text);
    return isFinite(value) ? value : null;
  }

  function showAmount(row) {
    const out = row.querySelector("[data-line-amount]");
    const quantity = row.querySelector("[data-line-quantity]");
    const price = row.querySelector("[data-line-price]");
    if (!out || !quantity || !price) return;
    const q = number(quantity.value), p = number(price.value);
    if (q === null || p === null) {
      out.textContent = "—";
      return;
    }
    const amount = Math.round(q * p * 100) / 100;
    out.textContent = (amount < 0 ? "-" : "") + (out.dataset.currency || "") + Math.abs(amount).toLocaleString(
      "en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function productPicked(select) {
    const row = rowOf(select);
    if (!row) return;
    const option = select.options[select.selectedIndex];
    const quantity = row.querySelector("[data-line-quantity]");
    const price = row.querySelector("[data-line-price]");
    const whole = option && option.dataset.whole === "1";
    if (quantity) {
      quantity.step = whole ? "1" : "0.01";
      quantity.min = whole ? "1" : "0.01";
      quantity.inputMode = whole ? "numeric" : "decimal";
    }
    if (price && !price.value && option && option.dataset.price) price.value = option.dataset.price;
    showAmount(row);
  }

  // A fraction typed for a product counted in whole units is marked at once (the server refuses it
  // all the same, with the product's name); the hint goes as soon as the number is whole.
  function checkWhole(row) {
    const quantity = row.querySelector("[data-line-quantity]");
    if (!quantity) return;
    let hint = row.querySelector("[data-line-whole-hint]");
    const q = number(quantity.value);
    const wrong = quantity.step === "1" && q !== null && Math.floor(q) !== q;
    quantity.setCustomValidity(wrong ? (quantity.dataset.wholeMessage || "") : "");
    if (wrong && !hint) {
      hint = document.createElement("div");
      hint.className = "invalid-feedback d-block";
      hint.setAttribute("data-line-whole-hint", "");
      hint.textContent = quantity.dataset.wholeMessage || "";
      quantity.insertAdjacentElement("afterend", hint);
    } else if (!wrong && hint) {
      hint.remove();
    }
    quantity.classList.toggle("is-invalid", wrong || !!row.querySelector(".line-quantity .invalid-feedback:not([data-line-whole-hint])"));
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-line-product]")) {
      productPicked(event.target);
      const row = rowOf(event.target);
      if (row) checkWhole(row);
    }
  });
  document.addEventListener("input", function (event) {
    const el = event.target;
    if (el.matches && el.matches("[data-line-quantity], [data-line-price]")) {
      const row = rowOf(el);
      if (row) {
        showAmount(row);
        checkWhole(row);
      }
    }
  });
  // A select whose option groups follow another select (data-groups-follow="<leader's id>"): only
  // the group labelled like the leader's chosen option is offered (a spot check's checklists of
  // the chosen module). Without a choice every group shows; the server checks the pair anyway.
  function followGroups(select) {
    const leader = document.getElementById(select.dataset.groupsFollow);
    if (!leader) return;
    const chosen = leader.selectedOptions[0];
    const label = leader.value && chosen ? chosen.text : "";
    select.querySelectorAll("optgroup").forEach(function (group) {
      const shown = !label || group.label === label;
      group.hidden = !shown;
      group.disabled = !shown;
    });
    const picked = select.selectedOptions[0];
    if (picked && picked.parentElement && picked.parentElement.disabled) select.value = "";
  }
  document.querySelectorAll("select[data-groups-follow]").forEach(followGroups);
  document.addEventListener("change", function (event) {
    const leader = event.target;
    if (!leader.id || leader.tagName !== "SELECT") return;
    document.querySelectorAll('select[data-groups-follow="' + leader.id + '"]').forEach(followGroups);
  });
})();
