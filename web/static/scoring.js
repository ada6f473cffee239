/* The juror's sheet on a phone and on flaky wifi.
 *
 * Each scoring form is sent with fetch (the session cookie, the page's CSRF token, Accept: application/json) to the
 * same address it posts to without JavaScript; the server answers with the score saved, or a problem naming the field.
 * Before sending, the score is kept in localStorage with a command id made once per edit (crypto.randomUUID()):
 * until the server confirms, it is resent with that same id (on the "online" event, every few seconds, and when the
 * page opens again), so a score whose answer was lost is recorded once. Each project shows what is saved.
 * Without JavaScript (or without fetch/localStorage) the forms post normally. */
(function () {
  "use strict";

  var sheet = document.querySelector("[data-sheet]");
  if (!sheet || !window.fetch || !window.localStorage || !window.URLSearchParams) { return; }
  var storeKey = "forum-scores:" + sheet.getAttribute("data-forum") + ":" + sheet.getAttribute("data-juror");
  var banner = document.querySelector("[data-connection]");
  var forms = {};
  var inflight = {};
  var RETRY_MS = 5000;
  var TIMEOUT_MS = 15000;

  Array.prototype.forEach.call(sheet.querySelectorAll("form[data-score-form]"), function (form) {
    forms[form.getAttribute("data-project")] = form;
  });

  function pending() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }

  function keep(all) {
    try { localStorage.setItem(storeKey, JSON.stringify(all)); } catch (e) { /* full or private: sent as usual */ }
    showBanner();
  }

  function newCommandId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function csrfToken() {
    var input = document.querySelector('input[name="_csrf_token"]');
    return input ? input.value : "";
  }

  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "_csrf_token" && el.name !== "command_id") { fields[el.name] = el.value; }
    });
    return fields;
  }

  function stateOf(form) {
    return form.parentNode.querySelector("[data-state]");
  }

  function setState(form, kind, text) {
    var state = stateOf(form);
    if (!state) { return; }
    state.className = "save-state" + (kind ? " " + kind : "");
    state.textContent = text;
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) {
      p.textContent = "";
      p.hidden = true;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
  }

  function showError(form, field, message) {
    var name = field && field.indexOf("scores.") === 0 ? "score_" + field.slice(7) : field;
    var input = name ? form.querySelector('[name="' + name + '"]') : null;
    if (!input) { return; }
    var error = document.getElementById(input.id + "-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = input.id + "-error";
      input.parentNode.insertBefore(error, input);
    }
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", error.id);
  }

  function showBanner() {
    if (!banner) { return; }
    var count = Object.keys(pending()).length;
    var offline = navigator.onLine === false;
    if (!count && !offline) {
      banner.hidden = true;
      banner.textContent = "";
      return;
    }
    banner.hidden = false;
    banner.className = "notice connection" + (count ? " notice-error" : "");
    banner.textContent = (offline ? "Hors connexion. " : "") + (count > 1
      ? count + " notes attendent d'être envoyées : elles sont gardées sur cet appareil et renvoyées automatiquement."
      : count === 1
        ? "1 note attend d'être envoyée : elle est gardée sur cet appareil et renvoyée automatiquement."
        : "Vos prochaines notes seront gardées sur cet appareil jusqu'au retour du réseau.");
  }

  function savedText(data) {
    var at = data.saved_at ? new Date(data.saved_at) : new Date();
    var time = at.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    return "Enregistré (révision " + data.revision + ", à " + time + ")";
  }

  function forget(project, commandId) {
    var all = pending();
    if (all[project] && all[project].command_id === commandId) {
      delete all[project];
      keep(all);
    }
  }

  function send(entry) {
    if (inflight[entry.project]) { return; }
    inflight[entry.project] = true;
    var form = forms[entry.project];
    var body = new URLSearchParams();
    Object.keys(entry.fields).forEach(function (name) { body.append(name, entry.fields[name]); });
    body.append("command_id", entry.command_id);
    body.append("_csrf_token", csrfToken());
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      var status = answer.status;
      var data = answer.data || {};
      if (status >= 200 && status < 300 && data.saved) {
        forget(entry.project, entry.command_id);
        if (form && !pending()[entry.project]) {  // a newer edit waiting to be sent is not saved yet
          clearErrors(form);
          setState(form, "saved", savedText(data));
          var button = form.querySelector('button[type="submit"]');
          if (button) { button.textContent = "Réviser la note"; }
        }
      } else if (status === 401 || (status === 403 && data.rule === "csrf")) {
        if (form) {
          setState(form, "pending", "Pas encore enregistré : votre session a expiré. Reconnectez-vous dans un autre " +
            "onglet puis revenez ici ; la note est gardée sur cet appareil.");
        }
      } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        forget(entry.project, entry.command_id);
        if (form) {
          clearErrors(form);
          showError(form, data.field, data.detail || "Note refusée.");
          setState(form, "refused", "Non enregistré : " + (data.detail || "note refusée."));
        }
      } else if (form) {
        setState(form, "pending", "Pas encore enregistré : le serveur ne répond pas. Nouvel essai automatique.");
      }
    }).catch(function () {
      if (form) {
        setState(form, "pending", "Pas encore enregistré : pas de réseau. La note est gardée sur cet appareil et " +
          "sera renvoyée dès le retour du réseau.");
      }
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      inflight[entry.project] = false;
      showBanner();
      var newer = pending()[entry.project];
      if (newer && newer.command_id !== entry.command_id) { send(newer); }  // edited while this one was on its way
    });
  }

  function resendAll() {
    var all = pending();
    Object.keys(all).forEach(function (project) { send(all[project]); });
  }

  Object.keys(forms).forEach(function (project) {
    var form = forms[project];
    form.addEventListener("input", function () {
      form.removeAttribute("data-command-id");  // a new edit: a new command id at the next submit
      setState(form, "", "Modifié : pas encore enregistré.");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var commandId = form.getAttribute("data-command-id");
      if (!commandId) {
        commandId = newCommandId();
        form.setAttribute("data-command-id", commandId);
      }
      var entry = { project: project, url: form.action, fields: fieldsOf(form), command_id: commandId };
      var all = pending();
      all[project] = entry;
      keep(all);
      setState(form, "pending", "Envoi en cours…");
      send(entry);
    });
  });

  // what an earlier visit left unsent: back into its form, marked as such, and sent again with its command id
  var left = pending();
  Object.keys(left).forEach(function (project) {
    var entry = left[project];
    var form = forms[project];
    if (!form) { return; }
    Object.keys(entry.fields).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input) { input.value = entry.fields[name]; }
    });
    form.setAttribute("data-command-id", entry.command_id);
    setState(form, "pending", "Pas encore enregistré : envoi en cours…");
  });

  window.addEventListener("online", function () { showBanner(); resendAll(); });
  window.addEventListener("offline", showBanner);
  setInterval(function () { if (navigator.onLine !== false) { resendAll(); } }, RETRY_MS);
  showBanner();
  resendAll();
})();
