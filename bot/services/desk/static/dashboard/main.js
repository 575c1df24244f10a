// The supervisors' dashboard (<body data-page="dashboard">): GET /api/reports?days=N, drawn as
// key figures, charts (charts.js) and tables (tables.js), with CSV links per table. The figures
// are defined in docs/dashboard.md. Text reaches the DOM as text nodes only (console/dom.js).
import { api } from "../console/api.js";
import { el } from "../console/dom.js";
import { intentsChart, reasonsChart, scoresChart, volumeChart } from "./charts.js";
import { average, dayLabel, duration, hourLabel, percent } from "./format.js";
import { fill, table } from "./tables.js";

const REFRESH_MS = 60_000;
const TOP_INTENTS = 12;
const MISSING = { tracker: "会话记录库", backend: "业务系统（满意度、回电登记）" };
const byId = (id) => document.getElementById(id);

function kpi(label, value, detail, name) {
  return el("div", { className: "kpi", dataset: { kpi: name } }, [
    el("div", { className: "kpi-label", text: label }),
    el("div", { className: "kpi-value", text: value }),
    detail ? el("div", { className: "kpi-detail", text: detail }) : null,
  ]);
}

function renderKpis(figures) {
  const t = figures.totals;
  const u = figures.understanding;
  const s = figures.satisfaction.overall;
  const q = figures.queue_wait;
  const f = figures.first_response;
  byId("kpis").replaceChildren(
    kpi("会话数", String(t.conversations), null, "conversations"),
    kpi("机器人独立解决", String(t.contained), percent(t.contained, t.conversations), "contained"),
    kpi("转人工", String(t.handed_off), null, "handed_off"),
    kpi("排队放弃", String(t.abandoned), percent(t.abandoned, t.handed_off), "abandoned"),
    kpi("回电登记", String(t.callbacks), null, "callbacks"),
    kpi("排队等待 P50 / P95", `${duration(q.p50_s)} / ${duration(q.p95_s)}`, `${q.count} 个会话`, "queue_wait"),
    kpi("首次响应 P50 / P95", `${duration(f.p50_s)} / ${duration(f.p95_s)}`, `${f.count} 个会话`, "first_response"),
    kpi("满意度均分", average(s.average), `${s.count} 条评价`, "csat"),
    kpi("未识别率", u.fallback_rate === null ? "—" : percent(u.fallbacks, u.messages), `${u.messages} 条消息`, "fallback"),
  );
}

function volumeColumns(first) {
  return [
    first,
    { title: "会话", value: (r) => r.conversations },
    { title: "独立解决", value: (r) => r.contained },
    { title: "解决率", value: (r) => percent(r.contained, r.conversations) },
    { title: "转人工", value: (r) => r.handed_off },
    { title: "排队放弃", value: (r) => r.abandoned },
    { title: "回电", value: (r) => r.callbacks },
  ];
}

function renderVolume(figures) {
  const daily = figures.daily;
  volumeChart("daily-chart", daily.map((r) => dayLabel(r.date)), daily);
  fill(byId("daily-table"), table(volumeColumns({ title: "日期", value: (r) => r.date }), daily));
  // Today's hours up to the last one with anything in it (the rest of the day is still empty).
  const busy = figures.hourly.filter((r) => r.conversations || r.handed_off || r.callbacks);
  const last = busy.length ? Math.max(...busy.map((r) => r.hour)) : -1;
  const hours = figures.hourly.filter((r) => r.hour <= Math.max(last, 8));
  volumeChart("hourly-chart", hours.map((r) => hourLabel(r.hour)), hours);
  fill(byId("hourly-table"), table(volumeColumns({ title: "时段", value: (r) => hourLabel(r.hour) }), busy));
}

function renderReasons(figures) {
  const rows = figures.reasons.map((reason) => ({ ...reason, count: figures.totals.by_reason[reason.group] }));
  reasonsChart("reasons-chart", rows.map((r) => r.label), rows.map((r) => r.count));
  fill(
    byId("reasons-table"),
    table(
      [
        { title: "原因", value: (r) => r.label },
        { title: "转人工", value: (r) => r.count },
        { title: "占比", value: (r) => percent(r.count, figures.totals.handed_off) },
      ],
      rows,
    ),
  );
}

function scoreColumns(first) {
  return [
    first,
    { title: "评价数", value: (r) => r.count },
    { title: "均分", value: (r) => average(r.average) },
    ...["1", "2", "3", "4", "5"].map((s) => ({ title: `${s}分`, value: (r) => r.scores[s] })),
  ];
}

function renderSatisfaction(figures) {
  const s = figures.satisfaction;
  scoresChart("csat-chart", s.overall.scores);
  fill(byId("csat-tasks-table"), table(scoreColumns({ title: "业务", value: (r) => r.label || r.task }), s.by_task));
  fill(byId("csat-agents-table"), table(scoreColumns({ title: "坐席", value: (r) => r.agent_name }), s.by_agent));
}

function renderUnderstanding(figures) {
  const u = figures.understanding;
  const top = u.intents.slice(0, TOP_INTENTS);
  intentsChart("intents-chart", top.map((r) => r.label), top.map((r) => r.count));
  fill(
    byId("intents-table"),
    table(
      [
        { title: "意图", value: (r) => r.label },
        { title: "消息数", value: (r) => r.count },
        { title: "占比", value: (r) => percent(r.count, u.messages) },
      ],
      u.intents,
    ),
  );
  fill(
    byId("unrecognised-table"),
    table(
      [
        { title: "客户消息（已脱敏）", value: (r) => r.text },
        { title: "次数", value: (r) => r.count },
      ],
      u.unrecognised,
      { empty: "本周期没有未识别的消息" },
    ),
  );
  const since = figures.period.since.slice(0, 10);
  const until = figures.period.until.slice(0, 10);
  byId("review-hint").replaceChildren(
    "训练师可导出本周期需复核的消息（含低置信度与误判）进行标注：",
    el("code", { text: `python -m bot review --since ${since} --until ${until}` }),
    "（见 docs/trainers.md）",
  );
}

function renderMissing(figures) {
  const names = figures.missing.map((source) => MISSING[source] || source);
  const banner = byId("missing");
  banner.hidden = !names.length;
  banner.textContent = names.length ? `以下数据源暂时无法读取，相关指标为空：${names.join("、")}` : "";
}

function setCsvLinks(days) {
  for (const link of document.querySelectorAll(".csv-link")) {
    link.href = `/api/reports/${link.dataset.table}.csv?days=${days}`;
  }
}

async function load() {
  const days = byId("period").value;
  setCsvLinks(days);
  let figures;
  try {
    figures = await api(`/api/reports?days=${days}`);
  } catch (err) {
    if (err.redirecting) return;
    const notice = byId("notice");
    notice.hidden = false;
    notice.className = "notice notice-error";
    notice.textContent = err.status === 403 ? "数据看板仅限主管查看。" : "数据加载失败，请稍后刷新。";
    return;
  }
  byId("notice").hidden = true;
  renderMissing(figures);
  renderKpis(figures);
  renderVolume(figures);
  renderReasons(figures);
  renderSatisfaction(figures);
  renderUnderstanding(figures);
  byId("updated").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
  document.body.dataset.loaded = days;
}

function init() {
  byId("period").addEventListener("change", load);
  byId("refresh").addEventListener("click", load);
  load();
  setInterval(load, REFRESH_MS);
}

// Chart.js is a classic deferred script: it has run before this module (modules are deferred too,
// and run in document order).
init();
