/*
 * Org chart: lays the department tree out top-down and draws it as SVG.
 *
 * Reads the nodes from <script id="org-chart-data"> and translated labels from
 * <script id="org-chart-labels"> (both json_script). No dependencies, no network.
 * Styles are inline attributes so that the exported SVG/PNG looks like the page.
 */
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const BOX_W = 196;
  const BOX_H = 88;
  const GAP_X = 20;
  const GAP_Y = 56;
  const MARGIN = 24;
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

  /* Shorten a text element with an ellipsis until it fits in maxWidth. */
  function fit(node, maxWidth) {
    const full = node.textContent;
    if (node.getComputedTextLength() <= maxWidth) return;
    let low = 0;
    let high = full.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      node.textContent = full.slice(0, mid) + "…";
      if (node.getComputedTextLength() <= maxWidth) low = mid;
      else high = mid - 1;
    }
    node.textContent = full.slice(0, low) + "…";
    el("title", {}, node).textContent = full;
  }

  /* Tidy enough: leaves take the next free slot, parents centre over their children. */
  function layout(roots, collapsed) {
    let nextX = 0;
    const placed = [];
    function place(node, depth) {
      const open = node.children.length > 0 && !collapsed.has(node.id);
      const kids = open ? node.children.map((child) => place(child, depth + 1)) : [];
      let x;
      if (kids.length) {
        x = (kids[0].x + kids[kids.length - 1].x) / 2;
      } else {
        x = nextX;
        nextX += BOX_W + GAP_X;
      }
      const item = { node, x, y: depth * (BOX_H + GAP_Y), kids };
      placed.push(item);
      return item;
    }
    const tops = roots.map((root) => place(root, 0));
    const width = Math.max(nextX - GAP_X, BOX_W);
    const height = Math.max(...placed.map((p) => p.y), 0) + BOX_H;
    return { tops, placed, width, height };
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
      drawLinks(group, kid);
    });
  }

  function drawNode(group, item, ctx) {
    const { node } = item;
    const active = node.is_active;
    const isCollapsed = ctx.collapsed.has(node.id);
    const g = el("g", {
      transform: `translate(${item.x},${item.y})`,
      "data-node-id": node.id,
      "data-collapsed": isCollapsed ? "true" : "false",
      "data-active": active ? "true" : "false",
      class: "org-chart-node",
    }, group);
    if (node.children.length) {
      g.setAttribute("role", "button");
      g.setAttribute("tabindex", "0");
      g.setAttribute("aria-expanded", isCollapsed ? "false" : "true");
      g.style.cursor = "pointer";
      const toggle = () => ctx.toggle(node.id);
      g.addEventListener("click", toggle);
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggle();
        }
      });
      el("title", {}, g).textContent = `${node.name} — ${ctx.labels.toggle}`;
    }
    el("rect", {
      width: BOX_W,
      height: BOX_H,
      rx: 8,
      fill: active ? COLORS.box : COLORS.inactiveBox,
      stroke: active ? COLORS.line : COLORS.inactiveBorder,
      "stroke-width": 1,
      "stroke-dasharray": active ? "none" : "4 3",
    }, g);
    el("rect", {
      width: 4, height: BOX_H - 16, x: 0, y: 8, rx: 2,
      fill: active ? COLORS.border : COLORS.inactiveBorder,
    }, g);
    const main = active ? COLORS.text : COLORS.inactiveText;
    const muted = active ? COLORS.muted : COLORS.inactiveText;
    const name = text(g, 14, 24, node.name, { "font-size": 13, "font-weight": 600, fill: main });
    fit(name, BOX_W - 28 - 52);
    const codeWidth = 8 + node.code.length * 7.5;
    el("rect", {
      x: BOX_W - 10 - codeWidth, y: 11, width: codeWidth, height: 18, rx: 4,
      fill: active ? COLORS.accent : "#e5e7eb",
    }, g);
    text(g, BOX_W - 10 - codeWidth / 2, 24, node.code, {
      "font-size": 11, "font-weight": 600, fill: active ? "#7e22ce" : muted,
      "text-anchor": "middle", "letter-spacing": "0.5",
    });
    const manager = text(g, 14, 45, node.manager || ctx.labels.noManager, {
      "font-size": 12, fill: muted, "font-style": node.manager ? "normal" : "italic",
    });
    fit(manager, BOX_W - 28);
    const counts = text(g, 14, 68, "", { "font-size": 12, fill: main });
    const strong = el("tspan", { "font-weight": 700 }, counts);
    strong.textContent = String(node.headcount);
    el("tspan", { fill: muted }, counts).textContent =
      ` ${node.headcount === 1 ? ctx.labels.person : ctx.labels.people} · ${node.direct} ${ctx.labels.direct}`;
    if (!active) {
      text(g, BOX_W - 10, 68, ctx.labels.inactive, {
        "font-size": 10, "font-weight": 600, fill: COLORS.inactiveText, "text-anchor": "end",
      });
    }
    if (isCollapsed) {
      badge(g, String(node.children.length), ctx.labels.collapsed);
    }
    if (node.has_more) {
      const link = el("a", {
        href: `?root=${encodeURIComponent(node.id)}&depth=${ctx.depth}`,
        class: "org-chart-more",
        "data-more-for": node.id,
      }, g);
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

  function render(container, data, ctx) {
    container.textContent = "";
    if (!data.length) {
      const p = document.createElement("p");
      p.textContent = ctx.labels.empty;
      p.style.padding = "1rem";
      container.appendChild(p);
      return null;
    }
    const { tops, width, height } = layout(data, ctx.collapsed);
    const fullW = width + 2 * MARGIN;
    const fullH = height + 2 * MARGIN + 12;
    const svg = el("svg", {
      xmlns: SVG_NS,
      width: fullW,
      height: fullH,
      viewBox: `0 0 ${fullW} ${fullH}`,
      "font-family": FONT,
      "data-testid": "org-chart-svg",
    }, container);
    svg.style.display = "block";
    svg.style.margin = "0 auto";
    el("rect", { width: fullW, height: fullH, fill: COLORS.background }, svg);
    const world = el("g", { transform: `translate(${MARGIN},${MARGIN})` }, svg);
    const links = el("g", {}, world);
    const nodes = el("g", {}, world);
    tops.forEach((top) => {
      drawLinks(links, top);
      drawNode(nodes, top, ctx);
    });
    return svg;
  }

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

  function init() {
    const container = document.getElementById("org-chart");
    const dataNode = document.getElementById("org-chart-data");
    if (!container || !dataNode) return;
    const data = JSON.parse(dataNode.textContent);
    const labels = JSON.parse(document.getElementById("org-chart-labels").textContent);
    const filename = container.dataset.filename || "org-chart";
    let svg = null;
    const ctx = {
      labels,
      depth: container.dataset.depth || "3",
      collapsed: new Set(),
      toggle(id) {
        if (ctx.collapsed.has(id)) ctx.collapsed.delete(id);
        else ctx.collapsed.add(id);
        svg = render(container, data, ctx);
      },
    };
    svg = render(container, data, ctx);
    document.querySelectorAll("[data-chart-export]").forEach((button) => {
      button.disabled = !svg;
      button.addEventListener("click", () => {
        if (!svg) return;
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
