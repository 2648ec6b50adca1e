// Comforts only: every form on the tokens pages works without JavaScript.
(function () {
  "use strict";

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
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var switchId = form.dataset.confirmWhenUnchecked;
      var toggle = switchId && document.getElementById(switchId);
      if (toggle && (toggle.checked || !toggle.defaultChecked)) {
        return;
      }
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirm";
      confirmed.value = "yes";
      form.appendChild(confirmed);
    });
  });
})();
