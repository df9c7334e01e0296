/*
 * Lobby: progressive enhancement of the request and status forms.
 *
 * Without this script the forms post to the API and the API answers with a
 * page of its own. With it, the form is sent as JSON and the answer is shown
 * in place: the receipt, or the same error summary and field messages the
 * API would render (functions/views/forms.py), or a plain message when the
 * network or the server fails, with everything typed still in the form.
 *
 * Plain ES2017, no framework, no build step. The script types no sentence: every
 * text a resident sees comes from the message catalog, in the page's language,
 * through the JSON the page carries (functions/views/script.py). Values from the
 * server are put in with textContent, never as HTML.
 */
(function () {
  "use strict";

  // The page carries every word the script shows, in its own language, from the message catalog
  // (functions/views/script.py): the script looks each one up by its key.
  var WORDS = (function () {
    var node = document.getElementById("lobby-words");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (error) {
      return {};
    }
  })();

  function text(key, values) {
    // The catalog's text for key, with {name} placeholders filled from values.
    return String(WORDS[key] || "").replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return values && values[name] !== undefined && values[name] !== null ? String(values[name]) : whole;
    });
  }

  // --- small DOM helpers ----------------------------------------------------------------------

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function formValues(form) {
    // A flat object with the names a browser would post; the consent box is "yes" when ticked.
    var data = {};
    Array.prototype.forEach.call(form.elements, function (control) {
      if (!control.name || control.disabled) return;
      if (control.type === "checkbox" || control.type === "radio") {
        if (control.checked) data[control.name] = control.value;
        return;
      }
      if (control.tagName === "BUTTON" || control.type === "submit") return;
      data[control.name] = control.value;
    });
    return data;
  }

  async function postJson(url, data) {
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
    });
    var body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    return { status: response.status, body: body };
  }

  function setBusy(form, busy, label) {
    var button = form.querySelector("button[type=submit], .lobby-button");
    form.setAttribute("aria-busy", busy ? "true" : "false");
    if (!button) return;
    if (busy) {
      button.setAttribute("data-label", button.textContent);
      button.textContent = label;
      button.disabled = true;
    } else {
      button.textContent = button.getAttribute("data-label") || button.textContent;
      button.disabled = false;
    }
  }

  // --- errors, exactly as the API renders them without JavaScript ------------------------------

  function fieldIds(form) {
    return Array.prototype.map.call(form.querySelectorAll("[data-field]"), function (wrapper) {
      return wrapper.getAttribute("data-field");
    });
  }

  function describedBy(node, id, add) {
    var ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (value) {
      return value && value !== id;
    });
    if (add) ids.push(id);
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(
      form.querySelectorAll(".lobby-error-summary, .lobby-form-alert, .lobby-error-message"),
      function (node) { node.parentNode.removeChild(node); }
    );
    Array.prototype.forEach.call(form.querySelectorAll(".lobby-field--error"), function (wrapper) {
      wrapper.classList.remove("lobby-field--error");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (control) {
      control.removeAttribute("aria-invalid");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-describedby]"), function (node) {
      node.getAttribute("aria-describedby").split(/\s+/).forEach(function (id) {
        if (/-error$/.test(id)) describedBy(node, id, false);
      });
    });
  }

  function focusField(form, id) {
    var control = form.querySelector("#f-" + CSS.escape(id));
    if (!control) return;
    var wrapper = form.querySelector('[data-field="' + CSS.escape(id) + '"]');
    var caption = wrapper && wrapper.querySelector("legend, label");
    control.focus();
    if (caption && caption.scrollIntoView) caption.scrollIntoView();
  }

  function showFieldError(form, id, message) {
    var wrapper = form.querySelector('[data-field="' + CSS.escape(id) + '"]');
    if (!wrapper) return;
    var errorId = "f-" + id + "-error";
    var note = element("p", { class: "lobby-error-message", id: errorId }, [
      element("span", { class: "lobby-visually-hidden" }, [text("form.error_prefix")]),
      message,
    ]);
    wrapper.classList.add("lobby-field--error");
    var fieldset = wrapper.querySelector("fieldset");
    var container = fieldset || wrapper;
    // After the hint, else after the label or legend; the consent box has neither, so first.
    var anchor = container.querySelector(".lobby-hint") || container.querySelector(":scope > legend, :scope > label");
    if (anchor) anchor.insertAdjacentElement("afterend", note);
    else container.insertBefore(note, container.firstChild);
    describedBy(fieldset || wrapper.querySelector("#f-" + CSS.escape(id)) || wrapper, errorId, true);
    Array.prototype.forEach.call(wrapper.querySelectorAll("input, select, textarea"), function (control) {
      if (control.name === id) control.setAttribute("aria-invalid", "true");
    });
  }

  function showErrors(form, errors, fallback) {
    clearErrors(form);
    var messages = {};
    var order = [];
    (errors || []).forEach(function (problem) {
      if (!problem || !problem.field || messages[problem.field]) return;
      messages[problem.field] = String(problem.message || "");
      order.push(problem.field);
    });
    var ids = fieldIds(form);
    var items = [];
    ids.forEach(function (id) {
      if (!messages[id]) return;
      var link = element("a", { href: "#f-" + id }, [messages[id]]);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        focusField(form, id);
      });
      items.push(element("li", {}, [link]));
      showFieldError(form, id, messages[id]);
    });
    order.forEach(function (id) {
      if (ids.indexOf(id) === -1) items.push(element("li", {}, [messages[id]]));
    });
    if (!items.length) items.push(element("li", {}, [fallback || text("script.failed")]));
    var summary = element("div", { class: "lobby-error-summary", role: "alert", tabindex: "-1" }, [
      element("h2", { class: "lobby-error-summary__title" }, [text("form.summary_title")]),
      element("ul", { class: "lobby-error-summary__list" }, items),
    ]);
    form.insertBefore(summary, form.firstChild);
    summary.focus();
  }

  function showAlert(form, lines) {
    clearErrors(form);
    var alert = element("div", { class: "lobby-form-alert", role: "alert", tabindex: "-1" },
      lines.filter(Boolean).map(function (line) { return element("p", {}, [line]); }));
    form.insertBefore(alert, form.firstChild);
    alert.focus();
  }

  // --- request forms --------------------------------------------------------------------------

  // The receipt is the API's own markup (receipt_html), the same the page without JavaScript shows.
  function receipt(body) {
    var holder = document.createElement("div");
    holder.innerHTML = String(body.receipt_html || "");
    return holder.firstElementChild;
  }

  function failureLines(form, status) {
    var phone = form.getAttribute("data-help-phone");
    var first = status === 413 ? text("script.too_large") : text("script.failed");
    return [first, phone ? text("script.failed_urgent", { phone: phone }) : null];
  }

  async function submitRequest(form) {
    var answer;
    try {
      answer = await postJson(form.getAttribute("action"), formValues(form));
    } catch (error) {
      showAlert(form, failureLines(form, 0));
      return;
    }
    var body = answer.body || {};
    // 201: stored now; 200: the same submission was already stored (a double click or a retry).
    var done = (answer.status === 201 || answer.status === 200) && body.reference ? receipt(body) : null;
    if (done) {
      form.parentNode.replaceChild(done, form);
      done.focus();
      return;
    }
    if (answer.status === 422) {
      showErrors(form, body.errors, body.message);
      return;
    }
    showAlert(form, failureLines(form, answer.status));
  }

  // --- status form ----------------------------------------------------------------------------

  function statusResult(body) {
    var rows = [
      [text("page.kind"), body.kind_name],
      [text("page.status"), body.status_text],
      [text("page.received"), body.received_text],
      [text("page.contact_by"), body.contact_by_text],
      [text("page.due"), body.due_text],
      [text("page.owner"), body.owner],
    ].filter(function (row) { return row[1]; });
    var list = element("dl", {}, rows.map(function (row) {
      return element("div", {}, [element("dt", {}, [row[0]]), element("dd", {}, [String(row[1])])]);
    }));
    var history = (Array.isArray(body.history) ? body.history : []).map(function (event) {
      var time = element("time", { datetime: String(event.at || "") }, [String(event.at_text || "")]);
      return element("li", {}, [time, " ", String(event.text || "")]);
    });
    return element("div", { class: "lobby-status-result", role: "status", tabindex: "-1" }, [
      element("h2", {}, [text("status_page.title", { reference: String(body.reference || "") })]),
      list,
      history.length ? element("h3", {}, [text("page.history")]) : null,
      history.length ? element("ol", { class: "lobby-timeline" }, history) : null,
    ]);
  }

  async function submitStatus(form) {
    var previous = form.parentNode.querySelector(".lobby-status-result");
    if (previous) previous.parentNode.removeChild(previous);
    var answer;
    try {
      answer = await postJson(form.getAttribute("action"), formValues(form));
    } catch (error) {
      showAlert(form, [text("script.status_failed")]);
      return;
    }
    var body = answer.body || {};
    if (answer.status === 200 && body.reference) {
      clearErrors(form);
      var result = statusResult(body);
      form.insertAdjacentElement("afterend", result);
      result.focus();
      return;
    }
    if (answer.status === 404) {
      showErrors(form, [], body.message || text("status_page.not_found"));
      return;
    }
    if (answer.status === 422) {
      showErrors(form, body.errors, body.message);
      return;
    }
    showAlert(form, [text("script.status_failed")]);
  }

  // --- wiring ---------------------------------------------------------------------------------

  function enhance(form, submit, busyLabel) {
    if (form.getAttribute("data-enhanced")) return;
    form.setAttribute("data-enhanced", "true");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      // One request at a time: a second press while the first is in flight does nothing.
      if (form.getAttribute("aria-busy") === "true") return;
      setBusy(form, true, busyLabel);
      try {
        await submit(form);
      } finally {
        setBusy(form, false);
      }
    });
  }

  function prefillReference(form) {
    // The receipt links to the status page with ?ref=<reference>; the contact is never in a URL.
    var match = /[?&]ref=([^&#]*)/.exec(window.location.search);
    var field = form.querySelector("#f-reference");
    if (!match || !field || field.value) return;
    field.value = decodeURIComponent(match[1].replace(/\+/g, " "));
  }

  // Staff confirm actions under their own name; the browser remembers it for the next link they open.
  var STAFF_NAME_KEY = "lobby.staffName";

  function rememberStaffName() {
    var fields = document.querySelectorAll("form.lobby-action-form input[name=actor], form.lobby-rate-form input[name=actor]");
    Array.prototype.forEach.call(fields, function (field) {
      try {
        if (!field.value) field.value = window.localStorage.getItem(STAFF_NAME_KEY) || "";
        field.form.addEventListener("submit", function () {
          if (field.value.trim()) window.localStorage.setItem(STAFF_NAME_KEY, field.value.trim());
        });
      } catch (error) {
        // Storage may be off (private browsing): typing the name still works.
      }
    });
  }

  function start() {
    rememberStaffName();
    if (!window.fetch || !window.CSS || !CSS.escape) return; // the forms still work without us
    // Request forms only: action and rating forms behind signed links are plain posts.
    Array.prototype.forEach.call(document.querySelectorAll("form.lobby-form[data-kind]"), function (form) {
      enhance(form, submitRequest, text("script.sending"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.lobby-status-form"), function (form) {
      prefillReference(form);
      enhance(form, submitStatus, text("script.looking"));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
