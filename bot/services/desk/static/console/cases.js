// Loading cases and the agent's actions: take, reply, hand back, close, log out.
import { ApiError, api } from "./api.js";
import { noticeNewCases } from "./alerts.js";
import { closeCannedMenu, loadCanned } from "./canned.js";
import { renderPresence } from "./presence.js";
import { REPLY_MAX, sameId } from "./format.js";
import {
  appendMessage,
  renderCase,
  renderCaseHeader,
  renderContext,
  renderControls,
  renderDesk,
  renderHistory,
  renderMine,
  renderQueue,
  renderSuggestion,
  updateReplyCount,
} from "./render.js";
import { connectSocket, stopSocket } from "./socket.js";
import { caseUrl, dom, findMine, isEditable, reportError, showNotice, state } from "./state.js";

export function applyQueue(data) {
  state.queued = Array.isArray(data && data.queued) ? data.queued : [];
  const before = state.mine.map((c) => String(c.id));
  state.mine = Array.isArray(data && data.mine) ? data.mine : [];
  noticeNewCases(state.queued);
  if (data && data.desk && data.desk.sla) state.sla = data.desk.sla;
  renderDesk(data && data.desk);
  renderPresence(data && data.me, data && data.desk);
  if (before.some((id) => !findMine(id))) loadHistory(); // one of mine ended: it moves to the history
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

export async function loadHistory() {
  try {
    const data = await api("/api/history");
    state.history = Array.isArray(data && data.cases) ? data.cases : [];
  } catch (err) {
    return; // kept as it was; the next ended case reloads it
  }
  renderHistory();
}

export async function loadLabels() {
  try {
    const data = await api("/api/labels");
    state.labels = { intents: (data && data.intents) || {}, slots: (data && data.slots) || {} };
  } catch (err) {
    // the raw names are shown instead
  }
}

export async function loadCases() {
  try {
    applyQueue(await api("/api/cases"));
  } catch (err) {
    reportError(err, "加载会话列表失败");
  }
}

// Keeps the open case in line with the latest queue snapshot.
export function syncOpenCase() {
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

export async function openCase(id) {
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
  closeCannedMenu();
  if (isEditable()) {
    dom.replyText.focus();
    loadCanned(id);
  }
}

export function closeCaseView(id) {
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
export async function refreshOpenCase() {
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

export async function takeCase(id) {
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

export async function sendReply() {
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
    const mine = findMine(id);
    if (mine && data && data.message) {
      mine.last_answer_at = data.message.at; // the customer is answered: the reply timer stops
      renderMine();
    }
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

export function insertSuggestion() {
  const suggestion = state.openCase && state.openCase.suggestion;
  if (!isEditable() || !suggestion || !suggestion.text) return;
  const box = dom.replyText;
  box.setRangeText(suggestion.text, box.selectionStart, box.selectionEnd, "end");
  box.focus();
  state.drafts.set(state.openCaseId, box.value);
  updateReplyCount();
}

// Shared by hand-back and close: both end the agent's part in the case.
export async function finishCase(action, body, doneText, failText) {
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
    loadHistory();
  } catch (err) {
    reportError(err, failText);
    if (err instanceof ApiError) refreshOpenCase();
  } finally {
    state.acting = false;
    renderControls();
  }
}

export function handBack() {
  if (!isEditable()) return;
  if (!window.confirm("确定将该会话交还机器人吗？")) return;
  finishCase("handback", undefined, "已交还机器人", "交还失败，请稍后再试");
}

export function showCloseForm() {
  if (!isEditable()) return;
  dom.closeForm.hidden = false;
  dom.closeNote.focus();
}

export function hideCloseForm() {
  dom.closeForm.hidden = true;
}

export function submitClose(event) {
  event.preventDefault();
  finishCase("close", { note: dom.closeNote.value.trim() }, "会话已结束", "结束会话失败，请稍后再试");
}

export async function logout() {
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
