// Live progress of background jobs, on the Jobs list and a job's page.
//
// With the live client (static/live/live.js, window.BackofficeLive) the page subscribes to
// its topic ("user:<pk>" on the list, "job:<id>" on a job's page) and moves the bars from
// the job events, and still asks every 5 s while a job is unfinished (a dropped event must
// not leave a bar stuck). Without it, each unfinished job's state is fetched from its small
// JSON endpoint every 2 s until it ends. A job whose state changes (starts, ends) shows that
// state, its file and its actions: a job's page swaps in its job part fetched again (no
// reload: the socket stays), the list reloads.
(function () {
  "use strict";

  var ENDED = { succeeded: true, failed: true, cancelled: true };
  var POLL_MS = 2000;
  // With the live client, still ask now and then: the channel layer drops events under
  // load (docs/benchmarks.md, "Live layer"), and a dropped end must not leave a bar stuck.
  var SAFETY_NET_MS = 5000;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  }

  function grouped(number) {
    return Number(number).toLocaleString(document.documentElement.lang || undefined);
  }

  function setUp(data) {
    var reloading = false;

    function boxes() {
      return Array.prototype.slice.call(document.querySelectorAll(".bo-job[data-job]"));
    }

    function etaText(seconds) {
      if (seconds === null || seconds === undefined) {
        return "";
      }
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      if (minutes) {
        return format(data.getAttribute("data-eta-minutes"), { minutes: minutes, seconds: rest });
      }
      return format(data.getAttribute("data-eta-seconds"), { seconds: rest });
    }

    function reload() {
      if (!reloading) {
        reloading = true;
        window.location.reload();
      }
    }

    // A job's page shows a new state without a reload: the page is fetched again and its
    // job part swapped in (the state, the file, the actions, the times); the socket and
    // the subscription stay. A swap asked for while one is under way runs after it.
    var swapping = false;
    var swapAgain = false;

    function swapJobPage() {
      var current = document.querySelector("[data-testid=job-page]");
      if (!current || !window.DOMParser) {
        reload();
        return;
      }
      if (swapping) {
        swapAgain = true;
        return;
      }
      swapping = true;
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok || response.redirected) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser()
            .parseFromString(html, "text/html")
            .querySelector("[data-testid=job-page]");
          if (!fresh) {
            throw new Error("no job page");
          }
          current.replaceWith(document.importNode(fresh, true));
          swapping = false;
          if (swapAgain) {
            swapAgain = false;
            swapJobPage();
          }
        })
        .catch(function () {
          reload(); // signed out, gone: the page says why
        });
    }

    function apply(event) {
      if (!event || event.kind !== "job") {
        return;
      }
      var found = boxes().filter(function (box) {
        return box.getAttribute("data-job") === event.id;
      });
      if (!found.length) {
        // A job started elsewhere (another tab) appears on the list at its next load.
        if (document.querySelector("#changelist") && event.state === "queued") {
          reload();
        }
        return;
      }
      found.forEach(function (box) {
        var shown = box.getAttribute("data-state");
        var total = event.total || 0;
        var done = event.done || 0;
        var percent = total ? Math.min(100, Math.round((100 * done) / total)) : 0;
        if (event.state === "succeeded") {
          percent = 100;
          done = total || done;
        }
        var bar = box.querySelector(".bo-job-bar");
        bar.value = percent;
        bar.textContent = percent + "%";
        box.querySelector(".bo-job-percent").textContent = percent + "%";
        box.querySelector(".bo-job-count").textContent = total
          ? grouped(done) + " / " + grouped(total)
          : done
            ? grouped(done)
            : "";
        box.querySelector(".bo-job-eta").textContent = etaText(event.eta_seconds);
        var message = document.querySelector("[data-testid=job-message]");
        if (message && event.message) {
          message.textContent = event.message;
        }
        box.setAttribute("data-state", event.state);
        if (event.state !== shown) {
          swapJobPage();
        }
      });
    }

    function unfinished() {
      return boxes().filter(function (box) {
        return !ENDED[box.getAttribute("data-state")];
      });
    }

    function refresh() {
      unfinished().forEach(function (box) {
        fetch(box.getAttribute("data-status-url"), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .then(apply)
          .catch(function () {});
      });
    }

    if (window.BackofficeLive) {
      // After a reconnect, fetch what the socket missed.
      window.BackofficeLive.subscribe(data.getAttribute("data-topic"), apply, { resume: refresh });
      // What happened between the page's rendering and the subscription.
      refresh();
    }
    // Without the live client, ask each unfinished job for its state every 2 s; with it,
    // every 5 s as a safety net.
    var timer = window.setInterval(function () {
      if (!unfinished().length) {
        window.clearInterval(timer);
        return;
      }
      refresh();
    }, window.BackofficeLive ? SAFETY_NET_MS : POLL_MS);
  }

  function start() {
    var data = document.getElementById("bo-jobs");
    if (data) {
      setUp(data);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
