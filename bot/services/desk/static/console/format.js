// Labels and formatting of times, phones, priorities and slot values (pure: no DOM state).
import { el } from "./dom.js";

export const REPLY_MAX = 1000;
export const PING_INTERVAL_MS = 20000;
export const WAIT_REFRESH_MS = 5000; // the SLA timers tick
export const DESK_REFRESH_MS = 60000;
export const RECONNECT_MIN_MS = 1000;
export const RECONNECT_MAX_MS = 15000;
export const NOTICE_MS = 5000;
// The SLA timers' thresholds (seconds: amber, red) until the desk gives its own (desk.sla).
export const DEFAULT_SLA = { queue: [120, 240], reply: [60, 180] };

export const PRIORITY_LABELS = { 1: "紧急", 2: "优先", 3: "普通" };
export const CHANNEL_LABELS = { rest: "接口", socketio: "网页", wechat: "微信" };
export const ROLE_LABELS = { customer: "客户", bot: "机器人", agent: "坐席", system: "系统" };
export const STATUS_LABELS = {
  queued: "排队中",
  taken: "处理中",
  handed_back: "已交还机器人",
  closed: "已结束",
  abandoned: "排队超时",
  callback: "排队超时，已转回电",
};
export const CONNECTION_LABELS = { connecting: "连接中…", online: "在线", reconnecting: "重新连接中…" };

export const sameId = (a, b) => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
export const pad2 = (n) => String(n).padStart(2, "0");

export function parseTime(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

// "14:05" today, "3月2日 14:05" otherwise.
export function formatClock(iso) {
  const date = parseTime(iso);
  if (!date) return "";
  const clock = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return date.toDateString() === new Date().toDateString()
    ? clock
    : `${date.getMonth() + 1}月${date.getDate()}日 ${clock}`;
}

export function elapsedSeconds(iso) {
  const date = parseTime(iso);
  if (!date) return null;
  // Clamp: a slightly fast server clock must not give negative waits.
  return Math.max(0, Math.floor((Date.now() - date.getTime()) / 1000));
}

export function elapsedMinutes(iso) {
  const seconds = elapsedSeconds(iso);
  return seconds === null ? null : Math.floor(seconds / 60);
}

// "ok", "amber" or "red" for a timer that has run `seconds`, by [amber, red] thresholds.
export function slaLevel(seconds, thresholds) {
  if (seconds === null || !Array.isArray(thresholds)) return "ok";
  if (seconds >= thresholds[1]) return "red";
  if (seconds >= thresholds[0]) return "amber";
  return "ok";
}

// The customer's latest message when nothing answered it since (the reply timer's start), or null.
export function waitingSince(summary) {
  const asked = parseTime(summary.last_customer_at);
  if (!asked) return null;
  const answered = parseTime(summary.last_answer_at);
  return answered && answered >= asked ? null : summary.last_customer_at;
}

export function formatElapsed(iso) {
  const minutes = elapsedMinutes(iso);
  if (minutes === null) return "—";
  if (minutes < 1) return "不到 1 分钟";
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
}

export const priorityLabel = (p) => PRIORITY_LABELS[p] || "普通";
export const channelLabel = (c) => CHANNEL_LABELS[c] || c || "未知渠道";
export const statusLabel = (s) => STATUS_LABELS[s] || s || "";

export function phoneLabel(summary) {
  if (!summary.masked_phone) return "未验证";
  return summary.verified ? summary.masked_phone : `${summary.masked_phone}（未验证）`;
}

export function priorityBadge(priority) {
  const level = PRIORITY_LABELS[priority] ? priority : 3;
  return el("span", { className: `badge priority-${level}`, text: priorityLabel(priority) });
}

export function formatSlotValue(value) {
  if (typeof value === "boolean") return value ? "是" : "否";
  if (Array.isArray(value)) return value.map(formatSlotValue).join("、");
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export const isFilled = (value) =>
  value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0);

export function formatConfidence(confidence) {
  if (typeof confidence !== "number" || Number.isNaN(confidence)) return "—";
  return `${Math.round(confidence * 100)}%`;
}
