// The WebSocket of live updates, with pings and reconnection.
import { api } from "./api.js";
import { applyQueue, openCase, refreshOpenCase } from "./cases.js";
import { PING_INTERVAL_MS, RECONNECT_MAX_MS, RECONNECT_MIN_MS, sameId } from "./format.js";
import { appendMessage, renderConnection, renderMine, renderSuggestion } from "./render.js";
import { updateTitle } from "./alerts.js";
import { findMine, showNotice, state } from "./state.js";

export function handleSocketMessage(data) {
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
    case "assigned":
      // The desk gave me a case (auto-assign): the queue snapshot that follows lists it as mine.
      showNotice(`已为您分配会话 #${data.case_id}`, "info");
      if (!state.openCaseId) openCase(data.case_id);
      break;
    case "reassigned":
      // A supervisor moved one of mine to another agent: the snapshot that follows drops it.
      showNotice(`会话 #${data.case_id} 已由班长转给 ${data.agent_name}`, "info");
      break;
    default:
      break; // e.g. "pong"
  }
}

export function handleIncomingMessage(caseId, message) {
  if (!message) return;
  const summary = findMine(caseId);
  if (summary && message.role === "customer") {
    summary.last_message = message.text;
    summary.last_customer_at = message.at; // the reply timer starts
  } else if (summary && (message.role === "agent" || message.role === "bot")) {
    summary.last_answer_at = message.at; // and stops
  }

  if (sameId(caseId, state.openCaseId)) {
    if (state.openCase) appendMessage(message);
    else state.pendingMessages.push(message);
  } else if (summary && message.role === "customer") {
    state.unread.add(String(caseId));
  }
  if (summary) renderMine();
  updateTitle();
}

export function connectSocket() {
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

export function scheduleReconnect() {
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

export function stopSocket() {
  clearTimeout(state.reconnectTimer);
  clearInterval(state.pingTimer);
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
}
