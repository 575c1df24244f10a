// The agent's status (在线 / 忙碌 / 离开) and, for supervisors, how cases reach agents and each agent's load.
import { ApiError, api } from "./api.js";
import { el } from "./dom.js";
import { dom, reportError, showNotice, state } from "./state.js";
import { loadOpenCases } from "./supervision.js";

const STATUS_LABELS = { online: "在线", busy: "忙碌", away: "离开" };

// From each queue snapshot: my status, and the desk's mode (supervisors switch it).
export function renderPresence(me, desk) {
  if (me && me.status && dom.statusSelect.value !== me.status) dom.statusSelect.value = me.status;
  if (desk && desk.assign_mode && dom.assignMode.value !== desk.assign_mode) dom.assignMode.value = desk.assign_mode;
  if (state.me && state.me.role === "supervisor") {
    loadRoster();
    loadOpenCases(); // every queue snapshot: a case was opened, taken, moved or ended
  }
}

export async function changeStatus() {
  const status = dom.statusSelect.value;
  try {
    await api("/api/me/status", { method: "POST", body: { status } });
    showNotice(`状态已切换为“${STATUS_LABELS[status]}”`, "info");
  } catch (err) {
    reportError(err, "切换状态失败");
  }
}

export async function changeAssignMode() {
  try {
    await api("/api/desk", { method: "PUT", body: { assign_mode: dom.assignMode.value } });
    showNotice(dom.assignMode.value === "auto" ? "已切换为自动分配" : "已切换为坐席自行接入", "info");
  } catch (err) {
    reportError(err, "切换分配方式失败");
  }
}

let rosterLoading = false;

export async function loadRoster() {
  if (rosterLoading) return;
  rosterLoading = true;
  try {
    const data = await api("/api/agents");
    renderRoster((data && data.agents) || []);
  } catch (err) {
    // kept as it was; the next snapshot reloads it
  } finally {
    rosterLoading = false;
  }
}

function renderRoster(agents) {
  const items = agents.map((agent) =>
    el("li", { className: "roster-item", dataset: { agentId: String(agent.id) } }, [
      el("span", { className: "roster-name", text: `${agent.name}（${agent.username}）` }),
      el("span", {
        className: `tag ${agent.online && agent.status === "online" ? "tag-ok" : "tag-warn"}`,
        text: agent.online ? STATUS_LABELS[agent.status] || agent.status : "未登录",
      }),
      el("span", { className: "roster-load", text: `${agent.load}/${agent.max_cases}` }),
      el("input", {
        className: "roster-max",
        attrs: { type: "number", min: "1", max: "20", value: String(agent.max_cases), "aria-label": `${agent.name}的最多同时会话数` },
      }),
    ])
  );
  dom.roster.replaceChildren(...items);
}

export async function onRosterChange(event) {
  const input = event.target.closest(".roster-max");
  if (!input) return;
  const id = input.closest(".roster-item").dataset.agentId;
  try {
    await api(`/api/agents/${encodeURIComponent(id)}`, { method: "PUT", body: { max_cases: Number(input.value) } });
    showNotice("已更新最多同时会话数", "info");
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) showNotice("最多同时会话数需为 1 到 20", "error");
    else reportError(err, "更新失败");
  }
  loadRoster();
}
