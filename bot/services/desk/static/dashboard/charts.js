// Charts drawn with Chart.js (web/node_modules/chart.js, served by the console as
// /static/vendor/chart.umd.min.js: no CDN). Each chart is redrawn in place when the figures change.

const COLOURS = {
  contained: "#1e7d45",
  handed: "#1f5fbf",
  abandoned: "#c62828",
  callbacks: "#b26a00",
  grey: "#8a96a3",
};
const PALETTE = ["#1f5fbf", "#d97706", "#c62828", "#7c3aed", "#0f766e", "#8a96a3"];
const charts = new Map();

function draw(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas || typeof window.Chart === "undefined") return;
  const existing = charts.get(id);
  if (existing) existing.destroy();
  config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...config.options };
  charts.set(id, new window.Chart(canvas, config));
}

const stackedAxes = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };

// Conversations split into contained and handed off, with abandoned and callbacks beside.
export function volumeChart(id, labels, rows) {
  draw(id, {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: "机器人独立解决", data: rows.map((r) => r.contained), backgroundColor: COLOURS.contained, stack: "c" },
        {
          label: "转人工",
          data: rows.map((r) => r.conversations - r.contained),
          backgroundColor: COLOURS.handed,
          stack: "c",
        },
        { label: "排队放弃", data: rows.map((r) => r.abandoned), backgroundColor: COLOURS.abandoned, stack: "a" },
        { label: "回电登记", data: rows.map((r) => r.callbacks), backgroundColor: COLOURS.callbacks, stack: "b" },
      ],
    },
    options: { scales: stackedAxes },
  });
}

export function reasonsChart(id, labels, counts) {
  draw(id, {
    type: "doughnut",
    data: { labels, datasets: [{ data: counts, backgroundColor: PALETTE }] },
    options: { plugins: { legend: { position: "right" } } },
  });
}

export function scoresChart(id, scores) {
  draw(id, {
    type: "bar",
    data: {
      labels: ["1分", "2分", "3分", "4分", "5分"],
      datasets: [
        {
          label: "评价数",
          data: ["1", "2", "3", "4", "5"].map((s) => scores[s]),
          backgroundColor: ["#c62828", "#e76f51", "#8a96a3", "#52a36b", "#1e7d45"],
        },
      ],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

export function intentsChart(id, labels, counts) {
  draw(id, {
    type: "bar",
    data: { labels, datasets: [{ label: "消息数", data: counts, backgroundColor: COLOURS.handed }] },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
