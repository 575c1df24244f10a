// Drawing the queue, the agent's cases and the open case from the state.
import { updateTitle } from "./alerts.js";
import { hideCloseForm } from "./cases.js";
import { el } from "./dom.js";
import {
  CONNECTION_LABELS,
  DEFAULT_SLA,
  REPLY_MAX,
  ROLE_LABELS,
  channelLabel,
  elapsedSeconds,
  formatClock,
  formatConfidence,
  formatElapsed,
  formatSlotValue,
  isFilled,
  phoneLabel,
  priorityBadge,
  sameId,
  slaLevel,
  statusLabel,
  waitingSince,
} from "./format.js";
import { dom, isEditable, state } from "./state.js";

const TICKETS_SLOT = "opened_tickets";
const intentLabel = (name) => (name && state.labels.intents[name]) || name || "—";
const slotLabel = (name) => state.labels.slots[name] || name;

// Outside service hours, or with no agent online, customers asking for a person are offered a
// callback instead of the queue: the console says so rather than look like any other quiet hour.
export function renderDesk(desk) {
  if (!desk || desk.open !== false) {
    dom.serviceBanner.hidden = true;
    return;
  }
  const hours = desk.service_hours || "";
  dom.serviceBanner.textContent =
    desk.why === "closed"
      ? `当前为非服务时间（服务时间 ${hours}），转人工的客户不会进入排队，正被引导登记回电。`
      : "当前没有在线坐席，转人工的客户不会进入排队，正被引导登记回电。";
  dom.serviceBanner.className = `service-banner service-banner-${desk.why || "closed"}`;
  dom.serviceBanner.hidden = false;
}

export function renderConnection(status) {
  dom.connection.textContent = CONNECTION_LABELS[status] || status;
  dom.connection.className = `connection connection-${status}`;
}

// A timer: "等待 3 分钟" counting from `since`, amber then red past the desk's thresholds for `sla`
// (queue: the wait for an agent; reply: a customer's message waiting for an answer).
export function waitSpan(prefix, since, sla = "") {
  const span = el("span", {
    className: "wait",
    text: `${prefix}${formatElapsed(since)}`,
    dataset: { since: since || "", prefix, sla },
  });
  markSla(span);
  return span;
}

export function renderQueue() {
  dom.queueCount.textContent = String(state.queued.length);
  const items = state.queued.map((summary) => {
    const id = String(summary.id);
    const taking = state.taking.has(id);
    return el("li", { className: "case-item", dataset: { caseId: id } }, [
      el("div", { className: "case-line" }, [
        priorityBadge(summary.priority),
        el("span", { className: "case-reason", text: summary.reason_text || summary.reason || "转人工" }),
      ]),
      el("div", { className: "case-meta" }, [
        el("span", { text: phoneLabel(summary) }),
        el("span", { text: channelLabel(summary.channel) }),
        waitSpan("等待 ", summary.created_at, "queue"),
      ]),
      summary.last_message ? el("div", { className: "case-last", text: summary.last_message }) : null,
      el("button", {
        className: "button button-primary button-small take-button",
        text: taking ? "接入中…" : "接入",
        attrs: Object.assign({ type: "button" }, taking ? { disabled: "" } : {}),
        dataset: { caseId: id },
      }),
    ]);
  });
  dom.queue.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "暂无排队会话" })]));
}

export function renderMine() {
  dom.mineCount.textContent = String(state.mine.length);
  const items = state.mine.map((summary) => {
    const id = String(summary.id);
    const active = sameId(id, state.openCaseId);
    const unread = state.unread.has(id);
    const classes = ["case-open"];
    if (active) classes.push("is-active");
    if (unread) classes.push("is-unread");
    return el("li", {}, [
      el("button", {
        className: classes.join(" "),
        attrs: Object.assign({ type: "button" }, active ? { "aria-current": "true" } : {}),
        dataset: { caseId: id },
      }, [
        el("span", { className: "case-line" }, [
          priorityBadge(summary.priority),
          el("span", { className: "case-reason", text: summary.reason_text || summary.reason || "转人工" }),
          unread ? el("span", { className: "unread-dot", text: "新消息" }) : null,
        ]),
        el("span", { className: "case-meta" }, [
          el("span", { text: phoneLabel(summary) }),
          el("span", { text: channelLabel(summary.channel) }),
          waitSpan("已接入 ", summary.taken_at || summary.created_at),
          waitingSince(summary) ? waitSpan("客户待回复 ", waitingSince(summary), "reply") : null,
        ]),
        summary.last_message ? el("span", { className: "case-last", text: summary.last_message }) : null,
      ]),
    ]);
  });
  dom.mine.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "暂无进行中的会话" })]));
  if (dom.history) renderHistory();
  updateTitle();
}

