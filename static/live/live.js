// The page's one live socket (/ws/live/, docs/live.md): window.BackofficeLive.
//
//   const stop = BackofficeLive.subscribe("user:<pk>", (event, topic) => { ... }, {
//     resume: () => { /* after a REconnect: fetch over HTTP what was missed */ },
//     subscribed: (topic) => { /* the server confirmed: events flow from here on */ },
//     refused: (topic) => { /* the server said no */ },
//   });
//   BackofficeLive.onStatus((status) => { ... });  // connecting | live | reconnecting | refused
//
// Subscriptions made before the socket opens are queued and sent on every (re)connect.
// Reconnects back off exponentially with jitter (capped at 30 s); a socket silent for
// 60 s (the server beats every 25 s) counts as dead. A session that ended (4401, 4403,
// 4410) or handshakes refused again and again stop the retries: status "refused", and
// the page still works with a reload.
(() => {
  "use strict";
  if (window.BackofficeLive) return; // loaded twice: one socket per page

  const PATH = "/ws/live/";
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_CAP_MS = 30000;
  const SILENT_DEAD_MS = 60000;
  const WATCH_EVERY_MS = 5000;
  const MAX_HANDSHAKE_REFUSALS = 6;
  const FINAL_CODES = new Set([4401, 4403, 4410]); // signed out, code step, deactivated

  const topics = new Map(); // topic -> {handlers, resumes, confirmers, refusers: Sets}
  const statusListeners = new Set();
  let status = "connecting";
  let socket = null;
  let everOpened = false; // some socket of this page opened once: later opens are REconnects
  let attempt = 0;
  let refusals = 0;
  let retryTimer = null;
  let lastHeard = 0;
  let nextRef = 1;
  let stopped = false;
  const pendingRefs = new Map(); // ref -> topic, for the subscribe frames in flight

  function setStatus(next) {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) {
      try {
        listener(status);
      } catch (error) {
        console.error(error);
      }
    }
  }

  function url() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + PATH;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function sendSubscribe(topic) {
    const ref = nextRef++;
    pendingRefs.set(ref, topic);
    send({ type: "subscribe", topic, ref });
  }

  function connect() {
    if (stopped || socket) return;
    retryTimer = null;
    const ws = new WebSocket(url());
    let opened = false;
    let reconnect = everOpened;
    socket = ws;
    ws.onopen = () => {
      opened = true;
      everOpened = true;
      attempt = 0;
      refusals = 0;
      lastHeard = Date.now();
      setStatus("live");
      pendingRefs.clear();
      for (const [topic, entry] of topics) {
        entry.resumeDue = reconnect;
        entry.state = "pending";
        sendSubscribe(topic);
      }
    };
    ws.onmessage = (message) => {
      lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      received(frame);
    };
    ws.onclose = (event) => closed(ws, opened, event.code);
  }

  function received(frame) {
    if (frame.type === "event") {
      const entry = topics.get(frame.topic);
      if (!entry) return;
      for (const handler of entry.handlers) {
        try {
          handler(frame.event, frame.topic);
        } catch (error) {
          console.error(error);
        }
      }
    } else if (frame.type === "subscribed" || frame.type === "refused") {
      const topic = pendingRefs.get(frame.ref) ?? frame.topic;
      pendingRefs.delete(frame.ref);
      const entry = topics.get(topic);
      if (!entry) return;
      entry.state = frame.type === "refused" ? "refused" : "joined";
      if (frame.type === "refused") {
        for (const refuser of entry.refusers) refuser(topic);
        return;
      }
      for (const confirmer of entry.confirmers) confirmer(topic);
      if (entry.resumeDue) {
        entry.resumeDue = false;
        for (const resume of entry.resumes) {
          try {
            resume(topic);
          } catch (error) {
            console.error(error);
          }
        }
      }
    } else if (frame.type === "error") {
      console.warn("live:", frame.message);
    }
  }

  function closed(ws, opened, code) {
    if (socket !== ws) return;
    socket = null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (FINAL_CODES.has(code)) return stop();
    if (!opened && ++refusals >= MAX_HANDSHAKE_REFUSALS) return stop();
    if (stopped) return;
    setStatus(everOpened ? "reconnecting" : "connecting");
    // Full jitter: a server restart does not bring every page back in the same second.
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  function stop() {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    setStatus("refused");
  }

  function retryNow() {
    if (stopped || socket || !retryTimer) return;
    clearTimeout(retryTimer);
    connect();
  }

  // The server beats every 25 s: a socket silent for 60 s is dead even if the browser
  // has not noticed (a sleeping laptop, a dropped network).
  setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN && Date.now() - lastHeard > SILENT_DEAD_MS) {
      const dead = socket;
      closed(dead, true, 1006);
      dead.close();
    }
  }, WATCH_EVERY_MS);
  window.addEventListener("online", retryNow);
  window.addEventListener("pagehide", () => {
    if (socket) socket.close(1000);
  });

  function subscribe(topic, onEvent, options = {}) {
    let entry = topics.get(topic);
    const isNew = !entry;
    if (isNew) {
      entry = {
        handlers: new Set(),
        resumes: new Set(),
        confirmers: new Set(),
        refusers: new Set(),
        resumeDue: false,
        state: "pending", // "joined" or "refused" once the server answered
      };
      topics.set(topic, entry);
    }
    const handler = (event, name) => onEvent(event, name);
    entry.handlers.add(handler);
    if (options.resume) entry.resumes.add(options.resume);
    if (options.subscribed) entry.confirmers.add(options.subscribed);
    if (options.refused) entry.refusers.add(options.refused);
    if (isNew) sendSubscribe(topic); // queued: sent on open if the socket is not open yet
    // A second subscriber to a topic already answered hears the answer too.
    else if (entry.state === "joined" && options.subscribed) queueMicrotask(() => options.subscribed(topic));
    else if (entry.state === "refused" && options.refused) queueMicrotask(() => options.refused(topic));
    connect();
    return () => {
      entry.handlers.delete(handler);
      entry.resumes.delete(options.resume);
      entry.confirmers.delete(options.subscribed);
      entry.refusers.delete(options.refused);
      if (entry.handlers.size === 0 && topics.get(topic) === entry) {
        topics.delete(topic);
        send({ type: "unsubscribe", topic });
      }
    };
  }

  function onStatus(callback) {
    statusListeners.add(callback);
    callback(status);
    return () => statusListeners.delete(callback);
  }

  window.BackofficeLive = {
    subscribe,
    onStatus,
    get status() {
      return status;
    },
  };

  // The header's indicator (templates/live/status.html), only on signed-in pages: its
  // labels come translated in data-label-<status>. This script runs in the <head>
  // (UNFOLD["SCRIPTS"]), so the indicator is looked for once the page is parsed.
  function start() {
    const indicator = document.getElementById("live-status");
    if (!indicator) return;
    onStatus((now) => {
      indicator.dataset.state = now;
      indicator.querySelector("[data-live-label]").textContent =
        indicator.dataset["label" + now[0].toUpperCase() + now.slice(1)] || now;
    });
    connect();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
