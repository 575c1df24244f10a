// Agent console for the customer-service handoff.
// One script for both pages: <body data-page="login"> and <body data-page="console">.
// All text inserted into the DOM goes through textContent / text nodes, never innerHTML.
"use strict";

(() => {
  const REPLY_MAX = 1000;
  const PING_INTERVAL_MS = 20000;
  const WAIT_REFRESH_MS = 30000;
  const RECONNECT_MIN_MS = 1000;
  const RECONNECT_MAX_MS = 15000;
  const NOTICE_MS = 5000;
  const LONG_WAIT_MINUTES = 5;

  const PRIORITY_LABELS = { 1: "紧急", 2: "优先", 3: "普通" };
  const CHANNEL_LABELS = { rest: "接口", socketio: "网页", wechat: "微信" };
  const ROLE_LABELS = { customer: "客户", bot: "机器人", agent: "坐席", system: "系统" };
  const STATUS_LABELS = { queued: "排队中", taken: "处理中", handed_back: "已交还机器人", closed: "已结束" };
  const CONNECTION_LABELS = { connecting: "连接中…", online: "在线", reconnecting: "重新连接中…" };

  // ---------------------------------------------------------------------------
  // Shared helpers

  class ApiError extends Error {
    constructor(status, data) {
      super((data && data.message) || `HTTP ${status}`);
      this.status = status;
      this.code = (data && data.error) || null;
      this.data = data;
      this.redirecting = false;
    }
  }

  // JSON request to the same-origin API. On 401 it sends the browser to the
  // login page (unless redirectOn401 is false) and still rejects, with
  // err.redirecting set so callers can stay quiet.
  async function api(path, { method = "GET", body, redirectOn401 = true } = {}) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const raw = await response.text();
    let data = null;
    if (raw) {
      try {
        data = JSON.parse(raw);
      } catch (_) {
        data = null;
      }
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && redirectOn401) {
        error.redirecting = true;
        location.href = "/login";
      }
      throw error;
    }
    return data;
  }

  // Small element builder; children may be nodes or strings (added as text nodes).
  function el(tag, { className, text, attrs, dataset } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (attrs) for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (dataset) Object.assign(node.dataset, dataset);
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const sameId = (a, b) => a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
  const pad2 = (n) => String(n).padStart(2, "0");

  function parseTime(iso) {
    if (!iso) return null;
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  // "14:05" today, "3月2日 14:05" otherwise.
  function formatClock(iso) {
    const date = parseTime(iso);
    if (!date) return "";
    const clock = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
    return date.toDateString() === new Date().toDateString()
      ? clock
      : `${date.getMonth() + 1}月${date.getDate()}日 ${clock}`;
  }

  function elapsedMinutes(iso) {
    const date = parseTime(iso);
    if (!date) return null;
    // Clamp: a slightly fast server clock must not give negative waits.
    return Math.max(0, Math.floor((Date.now() - date.getTime()) / 60000));
  }

  function formatElapsed(iso) {
    const minutes = elapsedMinutes(iso);
    if (minutes === null) return "—";
    if (minutes < 1) return "不到 1 分钟";
    if (minutes < 60) return `${minutes} 分钟`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
  }

  const priorityLabel = (p) => PRIORITY_LABELS[p] || "普通";
  const channelLabel = (c) => CHANNEL_LABELS[c] || c || "未知渠道";
  const statusLabel = (s) => STATUS_LABELS[s] || s || "";

  function phoneLabel(summary) {
    if (!summary.masked_phone) return "未验证";
    return summary.verified ? summary.masked_phone : `${summary.masked_phone}（未验证）`;
  }

  function priorityBadge(priority) {
    const level = PRIORITY_LABELS[priority] ? priority : 3;
    return el("span", { className: `badge priority-${level}`, text: priorityLabel(priority) });
  }

  function formatSlotValue(value) {
    if (typeof value === "boolean") return value ? "是" : "否";
    if (Array.isArray(value)) return value.map(formatSlotValue).join("、");
    if (value && typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  const isFilled = (value) =>
    value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0);

  function formatConfidence(confidence) {
    if (typeof confidence !== "number" || Number.isNaN(confidence)) return "—";
    return `${Math.round(confidence * 100)}%`;
  }

  // ---------------------------------------------------------------------------
  // Login page

  function initLogin() {
    const form = document.getElementById("login-form");
    const username = document.getElementById("username");
    const password = document.getElementById("password");
    const button = document.getElementById("login-button");
    const error = document.getElementById("login-error");

    const showError = (text) => {
      error.textContent = text;
      error.hidden = false;
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      const name = username.value.trim();
      if (!name || !password.value) {
        showError("请输入工号和密码");
        (name ? password : username).focus();
        return;
      }
      button.disabled = true;
      button.textContent = "登录中…";
      try {
        await api("/api/login", {
          method: "POST",
          body: { username: name, password: password.value },
          redirectOn401: false,
        });
        location.href = "/";
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          showError("工号或密码错误");
          password.value = "";
          password.focus();
        } else if (err instanceof ApiError && err.status === 429) {
          // Login throttle (bot/services/desk/login_throttle.py): too many failures for this account or address.
          const minutes = Math.max(1, Math.ceil(((err.data && err.data.retry_after) || 900) / 60));
          showError(`登录失败次数过多，请 ${minutes} 分钟后再试。`);
          password.value = "";
        } else if (err instanceof ApiError && err.status === 403) {
          showError("登录请求来源不被允许，请直接打开坐席工作台的地址后登录。");
        } else {
          showError("登录失败，请稍后再试");
        }
      }
      button.disabled = false;
      button.textContent = "登录";
    });
  }

  // ---------------------------------------------------------------------------
  // Console page: state

  const state = {
    me: null,
    queued: [],
    mine: [],
    unread: new Set(), // case ids (strings) of mine with unseen customer messages
    taking: new Set(), // case ids with a take request in flight
    drafts: new Map(), // case id -> unsent reply text
    openCaseId: null, // string id of the open case
    openCase: null, // detail (without transcript) once loaded; null while loading
    loadToken: 0, // guards against out-of-order case loads
    pendingMessages: [], // socket messages for the open case received while it loads
    pendingSuggestion: undefined,
    seenMessageIds: new Set(),
    sending: false,
    acting: false, // handback / close in flight
    refreshing: false,
    socket: null,
    everConnected: false,
    reconnectDelay: RECONNECT_MIN_MS,
    reconnectTimer: null,
    pingTimer: null,
    leaving: false,
    noticeTimer: null,
  };

  const dom = {};
  const baseTitle = document.title;

  const findMine = (id) => state.mine.find((c) => sameId(c.id, id)) || null;
  const isEditable = () => Boolean(state.openCase && state.openCase.status === "taken");
  const caseUrl = (id, action) =>
    `/api/cases/${encodeURIComponent(String(id))}${action ? `/${action}` : ""}`;

  function showNotice(text, kind = "info") {
    dom.notice.textContent = text;
    dom.notice.className = `notice notice-${kind}`;
    dom.notice.hidden = false;
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => {
      dom.notice.hidden = true;
    }, NOTICE_MS);
  }

  function reportError(err, text) {
    if (err && err.redirecting) return;
    showNotice(text, "error");
  }

  // ---------------------------------------------------------------------------
  // Console page: rendering

  function renderConnection(status) {
    dom.connection.textContent = CONNECTION_LABELS[status] || status;
    dom.connection.className = `connection connection-${status}`;
  }

  function waitSpan(prefix, since) {
    return el("span", {
      className: "wait",
      text: `${prefix}${formatElapsed(since)}`,
      dataset: { since: since || "", prefix },
    });
  }

  function renderQueue() {
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
          waitSpan("等待 ", summary.created_at),
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
    markLongWaits();
  }

  function renderMine() {
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
          ]),
          summary.last_message ? el("span", { className: "case-last", text: summary.last_message }) : null,
        ]),
      ]);
    });
    dom.mine.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "暂无进行中的会话" })]));
    document.title = state.unread.size ? `(${state.unread.size}) ${baseTitle}` : baseTitle;
  }

  function refreshWaitTimes() {
    for (const span of document.querySelectorAll(".wait[data-since]")) {
      span.textContent = `${span.dataset.prefix || ""}${formatElapsed(span.dataset.since)}`;
    }
    markLongWaits();
  }

  function markLongWaits() {
    for (const span of dom.queue.querySelectorAll(".wait[data-since]")) {
      const minutes = elapsedMinutes(span.dataset.since);
      span.classList.toggle("is-long", minutes !== null && minutes >= LONG_WAIT_MINUTES);
    }
  }

  function renderCaseHeader() {
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

  function kvRow(label, value) {
    const dd = el("dd");
    dd.append(value instanceof Node ? value : String(value));
    return [el("dt", { text: label }), dd];
  }

  function renderContext() {
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
    const slots = Object.entries(context.slots || {}).filter(([, value]) => isFilled(value));
    const slotBlock = slots.length
      ? el("dl", { className: "kv kv-slots" }, slots.flatMap(([name, value]) => kvRow(name, formatSlotValue(value))))
      : el("p", { className: "muted", text: "暂无" });

    const intents = Array.isArray(context.intents) ? context.intents : [];
    const intentBlock = intents.length
      ? el("ol", { className: "intents" }, intents.map((item) =>
          el("li", {}, [
            el("div", { className: "intent-head" }, [
              el("span", { className: "intent-name", text: item.intent || "—" }),
              el("span", { className: "intent-confidence", text: formatConfidence(item.confidence) }),
            ]),
            item.text ? el("div", { className: "intent-text", text: item.text }) : null,
          ])
        ))
      : el("p", { className: "muted", text: "暂无" });

    dom.context.replaceChildren(
      el("h3", { className: "context-title", text: "客户信息" }),
      info,
      el("h3", { className: "context-title", text: "已收集信息" }),
      slotBlock,
      el("h3", { className: "context-title", text: "最近意图" }),
      intentBlock
    );
  }

  function messageNode(message) {
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

  function transcriptPlaceholder(text) {
    return el("p", { className: "transcript-empty", text });
  }

  function scrollTranscriptToBottom() {
    dom.transcript.scrollTop = dom.transcript.scrollHeight;
  }

  // Appends one message to the open case unless it is already shown.
  function appendMessage(message, { forceScroll = false } = {}) {
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

  function renderTranscript(messages) {
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

  function renderSuggestion() {
    const suggestion = state.openCase && state.openCase.suggestion;
    const hasText = Boolean(suggestion && suggestion.text);
    dom.suggestion.classList.toggle("is-empty", !hasText);
    dom.suggestionLabel.textContent = hasText ? suggestion.label || "" : "";
    dom.suggestionText.textContent = hasText ? suggestion.text : "暂无建议回复";
    dom.insertSuggestion.disabled = !hasText || !isEditable();
  }

  function updateReplyCount() {
    const length = dom.replyText.value.length;
    dom.replyCount.textContent = `${length}/${REPLY_MAX}`;
    dom.replyCount.classList.toggle("is-over", length > REPLY_MAX);
  }

  function renderControls() {
    const editable = isEditable();
    dom.replyText.disabled = !editable;
    dom.sendButton.disabled = !editable || state.sending;
    dom.sendButton.textContent = state.sending ? "发送中…" : "发送";
    dom.handbackButton.disabled = !editable || state.acting;
    dom.closeButton.disabled = !editable || state.acting;
    dom.closeConfirm.disabled = !editable || state.acting;
    dom.insertSuggestion.disabled =
      !editable || !(state.openCase && state.openCase.suggestion && state.openCase.suggestion.text);
    if (!editable) hideCloseForm();
    dom.caseView.classList.toggle("is-empty", !state.openCaseId);
  }

  function renderCase(messages = []) {
    renderCaseHeader();
    renderContext();
    renderTranscript(messages);
    renderSuggestion();
    renderControls();
  }

  // ---------------------------------------------------------------------------
  // Console page: data and actions

  function applyQueue(data) {
    state.queued = Array.isArray(data && data.queued) ? data.queued : [];
    state.mine = Array.isArray(data && data.mine) ? data.mine : [];
    for (const id of [...state.unread]) {
      if (!findMine(id)) state.unread.delete(id);
    }
    for (const id of [...state.taking]) {
      if (!state.queued.some((c) => sameId(c.id, id))) state.taking.delete(id);
    }
    renderQueue();
    renderMine();
    syncOpenCase();
  }

  async function loadCases() {
    try {
      applyQueue(await api("/api/cases"));
    } catch (err) {
      reportError(err, "加载会话列表失败");
    }
  }

  // Keeps the open case in line with the latest queue snapshot.
  function syncOpenCase() {
    const c = state.openCase;
    if (!c) return;
    const summary = findMine(state.openCaseId);
    if (summary) {
      Object.assign(c, summary);
      renderCaseHeader();
      renderContext();
      renderControls();
    } else if (c.status === "taken") {
      // Gone from "mine": ask the server what happened rather than guess.
      refreshOpenCase();
    }
  }

  async function openCase(id) {
    id = String(id);
    if (sameId(id, state.openCaseId) && state.openCase) {
      state.unread.delete(id);
      renderMine();
      return;
    }
    if (state.openCaseId) state.drafts.set(state.openCaseId, dom.replyText.value);

    const token = ++state.loadToken;
    state.openCaseId = id;
    state.openCase = null;
    state.pendingMessages = [];
    state.pendingSuggestion = undefined;
    state.unread.delete(id);
    dom.replyText.value = state.drafts.get(id) || "";
    dom.closeNote.value = "";
    updateReplyCount();
    renderMine();
    renderCase();

    if (window.matchMedia("(max-width: 800px)").matches) {
      dom.caseView.scrollIntoView({ behavior: "smooth", block: "start" });
    }

    let detail;
    try {
      detail = await api(caseUrl(id));
    } catch (err) {
      if (token !== state.loadToken) return;
      reportError(err, "加载会话失败，请稍后再试");
      state.openCaseId = null;
      renderMine();
      renderCase();
      return;
    }
    if (token !== state.loadToken) return;

    const { transcript = [], ...rest } = detail || {};
    state.openCase = rest;
    if (state.pendingSuggestion !== undefined) state.openCase.suggestion = state.pendingSuggestion;
    const pending = state.pendingMessages;
    state.pendingMessages = [];
    state.pendingSuggestion = undefined;
    renderCase([...(Array.isArray(transcript) ? transcript : []), ...pending]);
    if (isEditable()) dom.replyText.focus();
  }

  function closeCaseView(id) {
    state.drafts.delete(String(id));
    if (!sameId(id, state.openCaseId)) return;
    state.loadToken++;
    state.openCaseId = null;
    state.openCase = null;
    dom.replyText.value = "";
    dom.closeNote.value = "";
    updateReplyCount();
    renderMine();
    renderCase();
  }

  // Re-reads the open case and merges it (status, context, suggestion, missed messages).
  async function refreshOpenCase() {
    const id = state.openCaseId;
    if (!id || !state.openCase || state.refreshing) return;
    state.refreshing = true;
    const wasEditable = isEditable();
    try {
      const detail = await api(caseUrl(id));
      if (!sameId(id, state.openCaseId) || !state.openCase) return;
      const { transcript = [], ...rest } = detail || {};
      Object.assign(state.openCase, rest);
      for (const message of Array.isArray(transcript) ? transcript : []) appendMessage(message);
      renderCaseHeader();
      renderContext();
      renderSuggestion();
      renderControls();
      if (wasEditable && !isEditable()) showNotice("该会话已结束或已不由您处理", "info");
    } catch (err) {
      // Keep the current view; the next queue update or reconnect retries.
    } finally {
      state.refreshing = false;
    }
  }

  async function takeCase(id) {
    id = String(id);
    if (state.taking.has(id)) return;
    state.taking.add(id);
    renderQueue();
    try {
      const summary = await api(caseUrl(id, "take"), { method: "POST" });
      state.taking.delete(id);
      // Move it locally so the UI reacts before the queue broadcast arrives.
      state.queued = state.queued.filter((c) => !sameId(c.id, id));
      if (summary && !findMine(id)) state.mine.unshift(summary);
      renderQueue();
      renderMine();
      openCase(id);
    } catch (err) {
      state.taking.delete(id);
      if (err instanceof ApiError && err.status === 409) {
        showNotice("该会话已被其他坐席接起", "error");
      } else {
        reportError(err, "接入失败，请稍后再试");
      }
      renderQueue();
      loadCases();
    }
  }

  async function sendReply() {
    if (!isEditable() || state.sending) return;
    const text = dom.replyText.value.trim();
    if (!text) {
      dom.replyText.focus();
      return;
    }
    if (text.length > REPLY_MAX) {
      showNotice(`回复不能超过 ${REPLY_MAX} 字`, "error");
      return;
    }
    const id = state.openCaseId;
    state.sending = true;
    renderControls();
    try {
      const data = await api(caseUrl(id, "reply"), { method: "POST", body: { text } });
      state.drafts.delete(id);
      if (sameId(id, state.openCaseId)) {
        if (data && data.message) appendMessage(data.message, { forceScroll: true });
        // Clear only if the agent has not typed something new meanwhile.
        if (dom.replyText.value.trim() === text) dom.replyText.value = "";
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        showNotice(`回复内容不能为空，且不能超过 ${REPLY_MAX} 字`, "error");
      } else {
        reportError(err, "发送失败，请重试");
        if (err instanceof ApiError) refreshOpenCase();
      }
    } finally {
      state.sending = false;
      updateReplyCount();
      renderControls();
      if (isEditable()) dom.replyText.focus();
    }
  }

  function insertSuggestion() {
    const suggestion = state.openCase && state.openCase.suggestion;
    if (!isEditable() || !suggestion || !suggestion.text) return;
    const box = dom.replyText;
    box.setRangeText(suggestion.text, box.selectionStart, box.selectionEnd, "end");
    box.focus();
    state.drafts.set(state.openCaseId, box.value);
    updateReplyCount();
  }

  // Shared by hand-back and close: both end the agent's part in the case.
  async function finishCase(action, body, doneText, failText) {
    if (!isEditable() || state.acting) return;
    const id = state.openCaseId;
    state.acting = true;
    renderControls();
    try {
      await api(caseUrl(id, action), body === undefined ? { method: "POST" } : { method: "POST", body });
      state.mine = state.mine.filter((c) => !sameId(c.id, id));
      state.unread.delete(id);
      closeCaseView(id);
      showNotice(doneText, "info");
    } catch (err) {
      reportError(err, failText);
      if (err instanceof ApiError) refreshOpenCase();
    } finally {
      state.acting = false;
      renderControls();
    }
  }

  function handBack() {
    if (!isEditable()) return;
    if (!window.confirm("确定将该会话交还机器人吗？")) return;
    finishCase("handback", undefined, "已交还机器人", "交还失败，请稍后再试");
  }

  function showCloseForm() {
    if (!isEditable()) return;
    dom.closeForm.hidden = false;
    dom.closeNote.focus();
  }

  function hideCloseForm() {
    dom.closeForm.hidden = true;
  }

  function submitClose(event) {
    event.preventDefault();
    finishCase("close", { note: dom.closeNote.value.trim() }, "会话已结束", "结束会话失败，请稍后再试");
  }

  async function logout() {
    state.leaving = true;
    dom.logoutButton.disabled = true;
    stopSocket();
    try {
      await api("/api/logout", { method: "POST", redirectOn401: false });
      location.href = "/login";
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        location.href = "/login";
        return;
      }
      showNotice("退出失败，请稍后再试", "error");
      state.leaving = false;
      dom.logoutButton.disabled = false;
      connectSocket();
    }
  }

  // ---------------------------------------------------------------------------
  // Console page: WebSocket

  function handleSocketMessage(data) {
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "queue":
        applyQueue(data);
        break;
      case "message":
        handleIncomingMessage(data.case_id, data.message);
        break;
      case "suggestion":
        if (sameId(data.case_id, state.openCaseId)) {
          if (state.openCase) {
            state.openCase.suggestion = data.suggestion || null;
            renderSuggestion();
          } else {
            state.pendingSuggestion = data.suggestion || null;
          }
        }
        break;
      default:
        break; // e.g. "pong"
    }
  }

  function handleIncomingMessage(caseId, message) {
    if (!message) return;
    const summary = findMine(caseId);
    if (summary && message.role === "customer") summary.last_message = message.text;

    if (sameId(caseId, state.openCaseId)) {
      if (state.openCase) appendMessage(message);
      else state.pendingMessages.push(message);
    } else if (summary && message.role === "customer") {
      state.unread.add(String(caseId));
    }
    if (summary) renderMine();
  }

  function connectSocket() {
    if (state.leaving || state.socket) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`);
    } catch (_) {
      scheduleReconnect();
      return;
    }
    state.socket = socket;

    socket.addEventListener("open", () => {
      if (state.socket !== socket) return;
      const isReconnect = state.everConnected;
      state.everConnected = true;
      state.reconnectDelay = RECONNECT_MIN_MS;
      renderConnection("online");
      clearInterval(state.pingTimer);
      state.pingTimer = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
      }, PING_INTERVAL_MS);
      // The server pushes a fresh queue on connect; catch up on the open case ourselves.
      if (isReconnect) refreshOpenCase();
    });

    socket.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      handleSocketMessage(data);
    });

    socket.addEventListener("close", () => {
      if (state.socket !== socket) return;
      state.socket = null;
      clearInterval(state.pingTimer);
      if (state.leaving) return;
      renderConnection("reconnecting");
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    clearTimeout(state.reconnectTimer);
    const delay = state.reconnectDelay;
    state.reconnectDelay = Math.min(delay * 2, RECONNECT_MAX_MS);
    state.reconnectTimer = setTimeout(async () => {
      // A closed socket may mean an expired session: api() redirects on 401.
      try {
        await api("/api/me");
      } catch (err) {
        if (err.redirecting) return;
      }
      connectSocket();
    }, delay);
  }

  function stopSocket() {
    clearTimeout(state.reconnectTimer);
    clearInterval(state.pingTimer);
    const socket = state.socket;
    state.socket = null;
    if (socket) socket.close();
  }

  // ---------------------------------------------------------------------------
  // Console page: setup

  function bindEvents() {
    dom.queue.addEventListener("click", (event) => {
      const button = event.target.closest(".take-button");
      if (button && !button.disabled) takeCase(button.dataset.caseId);
    });
    dom.mine.addEventListener("click", (event) => {
      const item = event.target.closest(".case-open");
      if (item) openCase(item.dataset.caseId);
    });
    dom.replyText.addEventListener("keydown", (event) => {
      // Enter sends; Shift+Enter is a newline; Enter that confirms an IME candidate is left alone.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        sendReply();
      }
    });
    dom.replyText.addEventListener("input", () => {
      if (state.openCaseId) state.drafts.set(state.openCaseId, dom.replyText.value);
      updateReplyCount();
    });
    dom.sendButton.addEventListener("click", sendReply);
    dom.insertSuggestion.addEventListener("click", insertSuggestion);
    dom.handbackButton.addEventListener("click", handBack);
    dom.closeButton.addEventListener("click", showCloseForm);
    dom.closeCancel.addEventListener("click", hideCloseForm);
    dom.closeForm.addEventListener("submit", submitClose);
    dom.closeNote.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideCloseForm();
    });
    dom.logoutButton.addEventListener("click", logout);
  }

  async function initConsole() {
    const byId = (id) => document.getElementById(id);
    Object.assign(dom, {
      connection: byId("connection-status"),
      agentName: byId("agent-name"),
      logoutButton: byId("logout-button"),
      notice: byId("notice"),
      queue: byId("queue"),
      queueCount: byId("queue-count"),
      mine: byId("mine"),
      mineCount: byId("mine-count"),
      caseView: byId("case-view"),
      caseTitle: byId("case-title"),
      caseStatus: byId("case-status"),
      context: byId("case-context"),
      transcript: byId("transcript"),
      suggestion: byId("suggestion"),
      suggestionLabel: byId("suggestion-label"),
      suggestionText: byId("suggestion-text"),
      insertSuggestion: byId("insert-suggestion"),
      replyText: byId("reply-text"),
      replyCount: byId("reply-count"),
      sendButton: byId("send-button"),
      handbackButton: byId("handback-button"),
      closeButton: byId("close-button"),
      closeForm: byId("close-form"),
      closeNote: byId("close-note"),
      closeCancel: byId("close-cancel"),
      closeConfirm: byId("close-confirm"),
    });

    bindEvents();
    renderQueue();
    renderMine();
    renderCase();
    updateReplyCount();

    try {
      state.me = await api("/api/me");
    } catch (err) {
      if (!err.redirecting) showNotice("无法获取坐席信息，请刷新页面", "error");
      return;
    }
    dom.agentName.textContent = (state.me && (state.me.name || state.me.username)) || "—";
    if (state.me && state.me.username) dom.agentName.title = `工号：${state.me.username}`;

    await loadCases();
    connectSocket();
    setInterval(refreshWaitTimes, WAIT_REFRESH_MS);
  }

  // ---------------------------------------------------------------------------

  const page = document.body.dataset.page;
  if (page === "login") initLogin();
  else if (page === "console") initConsole();
})();
