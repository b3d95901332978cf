/* Announcement banners (apps/notifications): the server renders those showing now; new
 * ones arrive live on "global" and "audience:<pk>" for the viewer's department and each
 * one above it (the page lists the topics). Dismissing one is remembered per person.
 * Title and body go in as textContent: an announcement is plain text, never HTML. */
(function () {
    "use strict";

    function start(root) {
        function post(url, id) {
            var body = new URLSearchParams();
            body.append("id", id);
            return fetch(url, {
                method: "POST", credentials: "same-origin", body: body,
                headers: { "X-CSRFToken": root.querySelector("input[name=csrfmiddlewaretoken]").value }
            });
        }

        function expireLater(el) {
            if (!el.dataset.ends) { return; }
            var left = new Date(el.dataset.ends).getTime() - Date.now();
            if (left <= 0) { el.remove(); return; }
            if (left < 2147483647) { window.setTimeout(function () { el.remove(); }, left); }
        }

        function wire(el) {
            var close = el.querySelector("[data-banner-dismiss]");
            close.addEventListener("click", function () {
                el.remove();
                post(root.dataset.dismissUrl, el.dataset.banner);
            });
            expireLater(el);
        }

        function icon(name, cls) {
            var span = document.createElement("span");
            span.className = "material-symbols-outlined" + (cls ? " " + cls : "");
            span.textContent = name;
            return span;
        }

        function add(data) {
            if (root.querySelector('[data-banner="' + data.id + '"]')) { return; }
            var el = document.createElement("div");
            el.className = "bo-banner";
            el.dataset.banner = data.id;
            el.setAttribute("data-testid", "banner");
            if (data.ends_at) { el.dataset.ends = data.ends_at; }
            el.appendChild(icon("campaign", "bo-banner-icon"));
            var text = document.createElement("div");
            text.className = "bo-banner-text";
            var title = document.createElement("div");
            title.className = "bo-banner-title";
            title.setAttribute("data-testid", "banner-title");
            title.textContent = data.title;
            var body = document.createElement("div");
            body.className = "bo-banner-body";
            String(data.body || "").split("\n").forEach(function (line, i) {
                if (i) { body.appendChild(document.createElement("br")); }
                body.appendChild(document.createTextNode(line));
            });
            text.appendChild(title);
            text.appendChild(body);
            el.appendChild(text);
            var close = document.createElement("button");
            close.type = "button";
            close.className = "bo-banner-close";
            close.title = root.dataset.dismissText;
            close.setAttribute("data-banner-dismiss", "");
            close.setAttribute("data-testid", "banner-dismiss");
            close.appendChild(icon("close"));
            el.appendChild(close);
            root.insertBefore(el, root.firstChild);
            wire(el);
        }

        root.querySelectorAll("[data-banner]").forEach(wire);

        function showing() {
            return fetch(root.dataset.showingUrl, { credentials: "same-origin" })
                .then(function (r) { return r.ok ? r.json() : { items: [], topics: [] }; });
        }

        if (window.BackofficeLive) {
            // The topics (everyone's, and the viewer's department and each one above it)
            // come from the server once: the page itself spends no query on them.
            var resume = function () {
                showing().then(function (data) { data.items.forEach(add); });
            };
            showing().then(function (data) {
                data.topics.forEach(function (topic) {
                    window.BackofficeLive.subscribe(topic, function (event) {
                        if (event.kind === "announcement") { add(event); }
                    }, { resume: resume });
                });
            });
        }
    }

    function init() {
        document.querySelectorAll("[data-banners]").forEach(function (root) {
            if (!root.dataset.started) { root.dataset.started = "1"; start(root); }
        });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
