// The console's state, its DOM handles, and notices.
import { NOTICE_MS, RECONNECT_MIN_MS, sameId } from "./format.js";

export const state = {
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
  labels: { intents: {}, slots: {} }, // Chinese names of intents and slots (/api/labels)
  history: [], // the agent's recently ended cases (/api/history)
  sla: null, // the desk's SLA thresholds (desk.sla: seconds, amber and red, for queue and reply)
  knownQueued: null, // ids of queued cases seen so far (null before the first snapshot)
  newCases: 0, // new cases since the agent last looked at the page
  chimes: 0, // tones played (read by the browser tests)
  canned: [], // the canned replies, filled for the open case
};

export const dom = {};
export const baseTitle = document.title;

export const findMine = (id) => state.mine.find((c) => sameId(c.id, id)) || null;
// The open case is mine to answer: taken, and by me (a supervisor may have moved it to another agent).
export const isEditable = () =>
  Boolean(
    state.openCase &&
      state.openCase.status === "taken" &&
      (!state.me || String(state.openCase.agent_id) === String(state.me.id)),
  );
export const caseUrl = (id, action) =>
  `/api/cases/${encodeURIComponent(String(id))}${action ? `/${action}` : ""}`;

export function showNotice(text, kind = "info") {
  dom.notice.textContent = text;
  dom.notice.className = `notice notice-${kind}`;
  dom.notice.hidden = false;
  clearTimeout(state.noticeTimer);
  state.noticeTimer = setTimeout(() => {
    dom.notice.hidden = true;
  }, NOTICE_MS);
}

export function reportError(err, text) {
  if (err && err.redirecting) return;
  showNotice(text, "error");
}