// The agent's ended cases, latest first: they open read-only.
export function renderHistory() {
  const items = state.history.map((summary) => {
    const id = String(summary.id);
    const active = sameId(id, state.openCaseId);
    return el("li", {}, [
      el("button", {
        className: active ? "case-open is-active" : "case-open",
        attrs: { type: "button" },
        dataset: { caseId: id },
      }, [
        el("span", { className: "case-line" }, [
          el("span", { className: `status-tag status-${summary.status}`, text: statusLabel(summary.status) }),
          el("span", { className: "case-reason", text: summary.reason_text || summary.reason || "转人工" }),
        ]),
        el("span", { className: "case-meta" }, [
          el("span", { text: phoneLabel(summary) }),
          el("span", { text: channelLabel(summary.channel) }),
          el("span", { text: `结束于 ${formatClock(summary.ended_at) || "—"}` }),
        ]),
        summary.note ? el("span", { className: "case-last", text: `备注：${summary.note}` }) : null,
      ]),
    ]);
  });
  dom.history.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "暂无已结束的会话" })]));
}

export function refreshWaitTimes() {
  for (const span of document.querySelectorAll(".wait[data-since]")) {
    span.textContent = `${span.dataset.prefix || ""}${formatElapsed(span.dataset.since)}`;
    markSla(span);
  }
}

function markSla(span) {
  if (!span.dataset.sla) return;
  const thresholds = (state.sla || DEFAULT_SLA)[span.dataset.sla];
  const level = slaLevel(elapsedSeconds(span.dataset.since), thresholds);
  span.classList.toggle("sla-amber", level === "amber");
  span.classList.toggle("sla-red", level === "red");
  span.dataset.level = level;
}

export function renderCaseHeader() {
  const c = state.openCase;
  if (!state.openCaseId) {
    dom.caseTitle.textContent = "未打开会话";
    dom.caseStatus.hidden = true;
    return;
  }
  if (!c) {
    dom.caseTitle.textContent = `会话 #${state.openCaseId} 加载中…`;
    dom.caseStatus.hidden = true;
    return;
  }
  dom.caseTitle.textContent = `会话 #${c.id} · ${c.reason_text || c.reason || "转人工"}`;
  dom.caseStatus.textContent = statusLabel(c.status);
  dom.caseStatus.className = `status-tag status-${c.status}`;
  dom.caseStatus.hidden = !c.status;
}

export function kvRow(label, value) {
  const dd = el("dd");
  dd.append(value instanceof Node ? value : String(value));
  return [el("dt", { text: label }), dd];
}

