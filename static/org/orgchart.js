/*
 * Org chart: lays the department tree (or its managers and their reports) out top-down
 * and draws it as SVG, fitted to the screen, with zoom, pan and a search.
 *
 * Reads the nodes from <script id="org-chart-data"> and translated labels from
 * <script id="org-chart-labels"> (both json_script). No dependencies, no network.
 * Styles are inline attributes so that the exported SVG/PNG looks like the page.
 *
 * Nodes: {id, name, code, children, has_more, is_active, ...}. The department view adds
 * manager, headcount and direct; the people view ("kind": manager | vacant) adds position,
 * department and the department's other members (drawn as a column under the manager).
 */
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const BOX_W = 200;
  const BOX_H = 98;
  const GAP_X = 24;
  const GAP_Y = 56;
  const MEMBER_H = 46;
  const MEMBER_GAP = 8;
  const MARGIN = 24;
  const ZOOM_MIN = 0.1;
  const ZOOM_MAX = 2.5;
  // Fitting never shrinks text below this; a wider chart opens on its top department.
  const FIT_MIN = 0.5;
  const FONT = "Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', sans-serif";
  const COLORS = {
    background: "#ffffff",
    box: "#ffffff",
    border: "#9333ea",
    text: "#111827",
    muted: "#6b7280",
    line: "#d1d5db",
    accent: "#f3e8ff",
    inactiveBox: "#f3f4f6",
    inactiveBorder: "#9ca3af",
    inactiveText: "#9ca3af",
    highlight: "#f59e0b",
  };

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG_NS, name);
    Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, String(value)));
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attrs) {
    const node = el("text", Object.assign({ x, y, "font-family": FONT }, attrs), parent);
    node.textContent = content;
    return node;
  }

  /* The longest prefix of s (plus suffix) that fits maxWidth, at least one character. */
  function longestFit(node, s, maxWidth, suffix) {
    let low = 1;
    let high = s.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      node.textContent = s.slice(0, mid) + suffix;
      if (node.getComputedTextLength() <= maxWidth) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /* Shorten a text element with an ellipsis until it fits; the full text becomes its tooltip. */
  function fit(node, maxWidth) {
    const full = node.textContent;
    if (node.getComputedTextLength() <= maxWidth) return false;
    const n = longestFit(node, full, maxWidth, "…");
    node.textContent = full.slice(0, n) + "…";
    el("title", {}, node).textContent = full;
    return true;
  }

  /* Write content into a text element over up to maxLines lines (breaking at spaces when it
     can, anywhere in CJK text); the last line ends in an ellipsis if it still does not fit. */
  function wrap(node, content, maxWidth, lineHeight, maxLines) {
    const x = node.getAttribute("x");
    let rest = content.trim();
    let lines = 0;
    let cut = false;
    while (rest) {
      const line = el("tspan", { x, dy: lines ? lineHeight : 0 }, node);
      line.textContent = rest;
      lines += 1;
      if (line.getComputedTextLength() <= maxWidth) break;
      if (lines === maxLines) {
        line.textContent = rest.slice(0, longestFit(line, rest, maxWidth, "…")) + "…";
        cut = true;
        break;
      }
      let end = longestFit(line, rest, maxWidth, "");
      const space = rest.lastIndexOf(" ", end);
      if (space > 0) end = space;
      line.textContent = rest.slice(0, end).trimEnd();
      rest = rest.slice(end).trimStart();
    }
    if (cut) el("title", {}, node).textContent = content;
    return lines;
  }

  function memberRows(node) {
    return (node.members ? node.members.length : 0) + (node.more_people ? 1 : 0);
  }

  function hasKids(node) {
    return node.children.length > 0 || memberRows(node) > 0;
  }

  /* Tidy enough: leaves take the next free slot, parents centre over their children. A
     people-view manager's members take one slot as a column of small boxes. */
  function layout(roots, collapsed) {
    let nextX = 0;
    let bottom = 0;
    const placed = new Map();
    function place(node, depth) {
      const y = depth * (BOX_H + GAP_Y);
      const open = !collapsed.has(node.id);
      const kids = [];
      if (open && memberRows(node)) {
        const rows = memberRows(node);
        const column = { column: true, node, x: nextX, y: y + BOX_H + GAP_Y, kids: [] };
        column.height = rows * (MEMBER_H + MEMBER_GAP) - MEMBER_GAP;
        nextX += BOX_W + GAP_X;
        bottom = Math.max(bottom, column.y + column.height);
        (node.members || []).forEach((member, index) => {
          placed.set(member.id, { node: member, x: column.x, y: column.y + index * (MEMBER_H + MEMBER_GAP), member: true });
        });
        kids.push(column);
      }
      if (open) node.children.forEach((child) => kids.push(place(child, depth + 1)));
      let x;
      if (kids.length) {
        x = (kids[0].x + kids[kids.length - 1].x) / 2;
      } else {
        x = nextX;
        nextX += BOX_W + GAP_X;
      }
      const item = { node, x, y, kids };
      placed.set(node.id, item);
      bottom = Math.max(bottom, y + BOX_H);
      return item;
    }
    const tops = roots.map((root) => place(root, 0));
    const width = Math.max(nextX - GAP_X, BOX_W);
    return { tops, placed, width, height: bottom };
  }

  function drawLinks(group, item) {
    item.kids.forEach((kid) => {
      const x1 = item.x + BOX_W / 2;
      const y1 = item.y + BOX_H;
      const x2 = kid.x + BOX_W / 2;
      const y2 = kid.y;
      const mid = y1 + GAP_Y / 2;
      el("path", {
        d: `M${x1},${y1} V${mid} H${x2} V${y2}`,
        fill: "none",
        stroke: COLORS.line,
        "stroke-width": 1.5,
      }, group);
      if (!kid.column) drawLinks(group, kid);
    });
  }

  function frame(g, width, height, active, highlighted) {
    el("rect", {
      width, height, rx: 8,
      fill: active ? COLORS.box : COLORS.inactiveBox,
      stroke: highlighted ? COLORS.highlight : active ? COLORS.line : COLORS.inactiveBorder,
      "stroke-width": highlighted ? 3 : 1,
      "stroke-dasharray": active ? "none" : "4 3",
      class: "org-chart-frame",
    }, g);
    el("rect", {
      width: 4, height: height - 16, x: 0, y: 8, rx: 2,
      fill: active ? COLORS.border : COLORS.inactiveBorder,
    }, g);
  }

  function codeBadge(g, code, active) {
    if (!code) return 0;
    const codeWidth = 8 + code.length * 7.5;
    el("rect", {
      x: BOX_W - 10 - codeWidth, y: 9, width: codeWidth, height: 18, rx: 4,
      fill: active ? COLORS.accent : "#e5e7eb",
    }, g);
    text(g, BOX_W - 10 - codeWidth / 2, 22, code, {
      "font-size": 11, "font-weight": 600, fill: active ? "#7e22ce" : COLORS.inactiveText,
      "text-anchor": "middle", "letter-spacing": "0.5",
    });
    return codeWidth;
  }

  function drawDepartment(g, node, ctx) {
    const active = node.is_active;
    const main = active ? COLORS.text : COLORS.inactiveText;
    const muted = active ? COLORS.muted : COLORS.inactiveText;
    const codeWidth = codeBadge(g, node.code, active);
    const name = text(g, 14, 22, "", { "font-size": 13, "font-weight": 600, fill: main, class: "org-chart-name" });
    wrap(name, node.name, BOX_W - 30 - codeWidth, 16, 2);
    const manager = text(g, 14, 62, node.manager || ctx.labels.noManager, {
      "font-size": 12, fill: muted, "font-style": node.manager ? "normal" : "italic",
    });
    fit(manager, BOX_W - 28);
    // Readers who may not list departments get no figures (headcount null): no count line.
    if (node.headcount !== null && node.headcount !== undefined) {
      const counts = text(g, 14, 84, "", { "font-size": 12, fill: main });
      const strong = el("tspan", { "font-weight": 700 }, counts);
      strong.textContent = String(node.headcount);
      el("tspan", { fill: muted }, counts).textContent =
        ` ${node.headcount === 1 ? ctx.labels.person : ctx.labels.people} · ${node.direct} ${ctx.labels.direct}`;
    }
    if (!active) {
      text(g, BOX_W - 10, 84, ctx.labels.inactive, {
        "font-size": 10, "font-weight": 600, fill: COLORS.inactiveText, "text-anchor": "end",
      });
    }
  }

  function drawManager(g, node, ctx) {
    const active = node.is_active;
    const muted = active ? COLORS.muted : COLORS.inactiveText;
    const codeWidth = codeBadge(g, node.code, active);
    const vacant = node.kind === "vacant";
    const reports = node.children.length + (node.members ? node.members.length : 0) + (node.more_people || 0);
    const count = `${reports} ${reports === 1 ? ctx.labels.report : ctx.labels.reports}`;
    // A manager: their name, position, then the department. No manager to show: the
    // department's name takes the first lines, so it is never cut.
    const name = text(g, 14, 22, "", {
      "font-size": 13, "font-weight": 600, fill: active ? COLORS.text : muted, class: "org-chart-name",
    });
    wrap(name, vacant ? node.department : node.name, BOX_W - 30 - codeWidth, 16, 2);
    if (vacant) {
      fit(text(g, 14, 62, ctx.labels.vacant, { "font-size": 12, fill: muted, "font-style": "italic" }), BOX_W - 28);
      text(g, 14, 84, count, { "font-size": 12, fill: muted });
      return;
    }
    if (node.position) fit(text(g, 14, 62, node.position, { "font-size": 12, fill: muted }), BOX_W - 28);
    const where = text(g, 14, 84, "", { "font-size": 12, fill: muted });
    el("tspan", { "font-weight": 600, fill: active ? COLORS.text : muted }, where).textContent = node.department;
    el("tspan", {}, where).textContent = ` · ${count}`;
    fit(where, BOX_W - 28);
  }

  function drawMember(group, placed, ctx) {
    const member = placed.node;
    const g = el("g", {
      transform: `translate(${placed.x},${placed.y})`, "data-node-id": member.id,
      class: "org-chart-node org-chart-member", "data-active": "true",
    }, group);
    el("title", {}, g).textContent = member.position ? `${member.name} — ${member.position}` : member.name;
    el("rect", {
      width: BOX_W, height: MEMBER_H, rx: 6, fill: COLORS.box,
      stroke: ctx.highlighted === member.id ? COLORS.highlight : COLORS.line,
      "stroke-width": ctx.highlighted === member.id ? 3 : 1, class: "org-chart-frame",
    }, g);
    fit(text(g, 12, 19, member.name, { "font-size": 12, "font-weight": 600, fill: COLORS.text, class: "org-chart-name" }), BOX_W - 24);
    if (member.position) fit(text(g, 12, 36, member.position, { "font-size": 11, fill: COLORS.muted }), BOX_W - 24);
  }

  function drawColumn(group, column, ctx) {
    (column.node.members || []).forEach((member) => drawMember(group, ctx.layout.placed.get(member.id), ctx));
    if (column.node.more_people) {
      const y = column.y + column.node.members.length * (MEMBER_H + MEMBER_GAP);
      const g = el("g", { transform: `translate(${column.x},${y})`, class: "org-chart-more-people" }, group);
      el("rect", { width: BOX_W, height: MEMBER_H, rx: 6, fill: COLORS.inactiveBox, stroke: COLORS.line, "stroke-dasharray": "4 3" }, g);
      text(g, BOX_W / 2, 28, ctx.labels.morePeople.replace("%(count)s", String(column.node.more_people)), {
        "font-size": 12, fill: COLORS.muted, "text-anchor": "middle",
      });
    }
  }

  function drawNode(group, item, ctx) {
    if (item.column) {
      drawColumn(group, item, ctx);
      return;
    }
    const { node } = item;
    const isCollapsed = ctx.collapsed.has(node.id);
    const g = el("g", {
      transform: `translate(${item.x},${item.y})`,
      "data-node-id": node.id,
      "data-collapsed": isCollapsed ? "true" : "false",
      "data-active": node.is_active ? "true" : "false",
      class: "org-chart-node",
    }, group);
    const label = node.kind ? `${node.name || ctx.labels.vacant} — ${node.department}` : node.name;
    if (hasKids(node)) {
      g.setAttribute("role", "button");
      g.setAttribute("tabindex", "0");
      g.setAttribute("aria-expanded", isCollapsed ? "false" : "true");
      g.style.cursor = "pointer";
      const toggle = () => ctx.toggle(node.id);
      g.addEventListener("click", (event) => { if (!ctx.wasPanning()) toggle(); event.stopPropagation(); });
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggle();
        }
      });
      el("title", {}, g).textContent = `${label} — ${ctx.labels.toggle}`;
    } else {
      el("title", {}, g).textContent = label;
    }
    frame(g, BOX_W, BOX_H, node.is_active, ctx.highlighted === node.id);
    if (node.kind) drawManager(g, node, ctx);
    else drawDepartment(g, node, ctx);
    if (isCollapsed) {
      badge(g, String(node.children.length + memberRows(node)), ctx.labels.collapsed);
    }
    if (node.has_more) {
      const view = ctx.view === "people" ? "&view=people" : "";
      const link = el("a", {
        href: `?root=${encodeURIComponent(node.department_id || node.id)}&depth=${ctx.depth}${view}`,
        class: "org-chart-more",
        "data-more-for": node.id,
      }, g);
      link.addEventListener("click", (event) => event.stopPropagation());
      el("title", {}, link).textContent = ctx.labels.showMore;
      badge(link, "+", ctx.labels.showMore);
    }
    item.kids.forEach((kid) => drawNode(group, kid, ctx));
  }

  function badge(parent, label, title) {
    const g = el("g", { transform: `translate(${BOX_W / 2},${BOX_H})` }, parent);
    el("circle", { r: 10, fill: COLORS.border, stroke: COLORS.background, "stroke-width": 2 }, g);
    text(g, 0, 4, label, {
      "font-size": 12, "font-weight": 700, fill: "#ffffff", "text-anchor": "middle",
    });
    el("title", {}, g).textContent = title;
  }

  /* Draw the chart into the container: an SVG filling it, the drawing in a "world" group
     that pan and zoom transform. Returns the layout (sizes and positions). */
  function render(container, data, ctx) {
    container.textContent = "";
    if (!data.length) {
      const p = document.createElement("p");
      p.textContent = ctx.labels.empty;
      p.style.padding = "1rem";
      container.appendChild(p);
      return null;
    }
    const placed = layout(data, ctx.collapsed);
    ctx.layout = placed;
    const svg = el("svg", { xmlns: SVG_NS, "font-family": FONT, "data-testid": "org-chart-svg" }, container);
    const world = el("g", { "data-world": "" }, svg);
    const inner = el("g", { transform: `translate(${MARGIN},${MARGIN})` }, world);
    const links = el("g", {}, inner);
    const nodes = el("g", {}, inner);
    placed.tops.forEach((top) => {
      drawLinks(links, top);
      drawNode(nodes, top, ctx);
    });
    placed.fullW = placed.width + 2 * MARGIN;
    placed.fullH = placed.height + 2 * MARGIN + 12;
    placed.svg = svg;
    placed.world = world;
    return placed;
  }

  /* --- Export --------------------------------------------------------------------- */

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /* The whole chart at full size, whatever the zoom and pan on screen. */
  function standalone(placed) {
    const svg = placed.svg.cloneNode(true);
    svg.setAttribute("width", placed.fullW);
    svg.setAttribute("height", placed.fullH);
    svg.setAttribute("viewBox", `0 0 ${placed.fullW} ${placed.fullH}`);
    svg.removeAttribute("data-testid");
    svg.querySelector("[data-world]").removeAttribute("transform");
    const background = el("rect", { width: placed.fullW, height: placed.fullH, fill: COLORS.background });
    svg.insertBefore(background, svg.firstChild);
    return svg;
  }

  function serialize(svg) {
    return new XMLSerializer().serializeToString(svg);
  }

  function exportPng(svg, filename) {
    const scale = 2;
    const width = Number(svg.getAttribute("width"));
    const height = Number(svg.getAttribute("height"));
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      const context = canvas.getContext("2d");
      context.scale(scale, scale);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => download(blob, filename), "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(serialize(svg));
  }

  /* --- Start ---------------------------------------------------------------------- */

  function index(data) {
    const parentOf = new Map();
    const all = [];
    (function walk(nodes, parent) {
      nodes.forEach((node) => {
        parentOf.set(node.id, parent);
        all.push(node);
        (node.members || []).forEach((member) => { parentOf.set(member.id, node.id); all.push(member); });
        walk(node.children, node.id);
      });
    })(data, null);
    return { parentOf, all };
  }

  function init() {
    const container = document.getElementById("org-chart");
    const dataNode = document.getElementById("org-chart-data");
    if (!container || !dataNode) return;
    const data = JSON.parse(dataNode.textContent);
    const labels = JSON.parse(document.getElementById("org-chart-labels").textContent);
    const filename = container.dataset.filename || "org-chart";
    const { parentOf, all } = index(data);
    const view = { k: 1, x: 0, y: 0 };
    const zoomLevel = document.querySelector("[data-testid=chart-zoom-level]");
    let placed = null;
    let panned = false;

    function apply() {
      if (!placed) return;
      placed.world.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
      container.dataset.zoom = view.k.toFixed(3);
      if (zoomLevel) zoomLevel.textContent = `${Math.round(view.k * 100)}%`;
    }

    function fitToScreen() {
      if (!placed) return;
      const w = container.clientWidth;
      const h = container.clientHeight;
      view.k = Math.max(FIT_MIN, Math.min(1, w / placed.fullW, h / placed.fullH));
      if (placed.fullW * view.k <= w) {
        view.x = (w - placed.fullW * view.k) / 2;
      } else {
        // Too wide to fit legibly: open on the (first) top department, centred.
        const top = placed.tops[0];
        view.x = w / 2 - (MARGIN + top.x + BOX_W / 2) * view.k;
      }
      view.y = 0;  // the top department at the top, where the eye starts
      apply();
    }

    function zoomAt(factor, cx, cy) {
      const k = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, view.k * factor));
      view.x = cx - (cx - view.x) * (k / view.k);
      view.y = cy - (cy - view.y) * (k / view.k);
      view.k = k;
      apply();
    }

    /* Screen position (inside the container) of a drawn node's centre. */
    function screenOf(id) {
      const item = placed && placed.placed.get(id);
      if (!item) return null;
      const height = item.member ? MEMBER_H : BOX_H;
      return {
        x: view.x + (MARGIN + item.x + BOX_W / 2) * view.k,
        y: view.y + (MARGIN + item.y + height / 2) * view.k,
      };
    }

    const ctx = {
      labels,
      view: container.dataset.view || "departments",
      depth: container.dataset.depth || "3",
      collapsed: new Set(),
      highlighted: null,
      wasPanning: () => panned,
      toggle(id) {
        // Keep the clicked box where it is on screen while the chart re-lays itself out.
        const before = screenOf(id);
        if (ctx.collapsed.has(id)) ctx.collapsed.delete(id);
        else ctx.collapsed.add(id);
        redraw();
        const after = screenOf(id);
        if (before && after) {
          view.x += before.x - after.x;
          view.y += before.y - after.y;
          apply();
        }
      },
    };

    function redraw() {
      placed = render(container, data, ctx);
      apply();
    }

    function jumpTo(id) {
      for (let up = parentOf.get(id); up; up = parentOf.get(up)) ctx.collapsed.delete(up);
      ctx.highlighted = id;
      view.k = Math.max(view.k, 0.8);
      redraw();
      const at = screenOf(id);
      if (at) {
        view.x += container.clientWidth / 2 - at.x;
        view.y += container.clientHeight / 2 - at.y;
        apply();
      }
      container.dataset.highlighted = id;
    }

    placed = render(container, data, ctx);
    fitToScreen();
    container.dataset.ready = "true";

    /* Zoom: buttons about the centre, the wheel about the pointer. */
    document.querySelectorAll("[data-chart-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const how = button.dataset.chartZoom;
        if (how === "fit") fitToScreen();
        else zoomAt(how === "in" ? 1.25 : 0.8, container.clientWidth / 2, container.clientHeight / 2);
      });
    });
    container.addEventListener("wheel", (event) => {
      if (!placed) return;
      event.preventDefault();
      const box = container.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });

    /* Pan: drag anywhere; a drag that moved is not a click on the box under it. */
    let drag = null;
    container.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !placed || event.target.closest("a")) return;
      drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
      panned = false;
    });
    window.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!panned && Math.abs(dx) + Math.abs(dy) < 4) return;
      panned = true;
      container.classList.add("is-panning");
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      apply();
    });
    window.addEventListener("pointerup", () => {
      drag = null;
      container.classList.remove("is-panning");
      // The click that ends a drag comes right after; forget the drag once it has passed.
      setTimeout(() => { panned = false; }, 0);
    });

    /* Search among the drawn nodes: jump to one and highlight it. */
    const search = document.getElementById("org-chart-search");
    const results = document.getElementById("org-chart-search-results");
    function describe(node) {
      if (node.kind === "person" || node.kind === "manager") return `${node.name} — ${node.department}`;
      if (node.kind === "vacant") return `${labels.vacant} — ${node.department}`;
      return node.code ? `${node.name} (${node.code})` : node.name;
    }
    function matches(q) {
      const needle = q.toLocaleLowerCase();
      return all.filter((node) => [node.name, node.code, node.department, node.position]
        .some((value) => value && value.toLocaleLowerCase().includes(needle))).slice(0, 10);
    }
    function pick(node) {
      results.hidden = true;
      search.value = node.name || node.department;
      jumpTo(node.id);
    }
    if (search && results) {
      search.addEventListener("input", () => {
        const q = search.value.trim();
        results.textContent = "";
        if (!q) { results.hidden = true; return; }
        const found = matches(q);
        if (!found.length) {
          const li = document.createElement("li");
          li.className = "px-3 py-2";
          li.textContent = labels.searchNone;
          results.appendChild(li);
        }
        found.forEach((node) => {
          const li = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "org-chart-result";
          button.dataset.testid = "chart-search-result";
          button.textContent = describe(node);
          button.addEventListener("click", () => pick(node));
          li.appendChild(button);
          results.appendChild(li);
        });
        results.hidden = false;
      });
      search.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          const found = matches(search.value.trim());
          if (search.value.trim() && found.length) pick(found[0]);
        } else if (event.key === "Escape") {
          results.hidden = true;
        }
      });
    }

    document.querySelectorAll("[data-chart-export]").forEach((button) => {
      button.disabled = !placed;
      button.addEventListener("click", () => {
        if (!placed) return;
        const svg = standalone(placed);
        if (button.dataset.chartExport === "png") {
          exportPng(svg, `${filename}.png`);
        } else {
          const blob = new Blob([serialize(svg)], { type: "image/svg+xml;charset=utf-8" });
          download(blob, `${filename}.svg`);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
