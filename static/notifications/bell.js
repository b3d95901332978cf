/* The bell of the admin header (apps/notifications): the unread count, the latest five
 * on open, "mark all read", and live arrivals on the person's own topic (user:<pk>)
 * through window.BackofficeLive when the page has it; after a reconnect it fetches what
 * it missed (everything numbered after the last one seen); a live arrival refreshes a
 * list already shown, so it reads in the reader's language. Text goes in as textContent:
 * nothing a notification says is ever parsed as HTML. */
(function () {
    "use strict";

    function start(root) {
        var button = root.querySelector("[data-bell-button]");
        var menu = root.querySelector("[data-bell-menu]");
        var list = root.querySelector("[data-bell-list]");
        var count = root.querySelector("[data-bell-count]");
        var lastSeq = parseInt(root.dataset.lastSeq || "0", 10) || 0;
        var loaded = false;

        function setCount(n) {
            n = Math.max(0, n | 0);
            count.textContent = n > 99 ? "99+" : String(n);
            count.classList.toggle("bo-hidden", n === 0);
            count.dataset.value = String(n);
        }

        function item(data) {
            var li = document.createElement("li");
            li.className = "bo-bell-item" + (data.read ? "" : " bo-unread");
            li.dataset.id = data.id;
            li.setAttribute("data-testid", "bell-item");
            var a = document.createElement("a");
            a.href = data.url || "#";
            a.textContent = data.text;
            if (data.when) { // formatted by the server, as every moment in the product
                var when = document.createElement("span");
                when.className = "bo-bell-when";
                when.textContent = data.when;
                a.appendChild(when);
            }
            li.appendChild(a);
            return li;
        }

        function render(items) {
            list.textContent = "";
            if (!items.length) {
                var empty = document.createElement("li");
                empty.className = "bo-bell-empty";
                empty.textContent = root.dataset.emptyText;
                list.appendChild(empty);
                return;
            }
            items.slice(0, 5).forEach(function (data) { list.appendChild(item(data)); });
        }

        function fetchJson(url) {
            return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
                .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
        }

        function load() {
            return fetchJson(root.dataset.feedUrl).then(function (data) {
                loaded = true;
                setCount(data.unread);
                render(data.items);
                data.items.forEach(function (i) { lastSeq = Math.max(lastSeq, i.seq); });
            });
        }

        function arrived(data) {
            lastSeq = Math.max(lastSeq, data.seq || 0);
            if (typeof data.unread === "number") { setCount(data.unread); }
            if (!loaded) { return; }
            var empty = list.querySelector(".bo-bell-empty");
            if (empty) { empty.remove(); }
            if (list.querySelector('[data-id="' + data.id + '"]')) { return; }
            list.insertBefore(item(data), list.firstChild);
            while (list.children.length > 5) { list.removeChild(list.lastChild); }
        }

        function open(show) {
            menu.classList.toggle("bo-hidden", !show);
            button.setAttribute("aria-expanded", show ? "true" : "false");
            if (show) { load(); }
        }

        button.addEventListener("click", function (e) {
            e.stopPropagation();
            open(menu.classList.contains("bo-hidden"));
        });
        document.addEventListener("click", function (e) {
            if (!root.contains(e.target)) { open(false); }
        });
        document.addEventListener("keydown", function (e) {
            if (e.key === "Escape") { open(false); }
        });
        root.querySelector("[data-bell-read-all]").addEventListener("click", function () {
            fetch(root.dataset.readAllUrl, {
                method: "POST", credentials: "same-origin",
                headers: { "X-CSRFToken": root.querySelector("input[name=csrfmiddlewaretoken]").value }
            }).then(function (r) { if (r.ok) { setCount(0); load(); } });
        });

        if (window.BackofficeLive) {
            window.BackofficeLive.subscribe(root.dataset.topic, function (event) {
                if (event.kind === "notification") {
                    arrived({ id: event.id, seq: event.seq, text: event.text, url: event.url, unread: event.unread, read: false });
                    // The push is in the site's language and has no time: a list already
                    // shown is fetched again, in the reader's language, with the times.
                    if (loaded) { load(); }
                } else if (event.kind === "notification_read") {
                    setCount(event.unread);
                    if (loaded) { load(); }
                }
            }, {
                resume: function () {
                    fetchJson(root.dataset.feedUrl + "?since=" + lastSeq).then(function (data) {
                        setCount(data.unread);
                        data.items.forEach(function (i) { arrived(i); });
                    });
                }
            });
        }
    }

    function init() {
        document.querySelectorAll("[data-bell]").forEach(function (root) {
            if (!root.dataset.started) { root.dataset.started = "1"; start(root); }
        });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