export function renderContext() {
  const c = state.openCase;
  if (!c) {
    dom.context.replaceChildren(
      el("h3", { className: "context-title", text: "客户信息" }),
      el("p", { className: "muted", text: state.openCaseId ? "加载中…" : "请从左侧接入或选择一个会话" })
    );
    return;
  }

  const verifiedTag = el("span", {
    className: `tag ${c.verified ? "tag-ok" : "tag-warn"}`,
    text: c.verified ? "已验证" : "未验证",
  });
  const created = formatClock(c.created_at);
  const info = el("dl", { className: "kv" }, [
    ...kvRow("身份", verifiedTag),
    ...kvRow("手机号", c.masked_phone || "—"),
    ...kvRow("转人工原因", c.reason_text || c.reason || "—"),
    ...kvRow("优先级", priorityBadge(c.priority)),
    ...kvRow("渠道", channelLabel(c.channel)),
    ...kvRow("进线时间", created || "—"),
    ...kvRow("客户标识", c.sender_id || "—"),
  ]);

  const context = c.context || {};
  const slots = Object.entries(context.slots || {}).filter(
    ([name, value]) => name !== TICKETS_SLOT && isFilled(value)
  );
  const slotBlock = slots.length
    ? el("dl", { className: "kv kv-slots" }, slots.flatMap(([name, value]) => kvRow(slotLabel(name), formatSlotValue(value))))
    : el("p", { className: "muted", text: "暂无" });

  const tickets = Array.isArray((context.slots || {})[TICKETS_SLOT]) ? context.slots[TICKETS_SLOT] : [];
  const ticketBlock = tickets.length
    ? el("ul", { className: "tickets" }, tickets.map((ticket) => el("li", { text: String(ticket) })))
    : el("p", { className: "muted", text: "本次会话未开工单" });

  const earlier = Array.isArray(c.earlier) ? c.earlier : [];
  const earlierBlock = earlier.length
    ? el("ul", { className: "earlier" }, earlier.map((item) =>
        el("li", {}, [
          el("span", { text: `#${item.id} ${formatClock(item.created_at)} · ${item.reason_text || item.reason}` }),
          el("span", { className: "muted", text: ` · ${statusLabel(item.status)}${item.agent_name ? ` · ${item.agent_name}` : ""}` }),
          item.note ? el("div", { className: "muted", text: `备注：${item.note}` }) : null,
        ])
      ))
    : el("p", { className: "muted", text: "无" });

  const customerTickets = Array.isArray(c.customer_tickets) ? c.customer_tickets : null;
  const customerTicketsBlock = customerTickets === null
    ? el("p", { className: "muted", text: c.verified ? "业务系统暂时无法查询" : "客户未验证身份，无法按号码查询" })
    : customerTickets.length
      ? el("ul", { className: "tickets" }, customerTickets.map((t) =>
          el("li", { text: `${t.id}（${t.kind}·${t.category}）${t.status} · ${formatClock(t.created_at)}` })
        ))
      : el("p", { className: "muted", text: "该号码没有工单" });

  const intents = Array.isArray(context.intents) ? context.intents : [];
  const intentBlock = intents.length
    ? el("ol", { className: "intents" }, intents.map((item) =>
        el("li", {}, [
          el("div", { className: "intent-head" }, [
            el("span", { className: "intent-name", text: intentLabel(item.intent), attrs: item.intent ? { title: item.intent } : {} }),
            el("span", { className: "intent-confidence", text: formatConfidence(item.confidence) }),
          ]),
          item.text ? el("div", { className: "intent-text", text: item.text }) : null,
        ])
      ))
    : el("p", { className: "muted", text: "暂无" });

  const notes = Array.isArray(c.notes) ? c.notes : [];
  const notesBlock = el("div", { className: "notes" }, [
    notes.length
      ? el("ul", { className: "notes-list" }, notes.map((note) =>
          el("li", {}, [
            el("span", { className: "muted", text: `${note.agent_name} · ${formatClock(note.at)}` }),
            el("div", { text: note.text }),
          ])
        ))
      : el("p", { className: "muted", text: "暂无备注" }),
    el("form", { className: "note-form", attrs: { id: "note-form" } }, [
      el("textarea", {
        attrs: { id: "note-text", rows: "2", maxlength: "1000", placeholder: "内部备注，客户看不到", "aria-label": "内部备注" },
      }),
      el("button", { className: "button button-small", text: "添加备注", attrs: { type: "submit", id: "note-add" } }),
    ]),
  ]);

  dom.context.replaceChildren(
    el("h3", { className: "context-title", text: "客户信息" }),
    info,
    el("h3", { className: "context-title", text: "内部备注（客户不可见）" }),
    notesBlock,
    el("h3", { className: "context-title", text: "本次会话工单" }),
    ticketBlock,
    el("h3", { className: "context-title", text: "已收集信息" }),
    slotBlock,
    el("h3", { className: "context-title", text: "最近意图" }),
    intentBlock,
    el("h3", { className: "context-title", text: "此前会话" }),
    earlierBlock,
    el("h3", { className: "context-title", text: "该号码的工单" }),
    customerTicketsBlock
  );
}

