/*
 * Lobby: progressive enhancement of the request and status forms.
 *
 * Without this script the forms post to the API and the API answers with a
 * page of its own: the answers to check (views/pages/check.py), then the receipt.
 * With it, the form is sent as JSON and each answer is shown in place: the
 * same check-your-answers block (its "change" buttons go back to the field, its
 * "send" stores the request), the receipt, or the same error summary and field
 * messages the API would render (functions/views/forms.py), or a plain message
 * when the network or the server fails, with everything typed still in the form.
 * On the kinds that take photos the script also shows the photo picker: photos
 * are checked for count, size and type as they are chosen, and uploaded straight
 * to the bucket (presigned POSTs from the API) once the request is stored.
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
    // On the check-your-answers block the send button, not the first "change".
    var button = form.querySelector(".lobby-check__send") || form.querySelector("button[type=submit], .lobby-button");
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

  // --- request forms: check your answers, then send ----------------------------------------------

  // The receipt is the API's own markup (receipt_html), the same the page without JavaScript shows.
  function fromHtml(html) {
    var holder = document.createElement("div");
    holder.innerHTML = String(html || "");
    return holder.firstElementChild;
  }

  function failureLines(form, status) {
    var phone = form.getAttribute("data-help-phone");
    var first = status === 413 ? text("script.too_large") : text("script.failed");
    return [first, phone ? text("script.failed_urgent", { phone: phone }) : null];
  }

  function isReceipt(answer) {
    // 201: stored now; 200 with a reference: the same submission was already stored (a retry).
    return (answer.status === 201 || answer.status === 200) && answer.body && answer.body.reference;
  }

  function showReceipt(form, body, check) {
    var done = fromHtml(body.receipt_html);
    if (!done) return;
    form.parentNode.replaceChild(done, form);
    if (check && check.parentNode) check.parentNode.removeChild(check);
    var photos = form.lobbyPhotos || [];
    var block = body.photos_html ? fromHtml(body.photos_html) : null;
    if (block) done.insertAdjacentElement("afterend", block);
    done.focus();
    if (block && photos.length && body.photos_url) uploadPhotos(block, body.photos_url, photos, form);
  }

  function photoRow(form, check) {
    // The photos chosen in the picker, as one more answer with its own "change".
    var photos = form.lobbyPhotos || [];
    var list = check.querySelector(".lobby-check__answers");
    if (!photos.length || !list) return;
    var names = photos.map(function (photo) { return photo.file.name; }).join(", ");
    var change = element("button", {
      type: "submit", class: "lobby-check__change", name: "step", value: "change.photos", "data-field": "photos",
    }, [text("check.change"), element("span", { class: "lobby-visually-hidden" }, [" " + text("photo.heading")])]);
    list.appendChild(element("div", { class: "lobby-check__row", "data-field": "photos" }, [
      element("dt", {}, [text("photo.heading")]),
      element("dd", { class: "lobby-check__answer" }, [text("photo.chosen", { count: photos.length }), " (" + names + ")"]),
      element("dd", {}, [change]),
    ]));
    var note = check.querySelector(".lobby-check__photos");
    if (note) note.parentNode.removeChild(note);
  }

  function backToForm(form, check, field) {
    if (check.parentNode) check.parentNode.removeChild(check);
    form.hidden = false;
    focusField(form, field);
  }

  async function sendChecked(form, check, checkForm, button) {
    var data = formValues(form);
    data.step = "send";
    var answer;
    try {
      answer = await postJson(form.getAttribute("action"), data);
    } catch (error) {
      showAlert(checkForm, failureLines(form, 0));
      return;
    }
    if (isReceipt(answer)) {
      showReceipt(form, answer.body, check);
      return;
    }
    if (answer.status === 422) {
      // Something changed since the check (a date that has passed): the form again, with its problems.
      backToForm(form, check, null);
      showErrors(form, (answer.body || {}).errors, (answer.body || {}).message);
      return;
    }
    showAlert(checkForm, failureLines(form, answer.status));
  }

  function showCheck(form, body) {
    var check = fromHtml(body.check_html);
    if (!check) return;
    clearErrors(form);
    photoRow(form, check);
    var checkForm = check.querySelector("form");
    checkForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      var button = event.submitter;
      var step = button ? String(button.value || "") : "send";
      if (step.indexOf("change.") === 0) {
        backToForm(form, check, step.slice("change.".length));
        return;
      }
      if (checkForm.getAttribute("aria-busy") === "true") return;
      setBusy(checkForm, true, text("script.sending"));
      try {
        await sendChecked(form, check, checkForm, button);
      } finally {
        setBusy(checkForm, false);
      }
    });
    form.hidden = true;
    form.insertAdjacentElement("afterend", check);
    check.focus();
    if (check.scrollIntoView) check.scrollIntoView();
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
    if (answer.status === 200 && body.check_html) {
      showCheck(form, body);
      return;
    }
    if (isReceipt(answer)) {
      showReceipt(form, body, null);
      return;
    }
    if (answer.status === 422) {
      showErrors(form, body.errors, body.message);
      return;
    }
    showAlert(form, failureLines(form, answer.status));
  }

  // --- photos: chosen on the form, uploaded straight to the bucket once the request is stored ------

  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"];
  // Some browsers give HEIC photos no type at all; their name says what they are.
  var PHOTO_EXTENSIONS = { heic: "image/heic", heif: "image/heif" };

  function photoType(file) {
    if (PHOTO_TYPES.indexOf(file.type) !== -1) return file.type;
    if (file.type) return "";
    var extension = String(file.name || "").split(".").pop().toLowerCase();
    return PHOTO_EXTENSIONS[extension] || "";
  }

  function showPhotoProblems(field, problems) {
    var old = field.querySelector(".lobby-error-message");
    if (old) old.parentNode.removeChild(old);
    var input = field.querySelector("input[type=file]");
    field.classList.toggle("lobby-field--error", problems.length > 0);
    describedBy(input, "f-photos-error", problems.length > 0);
    if (!problems.length) return;
    var note = element("p", { class: "lobby-error-message", id: "f-photos-error", role: "alert" }, [
      element("span", { class: "lobby-visually-hidden" }, [text("form.error_prefix")]),
    ].concat(problems.map(function (problem) { return element("span", { class: "lobby-error-message__line" }, [problem]); })));
    field.querySelector(".lobby-hint").insertAdjacentElement("afterend", note);
  }

  function setUpPicker(form) {
    var field = form.querySelector(".lobby-photo-picker");
    if (!field || !window.FormData || !window.XMLHttpRequest) return;
    var input = field.querySelector("input[type=file]");
    var list = field.querySelector(".lobby-photo-list");
    var limit = Number(field.getAttribute("data-photos-limit"));
    var maxBytes = Number(field.getAttribute("data-photo-max-mb")) * 1024 * 1024;
    var photos = [];
    form.lobbyPhotos = photos;
    field.querySelector(".lobby-photo-picker__control").hidden = false;
    field.querySelector(".lobby-photo-picker__later").hidden = true;

    function render() {
      list.textContent = "";
      photos.forEach(function (photo, index) {
        var remove = element("button", { type: "button", class: "lobby-photo-list__remove" }, [
          text("photo.remove"), element("span", { class: "lobby-visually-hidden" }, [" " + photo.file.name]),
        ]);
        remove.addEventListener("click", function () {
          photos.splice(index, 1);
          render();
          showPhotoProblems(field, []);
          input.focus();
        });
        list.appendChild(element("li", {}, [photo.file.name + " (" + Math.max(0.1, photo.file.size / 1048576).toFixed(1) + " MB) ", remove]));
      });
    }

    input.addEventListener("change", function () {
      // Each choice adds to the photos already chosen; what cannot be sent is said at once, before any upload.
      var problems = [];
      Array.prototype.forEach.call(input.files || [], function (file) {
        var type = photoType(file);
        if (!type) problems.push(text("photo.wrong_type", { name: file.name }));
        else if (file.size > maxBytes) problems.push(text("photo.too_big", { name: file.name }));
        else if (photos.length >= limit) problems.push(text("photo.too_many", { name: file.name }));
        else photos.push({ file: file, type: type });
      });
      input.value = "";
      render();
      showPhotoProblems(field, problems);
    });
  }

  function postFile(upload, file, progress) {
    // A presigned POST: its fields first, the file last, as S3 asks; XMLHttpRequest for the progress.
    return new Promise(function (resolve) {
      var data = new FormData();
      Object.keys(upload.fields || {}).forEach(function (name) { data.append(name, upload.fields[name]); });
      data.append("file", file);
      var request = new XMLHttpRequest();
      request.open("POST", upload.url);
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
      });
      request.addEventListener("load", function () { resolve(request.status >= 200 && request.status < 300); });
      request.addEventListener("error", function () { resolve(false); });
      request.addEventListener("abort", function () { resolve(false); });
      request.send(data);
    });
  }

  async function uploadPhotos(block, photosUrl, photos, form) {
    var list = element("ul", { class: "lobby-photo-progress", "aria-live": "polite" }, []);
    block.appendChild(list);
    var lang = (form.querySelector("input[name=lang]") || {}).value || document.documentElement.lang;
    var files = photos.map(function (photo) { return { type: photo.type, size: photo.file.size }; });
    var answer;
    try {
      answer = await postJson(photosUrl + "/uploads", { lang: lang, files: files });
    } catch (error) {
      answer = { status: 0, body: null };
    }
    var uploads = answer.status === 200 && answer.body && Array.isArray(answer.body.uploads) ? answer.body.uploads : null;
    if (!uploads) {
      var message = (answer.body && answer.body.message) || text("photo.upload_failed", { name: photos.map(function (p) { return p.file.name; }).join(", ") });
      list.appendChild(element("li", { class: "lobby-error-message" }, [message]));
      return;
    }
    for (var index = 0; index < uploads.length; index += 1) {
      var photo = photos[index];
      var progress = element("progress", { max: "100", value: "0" }, []);
      var line = element("span", {}, [text("photo.uploading", { name: photo.file.name })]);
      var item = element("li", {}, [line, " ", progress]);
      list.appendChild(item);
      var done = await postFile(uploads[index], photo.file, progress);
      line.textContent = done
        ? text("photo.uploaded", { name: photo.file.name })
        : text("photo.upload_failed", { name: photo.file.name });
      if (done) progress.value = 100;
      else item.classList.add("lobby-error-message");
    }
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
      setUpPicker(form);
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
