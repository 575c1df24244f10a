// The supervisors' view of every open case (queued and taken, with who holds it), and moving a
// case to another agent (转派): POST /api/cases/{id}/assign.
import { ApiError, api } from "./api.js";
import { el } from "./dom.js";
import { formatElapsed, statusLabel } from "./format.js";
import { dom, reportError, showNotice, state } from "./state.js";

let loading = false;

export async function loadOpenCases() {
  if (loading || !(state.me && state.me.role === "supervisor")) return;
  loading = true;
  try {
    const [open, roster] = await Promise.all([api("/api/supervisor/cases"), api("/api/agents")]);
    renderOpenCases((open && open.cases) || [], (roster && roster.agents) || []);
  } catch (err) {
    // kept as it was; the next snapshot reloads it
  } finally {
    loading = false;
  }
}

function renderOpenCases(cases, agents) {
  dom.allCasesCount.textContent = String(cases.length);
  const items = cases.map((c) => {
    const choices = agents
      .filter((agent) => agent.id !== c.agent_id)
      .map((agent) =>
        el("option", {
          text: `${agent.name}（${agent.online ? "在线" : "未登录"} ${agent.load}/${agent.max_cases}）`,
          attrs: { value: String(agent.id) },
        }),
      );
    return el("li", { className: "case-item all-case", dataset: { caseId: String(c.id) } }, [
      el("div", { className: "case-line" }, [
        el("span", { className: `status-tag status-${c.status}`, text: statusLabel(c.status) }),
        el("span", { className: "case-reason", text: `#${c.id} ${c.reason_text || c.reason}` }),
      ]),
      el("div", { className: "case-meta" }, [
        el("span", { text: c.agent_name ? `坐席 ${c.agent_name}` : "无人接入" }),
        el("span", { text: `进线 ${formatElapsed(c.created_at)}` }),
      ]),
      choices.length
        ? el("div", { className: "assign-row" }, [
            el("select", { className: "assign-agent", attrs: { "aria-label": `会话 #${c.id} 转给` } }, choices),
            el("button", {
              className: "button button-small assign-button",
              text: c.status === "queued" ? "分配" : "转派",
              attrs: { type: "button" },
              dataset: { caseId: String(c.id) },
            }),
          ])
        : null,
    ]);
  });
  dom.allCases.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "暂无进行中的会话" })]));
}

export async function onAllCasesClick(event) {
  const button = event.target.closest(".assign-button");
  if (!button) return;
  const select = button.closest(".all-case").querySelector(".assign-agent");
  const agentId = Number(select.value);
  const name = select.selectedOptions[0] ? select.selectedOptions[0].textContent.split("（")[0] : "";
  button.disabled = true;
  try {
    await api(`/api/cases/${encodeURIComponent(button.dataset.caseId)}/assign`, { method: "POST", body: { agent_id: agentId } });
    showNotice(`会话 #${button.dataset.caseId} 已转给 ${name}`, "info");
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) showNotice("会话已变化（已结束或已是该坐席的），请看最新列表", "error");
    else reportError(err, "转派失败");
  }
  loadOpenCases();
}