export function messageNode(message) {
  const role = ROLE_LABELS[message.role] ? message.role : "system";
  const time = el("time", { className: "message-time", text: formatClock(message.at) });
  if (message.at) time.setAttribute("datetime", message.at);

  if (role === "system") {
    return el("div", { className: "message message-system" }, [
      el("span", { className: "message-bubble", text: message.text || "" }),
      time,
    ]);
  }
  let label = ROLE_LABELS[role];
  if (role === "agent" && message.agent_name) label = `${label} · ${message.agent_name}`;
  return el("div", { className: `message message-${role}` }, [
    el("div", { className: "message-meta" }, [el("span", { className: "message-role", text: label }), time]),
    el("div", { className: "message-bubble", text: message.text || "" }),
  ]);
}

export function transcriptPlaceholder(text) {
  return el("p", { className: "transcript-empty", text });
}

export function scrollTranscriptToBottom() {
  dom.transcript.scrollTop = dom.transcript.scrollHeight;
}

// Appends one message to the open case unless it is already shown.
export function appendMessage(message, { forceScroll = false } = {}) {
  if (!message) return;
  if (message.id !== undefined && message.id !== null) {
    const key = String(message.id);
    if (state.seenMessageIds.has(key)) return;
    state.seenMessageIds.add(key);
  }
  const t = dom.transcript;
  const nearBottom = t.scrollHeight - t.scrollTop - t.clientHeight < 80;
  const placeholder = t.querySelector(".transcript-empty");
  if (placeholder) placeholder.remove();
  t.append(messageNode(message));
  if (forceScroll || nearBottom || message.role === "agent") scrollTranscriptToBottom();
}

export function renderTranscript(messages) {
  state.seenMessageIds.clear();
  dom.transcript.replaceChildren();
  if (!state.openCaseId) {
    dom.transcript.append(transcriptPlaceholder("暂无打开的会话"));
    return;
  }
  if (!state.openCase) {
    dom.transcript.append(transcriptPlaceholder("正在加载会话记录…"));
    return;
  }
  if (!messages.length) dom.transcript.append(transcriptPlaceholder("暂无消息"));
  for (const message of messages) appendMessage(message);
  scrollTranscriptToBottom();
}

export function renderSuggestion() {
  const suggestion = state.openCase && state.openCase.suggestion;
  const hasText = Boolean(suggestion && suggestion.text);
  dom.suggestion.classList.toggle("is-empty", !hasText);
  dom.suggestionLabel.textContent = hasText ? suggestion.label || "" : "";
  dom.suggestionText.textContent = hasText ? suggestion.text : "暂无建议回复";
  dom.insertSuggestion.disabled = !hasText || !isEditable();
}

export function updateReplyCount() {
  const length = dom.replyText.value.length;
  dom.replyCount.textContent = `${length}/${REPLY_MAX}`;
  dom.replyCount.classList.toggle("is-over", length > REPLY_MAX);
}

export function renderControls() {
  const editable = isEditable();
  dom.replyText.disabled = !editable;
  dom.sendButton.disabled = !editable || state.sending;
  dom.sendButton.textContent = state.sending ? "发送中…" : "发送";
  dom.handbackButton.disabled = !editable || state.acting;
  dom.cannedButton.disabled = !editable;
  dom.closeButton.disabled = !editable || state.acting;
  dom.closeConfirm.disabled = !editable || state.acting;
  dom.insertSuggestion.disabled =
    !editable || !(state.openCase && state.openCase.suggestion && state.openCase.suggestion.text);
  if (!editable) hideCloseForm();
  dom.caseView.classList.toggle("is-empty", !state.openCaseId);
}

export function renderCase(messages = []) {
  renderCaseHeader();
  renderContext();
  renderTranscript(messages);
  renderSuggestion();
  renderControls();
}
