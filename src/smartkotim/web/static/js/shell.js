// The page shell: on small screens the navigation is collapsed behind the "Menu" button.
// Loaded in <head> so the "js" class is set before the first paint (no flash of the open menu);
// without JavaScript the menu simply stays visible below the content.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("menu-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!button || !sidebar) {
      return;
    }
    button.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();
