// The Tasks page: job figures pushed live, worker and queue figures asked every 30 s.
//
// With the live client (static/live/live.js) the page hears the "tasks" topic: each event is
// a fresh snapshot of the job figures (running, queued, per kind over 24 h), written into the
// cells by their data attributes. Workers and the broker's queue cannot be pushed (nothing
// changes on our side when a worker dies): their figures come from the probes URL.
(function () {
  "use strict";

  var PROBE_MS = 30000;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  }

  function setText(node, text) {
    if (node && node.textContent !== text) {
      node.textContent = text;
    }
  }

  function setUp(root) {
    var secondsText = root.getAttribute("data-seconds");
    var unavailable = root.getAttribute("data-unavailable");

    function seconds(value) {
      if (value === null || value === undefined) {
        return "—";
      }
      return format(secondsText, { seconds: Number(value).toFixed(1) });
    }

    function apply(event) {
      if (!event || event.kind !== "tasks") {
        return;
      }
      ["running", "queued"].forEach(function (name) {
        setText(root.querySelector('[data-count="' + name + '"]'), String(event[name]));
      });
      (event.kinds || []).forEach(function (row) {
        var tr = root.querySelector('tr[data-kind="' + CSS.escape(row.kind) + '"]');
        if (!tr) {
          return; // a kind the page did not know: it shows at the next load
        }
        ["succeeded", "failed", "cancelled"].forEach(function (name) {
          setText(tr.querySelector('[data-cell="' + name + '"]'), String(row[name]));
        });
        setText(tr.querySelector('[data-cell="p50"]'), seconds(row.p50));
        setText(tr.querySelector('[data-cell="p95"]'), seconds(row.p95));
      });
      root.setAttribute("data-updated", String(Date.now()));
    }

    function probes(withJobs) {
      var url = root.getAttribute("data-probes-url") + (withJobs ? "?jobs=1" : "");
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && data.jobs) {
            apply(data.jobs);
          }
          if (!data || !data.workers) {
            return;
          }
          var workers = data.workers;
          setText(
            root.querySelector('[data-probe="workers"]'),
            workers.count === null ? unavailable : String(workers.count)
          );
          setText(
            root.querySelector('[data-probe-note="workers"]'),
            workers.count === null ? workers.reason : workers.names.join(", ")
          );
          setText(
            root.querySelector('[data-probe="queue"]'),
            data.queue.depth === null ? unavailable : String(data.queue.depth)
          );
          setText(root.querySelector('[data-probe-note="queue"]'), data.queue.reason);
        })
        .catch(function () {
          /* the next round tries again */
        });
    }

    if (window.BackofficeLive) {
      window.BackofficeLive.subscribe(root.getAttribute("data-topic"), apply, {
        // After a reconnect: what changed while the socket was down.
        resume: function () {
          probes(true);
        },
        subscribed: function () {
          root.setAttribute("data-live", "subscribed");
        },
      });
    }
    if (root.getAttribute("data-on-workers") === "1") {
      window.setInterval(function () {
        probes(false);
      }, PROBE_MS);
    }
  }

  function start() {
    var root = document.getElementById("bo-tasks");
    if (root) {
      setUp(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
