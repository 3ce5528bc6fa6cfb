// Vigil's page behaviour: the theme toggle and the keyboard shortcuts. Loaded as a file
// (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // --- theme toggle -------------------------------------------------------------------
  function currentTheme() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen) return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) return;
    function label() {
      var next = currentTheme() === "dark" ? "light" : "dark";
      button.textContent = next === "dark" ? "Dark mode" : "Light mode";
      button.setAttribute("aria-label", "Switch to " + next + " mode");
    }
    label();
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem("vigil-theme", next); } catch (e) { /* not kept */ }
      label();
    });
  }

  // --- keyboard shortcuts -------------------------------------------------------------
  function typing(event) {
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
  }

  var cursor = -1;

  function moveTo(index) {
    var all = rows();
    if (!all.length) return;
    cursor = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) {
      row.classList.toggle("is-current", i === cursor);
      if (i === cursor) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
    });
    all[cursor].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var all = rows();
    return cursor >= 0 && cursor < all.length ? all[cursor] : null;
  }

  function claimCurrent() {
    var row = currentRow();
    var form = document.getElementById("bulk-form");
    if (row && form) {
      rows().forEach(function (r) {
        var box = r.querySelector("input[type=checkbox]");
        if (box) box.checked = r === row;
      });
      form.querySelector("[name='bulk-action']").value = "claim";
      form.submit();
      return;
    }
    // On a case page: its own claim button.
    var claim = document.querySelector(".decision.claim button[type=submit]");
    if (claim) claim.click();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    var help = document.getElementById("shortcuts-help");
    switch (event.key) {
      case "/": {
        var search = document.querySelector("[data-shortcut-search]");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      }
      case "j": moveTo(cursor + 1); break;
      case "k": moveTo(cursor < 0 ? 0 : cursor - 1); break;
      case "Enter": {
        var row = currentRow();
        var link = row && row.querySelector("[data-open]");
        if (link) { event.preventDefault(); window.location.assign(link.href); }
        break;
      }
      case "x": {
        var box = currentRow() && currentRow().querySelector("input[type=checkbox]");
        if (box) box.checked = !box.checked;
        break;
      }
      case "c": claimCurrent(); break;
      case "?":
        if (help && typeof help.showModal === "function") { event.preventDefault(); help.showModal(); }
        break;
      default:
    }
  }

  // A swapped result list starts without a current row.
  document.addEventListener("htmx:afterSwap", function () { cursor = -1; });
  document.addEventListener("keydown", onKey);
  document.addEventListener("DOMContentLoaded", setupThemeToggle);
})();
