/* The HR dashboard (templates/admin/org/dashboard.html): clickable chart bars, salaries in
 * the chart tooltips and axis as they read elsewhere, and the period form's dates.
 *
 * unfold draws the charts on "load" (its app.js registers first); this runs after it and
 * reaches each chart through Chart.getChart. The figures come formatted from the server
 * (apps/org/dashboard.py): data.links per bar, dataset.formatted per value, data.moneyPrefix.
 */
(function () {
  "use strict";

  function enhanceChart(canvas) {
    if (typeof Chart === "undefined") {
      return;
    }
    const chart = Chart.getChart(canvas);
    if (!chart) {
      return;
    }
    const data = chart.data;
    // The options as given (JSON from the server); chart.update() resolves them again.
    const options = chart.config.options;
    // Chart.js cannot derive a hover colour from unfold's oklch() palette (it draws
    // black): hovering keeps the bar's own colour.
    data.datasets.forEach(function (dataset) {
      if (dataset.backgroundColor && !dataset.hoverBackgroundColor) {
        dataset.hoverBackgroundColor = dataset.backgroundColor;
      }
    });
    if (Array.isArray(data.links) && data.links.length) {
      options.onClick = function (event, elements) {
        if (elements.length && data.links[elements[0].index]) {
          window.location.href = data.links[elements[0].index];
        }
      };
      options.onHover = function (event, elements) {
        canvas.style.cursor = elements.length ? "pointer" : "default";
      };
    }
    if (typeof data.moneyPrefix === "string") {
      const lang = document.documentElement.lang || undefined;
      const grouped = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
      options.plugins = options.plugins || {};
      options.plugins.tooltip = Object.assign({}, options.plugins.tooltip, {
        callbacks: {
          label: function (context) {
            const formatted = context.dataset.formatted || [];
            return context.dataset.label + ": " + formatted[context.dataIndex];
          },
        },
      });
      options.scales = options.scales || {};
      options.scales.y = options.scales.y || {};
      options.scales.y.ticks = Object.assign({}, options.scales.y.ticks, {
        callback: function (value) {
          return data.moneyPrefix + grouped.format(value);
        },
      });
    }
    chart.update();
  }

  function periodForm() {
    const form = document.getElementById("dashboard-filter");
    if (!form) {
      return;
    }
    const period = form.querySelector("select[name=period]");
    const dates = form.querySelectorAll("input[name=start], input[name=end]");
    if (!period) {
      return;
    }
    // Picking a named period drops the custom dates; typing a date makes it custom.
    period.addEventListener("change", function () {
      if (period.value !== "custom") {
        dates.forEach(function (input) {
          input.value = "";
        });
      }
    });
    dates.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.value) {
          period.value = "custom";
        }
      });
    });
  }

  window.addEventListener("load", function () {
    document.querySelectorAll("#hr-dashboard canvas.chart").forEach(enhanceChart);
    periodForm();
  });
})();
