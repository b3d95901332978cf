// Suggestions under the trail's record field: records the reader may see, each a link to
// its own trail. Typing and pressing Filter still searches by the name.
(function () {
  "use strict";

  function setUp(box) {
    var input = box.querySelector("input[name=name]");
    var url = box.getAttribute("data-records-url");
    if (!input || !url) {
      return;
    }
    var list = document.createElement("ul");
    list.className =
      "absolute bg-white border border-base-200 mt-1 rounded-default shadow-xs text-sm w-full z-50 dark:bg-base-900 dark:border-base-700";
    list.setAttribute("data-testid", "trail-suggestions");
    list.hidden = true;
    box.classList.add("relative");
    box.appendChild(list);
    var timer = null;
    var asked = 0;

    function show(results) {
      list.textContent = "";
      results.forEach(function (item) {
        var entry = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url;
        link.className = "block px-3 py-2 hover:bg-base-100 dark:hover:bg-base-800";
        link.setAttribute("data-testid", "trail-suggestion");
        var label = document.createElement("span");
        label.textContent = item.label;
        var kind = document.createElement("span");
        kind.className = "ml-2 text-font-subtle-light dark:text-font-subtle-dark";
        kind.textContent = item.kind;
        link.appendChild(label);
        link.appendChild(kind);
        entry.appendChild(link);
        list.appendChild(entry);
      });
      list.hidden = results.length === 0;
    }

    function ask() {
      var name = input.value.trim();
      if (name.length < 2) {
        show([]);
        return;
      }
      var params = new URLSearchParams({ name: name });
      var model = document.querySelector("select[name=model]");
      if (model && model.value) {
        params.set("model", model.value);
      }
      var mine = ++asked;
      fetch(url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine === asked) {
            show(data.results || []);
          }
        })
        .catch(function () {
          show([]);
        });
    }

    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        show([]);
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) {
        show([]);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-records-url]").forEach(setUp);
  });
})();
