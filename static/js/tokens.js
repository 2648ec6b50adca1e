// Comforts only: every form on the tokens pages works without JavaScript.
(function () {
  "use strict";

  // A failed form's error summary takes the focus, so it is read out and on screen.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Copy buttons need script, so they stay hidden without it.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    var say = function (text) { if (status) { status.textContent = text; } };
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { say("Copied to the clipboard."); },
          function () { say("Could not copy: the token is selected, press Ctrl+C (or ⌘C)."); }
        );
      } else {
        say(document.execCommand("copy")
          ? "Copied to the clipboard."
          : "Could not copy: the token is selected, press Ctrl+C (or ⌘C).");
      }
    });
  });

  // A confirm dialog replaces the confirmation page. data-confirm-when-unchecked names a
  // switch: then only turning it from on to off asks.
  var confirmed = function (form) {
    var switchId = form.dataset.confirmWhenUnchecked;
    var toggle = switchId && document.getElementById(switchId);
    if (toggle && (toggle.checked || !toggle.defaultChecked)) { return true; }
    return window.confirm(form.dataset.confirm);
  };
  document.querySelectorAll("form[data-confirm]:not([data-access-form])").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!confirmed(form)) {
        event.preventDefault();
        return;
      }
      var yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirm";
      yes.value = "yes";
      form.appendChild(yes);
    });
  });

  // The Token access switch saves itself when toggled; the Save button is for pages without
  // script. The focus stays on the switch; a refusal puts it back and says why.
  document.querySelectorAll("form[data-access-form]").forEach(function (form) {
    var toggle = form.querySelector("[role=switch]");
    var state = document.getElementById("token-access-state");
    var help = document.getElementById("token-access-help");
    var status = form.querySelector("[data-access-status]");
    var error = form.querySelector("[data-access-error]");
    form.querySelector("[data-access-save]").hidden = true;
    var show = function (on) {
      toggle.checked = on;
      state.textContent = on ? "Enabled" : "Disabled";
      state.className = "state state--" + (on ? "on" : "off");
      help.textContent = on ? help.dataset.on : help.dataset.off;
    };
    var fail = function (why) {
      show(toggle.defaultChecked);
      status.textContent = "";
      error.textContent = "Token access was not changed: " + why;
    };
    toggle.addEventListener("change", function () {
      var on = toggle.checked;
      error.textContent = "";
      if (!confirmed(form)) {
        show(!on);
        return;
      }
      show(on);
      var body = new FormData(form);  // before disabling: a disabled box is not sent
      toggle.disabled = true;
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            fail(response.status === 403
              ? "only account admins can change it."
              : "the portal answered with an error (" + response.status + "). Try again.");
            return;
          }
          toggle.defaultChecked = on;
          status.textContent = on
            ? "Token access is enabled: the account's tokens work now."
            : "Token access is disabled: every token of this account is refused.";
        }, function () { fail("the portal could not be reached. Try again."); })
        .then(function () {
          toggle.disabled = false;
          toggle.focus();
        });
    });
    // Enter or a stray submit saves too, through the same request.
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });

  // Scopes: levels the chosen owner's role cannot have are unavailable, with the reason; the
  // sentence of what the token can do follows every change (TokenForm.scopes_sentence).
  var scopes = document.querySelector("[data-scopes]");
  var ownerScopes = document.getElementById("owner-scopes");
  var owner = document.getElementById("id_owner");
  var sentence = function () {
    var phrases = [];
    scopes.querySelectorAll("input[type=radio]:checked").forEach(function (radio) {
      if (radio.dataset.phrase) { phrases.push(radio.dataset.phrase); }
    });
    if (!phrases.length) {
      return "This token will not be able to do anything: choose at least one access.";
    }
    var last = phrases.pop();
    return "This token will be able to " +
      (phrases.length ? phrases.join(", ") + " and " + last : last) + ".";
  };
  var redraw = function () {
    if (owner && ownerScopes) {
      var role = JSON.parse(ownerScopes.textContent)[owner.value];
      scopes.querySelectorAll("[data-scope-group]").forEach(function (group) {
        var radios = Array.prototype.slice.call(group.querySelectorAll("input[type=radio]"));
        radios.forEach(function (radio) {
          var allowed = radio.dataset.scopes.split(" ").every(function (scope) {
            return !scope || role.scopes.indexOf(scope) !== -1;
          });
          var reason = document.getElementById(radio.id + "_reason");
          reason.textContent = "Not available: the owner's role (" + role.role +
            ") does not allow it for " + group.dataset.label + ".";
          reason.hidden = allowed;
          radio.disabled = !allowed;
        });
        // A level the new owner cannot have steps down to the highest one they can.
        if (!group.querySelector("input:checked:not(:disabled)")) {
          var usable = radios.filter(function (radio) { return !radio.disabled; });
          usable[usable.length - 1].checked = true;
        }
      });
    }
    scopes.querySelector("[data-scopes-summary]").textContent = sentence();
  };
  if (scopes) {
    scopes.addEventListener("change", redraw);
    if (owner) { owner.addEventListener("change", redraw); }
  }

  // Typing a custom expiry date chooses "Custom date".
  document.querySelectorAll("[data-expiry-date] input").forEach(function (date) {
    date.addEventListener("input", function () {
      var custom = document.querySelector("input[name=expiration][value=custom]");
      if (date.value && custom) { custom.checked = true; }
    });
  });
})();
