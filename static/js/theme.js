// Applies the theme chosen with the toggle before the page paints (no flash). Without a
// choice, the CSS follows prefers-color-scheme.
(function () {
  "use strict";
  try {
    var theme = localStorage.getItem("vigil-theme");
    if (theme === "dark" || theme === "light") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (e) { /* storage disabled: follow the system */ }
})();
