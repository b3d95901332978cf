/*
 * Department tree: lazy children, search, and a pending list of moves.
 *
 * Fetches the roots from the children endpoint (no parent); reads the tree version and
 * permissions from <script id="dept-tree-data">, labels from <script id="dept-tree-labels">
 * and the endpoints from data-*-url on #dept-tree-page. Moves are planned by dragging (SortableJS, vendored, fallback mode so
 * mouse and touch behave alike) or with "Move to…"; nothing is saved until Save.
 */
(function () {
  "use strict";

  const state = { nodes: new Map(), pending: [], labels: {}, version: "", canMove: false };
  let page;

  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function csrfToken() {
    const input = page.querySelector("input[name=csrfmiddlewaretoken]");
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : input ? input.value : "";
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const data = await response.json().catch(() => ({ error: state.labels.failed }));
    if (!response.ok) throw Object.assign(new Error(data.error || state.labels.failed), { data });
    return data;
  }

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ error: state.labels.failed }));
    if (!response.ok) throw Object.assign(new Error(data.error || state.labels.failed), { data });
    return data;
  }

  /* --- Rendering ------------------------------------------------------------------ */

  function changeUrl(id) {
    return page.dataset.changeUrl.replace("00000000-0000-0000-0000-000000000000", encodeURIComponent(id));
  }

  function renderNode(data) {
    const L = state.labels;
    const toggle = h("button", {
      type: "button", class: "dept-toggle", "aria-expanded": "false", title: L.expand,
      "aria-label": `${L.expand}: ${data.name}`, "data-testid": "tree-toggle",
    });
    toggle.textContent = data.has_children ? "▸" : "·";
    const row = h("div", { class: "dept-node-row" }, [
      toggle,
      state.canMove ? h("span", { class: "dept-handle material-symbols-outlined md-18", text: "drag_indicator" }) : null,
      h("a", {
        class: "font-medium dept-name", href: changeUrl(data.id), text: data.name,
        "data-testid": "tree-name", title: data.name, draggable: "false",
      }),
      h("span", { class: "dept-code", text: data.code }),
      h("span", { class: "dept-meta", text: data.manager || L.noManager }),
      h("span", {
        class: "dept-meta",
        "data-testid": "tree-counts",
        text: `${data.subtree_headcount} ${L.people} · ${data.direct_headcount} ${L.direct}`,
      }),
      data.is_active ? null : h("span", { class: "dept-meta font-semibold", text: L.inactive }),
      state.canMove
        ? h("button", {
          type: "button", class: "dept-meta ml-auto underline", "data-testid": "tree-move-to",
          "aria-label": `${L.moveTo} ${data.name}`, text: L.moveTo, onclick: () => openMoveDialog(data.id),
        })
        : null,
    ]);
    const kids = h("ul", { class: "dept-children", hidden: "" });
    const li = h("li", {
      class: "dept-node", "data-id": data.id, "data-active": String(data.is_active),
      "data-testid": "tree-node",
    }, [row, kids]);
    const node = { data, li, row, kids, toggle, loaded: false, open: false };
    state.nodes.set(data.id, node);
    toggle.addEventListener("click", () => setOpen(node, !node.open));
    makeSortable(kids);
    return li;
  }

  function refreshToggle(node) {
    const hasKids = node.kids.children.length > 0 || (!node.loaded && node.data.has_children);
    node.toggle.textContent = hasKids ? (node.open ? "▾" : "▸") : "·";
    node.toggle.setAttribute("aria-expanded", String(node.open));
  }

  async function load(node) {
    if (node.loaded) return;
    const url = `${page.dataset.childrenUrl}?parent=${encodeURIComponent(node.data.id)}`;
    const data = await getJson(url);
    data.children.forEach((child) => {
      if (!state.nodes.has(child.id)) node.kids.appendChild(renderNode(child));
    });
    node.loaded = true;
  }

  async function setOpen(node, open) {
    if (open) {
      try {
        await load(node);
      } catch (error) {
        showError(error.message);
        return;
      }
    }
    node.open = open;
    node.kids.hidden = !open;
    refreshToggle(node);
  }

  async function reveal(path, id, options) {
    const keep = options && options.keep;
    for (const ancestor of path) {
      const node = state.nodes.get(ancestor);
      if (node) {
        try {
          await setOpen(node, true);
        } catch (error) {
          return null;
        }
      }
    }
    const target = state.nodes.get(id);
    if (!target) return null;
    if (!keep) {
      page.querySelectorAll(".dept-node.is-highlighted").forEach((n) => n.classList.remove("is-highlighted"));
      target.li.scrollIntoView({ block: "center" });
    }
    target.li.classList.add("is-highlighted");
    return target;
  }

  /* --- Dragging ------------------------------------------------------------------- */

  let hovered = null;

  function setHovered(li) {
    if (hovered) hovered.classList.remove("dept-drop-hover");
    hovered = li;
    if (hovered) hovered.classList.add("dept-drop-hover");
  }

  let dragged = null;

  /* The row under the pointer, own descendants included (Sortable skips those), so a
     drop there can be planned and refused at Preview with the reason. */
  function track(event) {
    const point = event.touches ? event.touches[0] : event;
    const under = document.elementFromPoint(point.clientX, point.clientY);
    const row = under && under.closest("#dept-tree .dept-node-row");
    const target = row && row.parentNode;
    setHovered(target && target !== dragged ? target : null);
  }

  function makeSortable(list) {
    if (!state.canMove || !window.Sortable) return;
    window.Sortable.create(list, {
      group: "departments",
      draggable: ".dept-node",
      handle: ".dept-node-row",
      filter: "button",
      preventOnFilter: false,
      forceFallback: true,
      fallbackOnBody: true,
      onStart(event) {
        dragged = event.item;
        document.addEventListener("pointermove", track, true);
        document.addEventListener("touchmove", track, true);
      },
      // The tree is not reordered by hand (children sort by name): a drop onto a row
      // means "under this department", so the lists themselves never change here.
      onMove: () => false,
      onEnd(event) {
        document.removeEventListener("pointermove", track, true);
        document.removeEventListener("touchmove", track, true);
        const target = hovered;
        setHovered(null);
        dragged = null;
        if (target) planMove(event.item.dataset.id, target.dataset.id);
      },
    });
  }

  /* --- Pending moves -------------------------------------------------------------- */

  async function planMove(id, parentId) {
    const node = state.nodes.get(id);
    const parent = parentId === null ? null : state.nodes.get(parentId);
    if (!node || parent === undefined || id === parentId) return;
    if (parent) {
      try {
        await setOpen(parent, true);
      } catch (error) {
        return;
      }
    }
    let move = state.pending.find((m) => m.department === id);
    if (!move) {
      move = { department: id, home: node.li.parentNode, next: node.li.nextSibling };
      state.pending.push(move);
    }
    move.parent = parentId;
    // Under its own descendant: listed as planned, refused at Preview; the DOM cannot nest it.
    if (!parent) state.root.appendChild(node.li);
    else if (!node.li.contains(parent.li)) parent.kids.appendChild(node.li);
    node.li.classList.add("is-pending");
    state.nodes.forEach(refreshToggle);
    clearResults();
    renderPending();
  }

  function undo(move) {
    const node = state.nodes.get(move.department);
    move.home.insertBefore(node.li, move.next && move.next.parentNode === move.home ? move.next : null);
    node.li.classList.remove("is-pending");
    state.pending = state.pending.filter((m) => m !== move);
    state.nodes.forEach(refreshToggle);
    clearResults();
    renderPending();
  }

  function nameOf(id) {
    if (id === null) return state.labels.top;
    const node = state.nodes.get(id);
    return node ? node.data.name : id;
  }

  function renderPending() {
    const list = document.getElementById("dept-tree-pending");
    if (!list) return;
    list.textContent = "";
    if (!state.pending.length) {
      list.appendChild(h("li", { class: "dept-meta", text: state.labels.pendingEmpty }));
    }
    state.pending.forEach((move) => {
      list.appendChild(h("li", { class: "flex gap-2 items-center", "data-testid": "tree-pending-move" }, [
        h("span", {
          text: move.parent === null
            ? `${nameOf(move.department)} → ${state.labels.top}`
            : `${nameOf(move.department)} → ${state.labels.under} ${nameOf(move.parent)}`,
        }),
        h("button", {
          type: "button", class: "border border-base-200 ml-auto px-2 py-1 rounded-default text-xs",
          "data-testid": "tree-undo", text: state.labels.undo, onclick: () => undo(move),
        }),
      ]));
    });
  }

  function payload() {
    return {
      moves: state.pending.map((m) => ({ department: m.department, parent: m.parent })),
      version: state.version,
    };
  }

  function showError(message, stale) {
    const box = document.getElementById("dept-tree-error");
    if (!box) return;
    box.querySelector("span").textContent = message;
    document.getElementById("dept-tree-reload").hidden = !stale;
    box.hidden = false;
  }

  function clearResults() {
    ["dept-tree-error", "dept-tree-preview-result", "dept-tree-save-form", "dept-tree-success"]
      .forEach((id) => { const el = document.getElementById(id); if (el) el.hidden = true; });
  }

  function renderPreview(previews) {
    const L = state.labels;
    const box = document.getElementById("dept-tree-preview-result");
    box.textContent = "";
    previews.forEach((p) => {
      box.appendChild(h("div", { class: "border border-base-200 rounded-default p-2", "data-testid": "tree-preview-move" }, [
        h("p", { class: "font-semibold", text: p.name }),
        h("p", { "data-testid": "tree-preview-counts", text: `${p.departments} ${L.departments} · ${p.employees} ${L.employees}` }),
        h("p", { text: `${L.from}: ${p.old_path.join(" › ") || "—"}` }),
        h("p", { text: `${L.to}: ${p.new_path.join(" › ") || "—"}` }),
        h("p", { text: `${L.losing}: ${p.managers_losing.join(", ") || L.none}` }),
        h("p", { text: `${L.gaining}: ${p.managers_gaining.join(", ") || L.none}` }),
      ]));
    });
    box.hidden = false;
    document.getElementById("dept-tree-save-form").hidden = false;
  }

  async function preview() {
    clearResults();
    if (!state.pending.length) return;
    try {
      const data = await postJson(page.dataset.previewUrl, payload());
      renderPreview(data.previews);
    } catch (error) {
      showError(error.message, false);
    }
  }

  async function save() {
    const reason = document.getElementById("dept-tree-reason").value;
    document.getElementById("dept-tree-error").hidden = true;
    try {
      await postJson(page.dataset.applyUrl, Object.assign(payload(), { reason }));
    } catch (error) {
      showError(error.message, Boolean(error.data && error.data.stale));
      return;
    }
    // After the reload the moved departments are opened up to and highlighted.
    const moved = state.pending.map((m) => ({
      id: m.department, path: pathOf(m.department), open: state.nodes.get(m.department).open,
    }));
    sessionStorage.setItem("dept-tree-saved", JSON.stringify(moved));
    window.location.reload();
  }

  /* The ids above a node as the page shows it now (pending moves included), root first. */
  function pathOf(id) {
    const path = [];
    let li = state.nodes.get(id).li.parentNode.closest(".dept-node");
    while (li) {
      path.unshift(li.dataset.id);
      li = li.parentNode.closest(".dept-node");
    }
    return path;
  }

  async function showMoved(moved) {
    for (const { id, path, open } of moved) {
      const node = await reveal(path, id, { keep: true });
      if (!node) continue;
      node.li.classList.add("is-moved");
      if (open) await setOpen(node, true);  // as open as it was when saved
    }
    const first = moved.length && state.nodes.get(moved[0].id);
    if (first) first.li.scrollIntoView({ block: "center" });
  }

  function discard() {
    [...state.pending].reverse().forEach(undo);
    clearResults();
  }

  /* --- Search and "Move to…" ------------------------------------------------------ */

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function searchInto(input, list, onPick) {
    const run = debounce(async () => {
      const q = input.value.trim();
      list.textContent = "";
      // Same minimum as the server: two Latin characters, or one CJK (non-ASCII) one.
      if (q.length < (/^[\x00-\x7f]*$/.test(q) ? 2 : 1)) { list.hidden = true; return; }
      let data;
      try {
        data = await getJson(`${page.dataset.searchUrl}?q=${encodeURIComponent(q)}`);
      } catch (error) {
        list.appendChild(h("li", { class: "px-3 py-2", text: error.message }));
        list.hidden = false;
        return;
      }
      if (input.value.trim() !== q) return;
      if (!data.results.length) list.appendChild(h("li", { class: "px-3 py-2", text: state.labels.noResults }));
      data.results.forEach((result) => {
        list.appendChild(h("li", {}, [h("button", {
          type: "button", class: "px-3 py-2 text-left w-full hover:bg-base-100", "data-testid": "tree-search-result",
          text: `${result.name} (${result.code})${result.is_active ? "" : ` — ${state.labels.inactive}`}`,
          onclick: () => onPick(result),
        })]));
      });
      list.hidden = false;
    }, 200);
    input.addEventListener("input", run);
  }

  /* "Move to…": the choices come from the targets endpoint, which leaves out the current
     parent and the department's own subtree and keeps to what the reader may change. */

  let moving = null;

  function renderTargets(data, searching) {
    const L = state.labels;
    const list = document.getElementById("dept-tree-move-results");
    list.textContent = "";
    const pick = (id, path) => async () => {
      document.getElementById("dept-tree-move-dialog").close();
      if (id !== null) await reveal(path, id);
      planMove(moving, id);
    };
    const top = data.top && !searching;  // the top is offered until a search narrows the list
    if (top) {
      list.appendChild(h("li", {}, [h("button", {
        type: "button", class: "dept-target font-medium", "data-testid": "tree-move-target",
        "data-id": "", text: L.top, onclick: pick(null, []),
      })]));
    }
    data.results.forEach((result) => {
      list.appendChild(h("li", {}, [h("button", {
        type: "button", class: "dept-target", "data-testid": "tree-move-target", "data-id": result.id,
        title: result.name, onclick: pick(result.id, result.path),
      }, [h("span", { class: "dept-target-name", text: result.name }), h("span", { class: "dept-code", text: result.code })])]));
    });
    if (!top && !data.results.length) {
      list.appendChild(h("li", { class: "dept-meta px-3 py-2", text: L.noTargets }));
    }
  }

  async function loadTargets() {
    const id = moving;
    const q = document.getElementById("dept-tree-move-search").value.trim();
    const url = `${page.dataset.targetsUrl}?node=${encodeURIComponent(id)}&q=${encodeURIComponent(q)}`;
    let data;
    try {
      data = await getJson(url);
    } catch (error) {
      const list = document.getElementById("dept-tree-move-results");
      list.textContent = "";
      list.appendChild(h("li", { class: "px-3 py-2", text: error.message }));
      return;
    }
    const current = document.getElementById("dept-tree-move-search").value.trim();
    if (moving === id && current === q) renderTargets(data, Boolean(q));
  }

  function openMoveDialog(id) {
    moving = id;
    const dialog = document.getElementById("dept-tree-move-dialog");
    document.getElementById("dept-tree-move-title").textContent = `${state.labels.moveTo} ${nameOf(id)}`;
    const input = document.getElementById("dept-tree-move-search");
    input.value = "";
    const list = document.getElementById("dept-tree-move-results");
    list.textContent = "";
    list.appendChild(h("li", { class: "dept-meta px-3 py-2", text: state.labels.loading }));
    dialog.showModal();
    input.focus();
    loadTargets();
  }

  /* --- Start ---------------------------------------------------------------------- */

  function init() {
    page = document.getElementById("dept-tree-page");
    const dataNode = document.getElementById("dept-tree-data");
    if (!page || !dataNode) return;
    const data = JSON.parse(dataNode.textContent);
    state.labels = JSON.parse(document.getElementById("dept-tree-labels").textContent);
    state.version = data.version;
    state.canMove = data.can_move;
    const root = h("ul", {});
    state.root = root;
    document.getElementById("dept-tree").appendChild(root);
    makeSortable(root);
    getJson(page.dataset.childrenUrl).then((roots) => {
      roots.children.forEach((d) => root.appendChild(renderNode(d)));
      state.nodes.forEach(refreshToggle);
      const saved = sessionStorage.getItem("dept-tree-saved");
      sessionStorage.removeItem("dept-tree-saved");
      let moved = [];
      try {
        moved = saved ? JSON.parse(saved) : [];
      } catch (error) {
        moved = [];
      }
      if (saved && state.canMove) {
        const ok = document.getElementById("dept-tree-success");
        ok.textContent = state.labels.saved;
        ok.hidden = false;
      }
      return showMoved(Array.isArray(moved) ? moved : []);
    }).then(() => { page.dataset.ready = "true"; }, (error) => showError(error.message, false));

    document.getElementById("dept-tree-hide-inactive").addEventListener("change", (event) => {
      document.getElementById("dept-tree").classList.toggle("hide-inactive", event.target.checked);
    });
    const results = document.getElementById("dept-tree-search-results");
    searchInto(document.getElementById("dept-tree-search"), results, (result) => {
      results.hidden = true;
      reveal(result.path, result.id);
    });
    document.getElementById("dept-tree-move-search").addEventListener("input", debounce(loadTargets, 200));
    const dialog = document.getElementById("dept-tree-move-dialog");
    // A click on the backdrop (outside the dialog's box) closes it, as unfold's dialogs do.
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    if (state.canMove) {
      document.getElementById("dept-tree-preview").addEventListener("click", preview);
      document.getElementById("dept-tree-discard").addEventListener("click", discard);
      document.getElementById("dept-tree-save").addEventListener("click", save);
      document.getElementById("dept-tree-reload").addEventListener("click", () => window.location.reload());
      renderPending();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
