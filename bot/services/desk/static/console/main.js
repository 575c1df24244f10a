// Agent console for the customer-service handoff: the entry module of both pages,
// <body data-page="login"> and <body data-page="console">. The other modules of this folder
// are imported from here; all text inserted into the DOM goes through textContent / text nodes
// (dom.js), never innerHTML.
import { api } from "./api.js";
import { clearNewCases } from "./alerts.js";
import { changeAssignMode, changeStatus, loadRoster, onRosterChange } from "./presence.js";
import { submitNote } from "./notes.js";
import { loadOpenCases, onAllCasesClick } from "./supervision.js";
import {
  closeCannedAdmin,
  onAdminListClick,
  onMenuClick,
  onReplyInput,
  onReplyKey,
  openCannedAdmin,
  submitCannedForm,
  toggleCannedMenu,
} from "./canned.js";
import {
  handBack,
  hideCloseForm,
  insertSuggestion,
  loadCases,
  loadHistory,
  loadLabels,
  logout,
  openCase,
  sendReply,
  showCloseForm,
  submitClose,
  takeCase,
} from "./cases.js";
import { DESK_REFRESH_MS, WAIT_REFRESH_MS } from "./format.js";
import { initLogin } from "./login.js";
import { refreshWaitTimes, renderCase, renderMine, renderQueue, updateReplyCount } from "./render.js";
import { connectSocket } from "./socket.js";
import { dom, showNotice, state } from "./state.js";

function bindEvents() {
  dom.queue.addEventListener("click", (event) => {
    const button = event.target.closest(".take-button");
    if (button && !button.disabled) takeCase(button.dataset.caseId);
  });
  for (const list of [dom.mine, dom.history]) {
    list.addEventListener("click", (event) => {
      const item = event.target.closest(".case-open");
      if (item) openCase(item.dataset.caseId);
    });
  }
  for (const seen of ["focus", "pointerdown", "keydown"]) window.addEventListener(seen, clearNewCases);
  dom.context.addEventListener("submit", (event) => {
    if (event.target.id === "note-form") submitNote(event);
  });
  dom.allCases.addEventListener("click", onAllCasesClick);
  dom.replyText.addEventListener("keydown", (event) => {
    if (onReplyKey(event)) return; // the canned-reply menu took it
    // Enter sends; Shift+Enter is a newline; Enter that confirms an IME candidate is left alone.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendReply();
    }
  });
  dom.replyText.addEventListener("input", () => {
    if (state.openCaseId) state.drafts.set(state.openCaseId, dom.replyText.value);
    updateReplyCount();
    onReplyInput();
  });
  dom.statusSelect.addEventListener("change", changeStatus);
  dom.assignMode.addEventListener("change", changeAssignMode);
  dom.roster.addEventListener("change", onRosterChange);
  dom.cannedButton.addEventListener("click", toggleCannedMenu);
  dom.cannedMenu.addEventListener("mousedown", (event) => event.preventDefault()); // keep the box focused
  dom.cannedMenu.addEventListener("click", onMenuClick);
  dom.cannedAdminButton.addEventListener("click", openCannedAdmin);
  dom.cannedAdminClose.addEventListener("click", closeCannedAdmin);
  dom.cannedList.addEventListener("click", onAdminListClick);
  dom.cannedForm.addEventListener("submit", submitCannedForm);
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
    serviceBanner: byId("service-banner"),
    queue: byId("queue"),
    queueCount: byId("queue-count"),
    mine: byId("mine"),
    mineCount: byId("mine-count"),
    history: byId("history"),
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
    cannedButton: byId("canned-button"),
    statusSelect: byId("status-select"),
    assignMode: byId("assign-mode"),
    assignModeField: byId("assign-mode-field"),
    roster: byId("roster"),
    rosterPanel: byId("roster-panel"),
    allCases: byId("all-cases"),
    allCasesCount: byId("all-cases-count"),
    allCasesPanel: byId("all-cases-panel"),
    cannedMenu: byId("canned-menu"),
    cannedAdminButton: byId("canned-admin-button"),
    dashboardLink: byId("dashboard-link"),
    cannedAdmin: byId("canned-admin"),
    cannedAdminClose: byId("canned-admin-close"),
    cannedList: byId("canned-list"),
    cannedForm: byId("canned-form"),
    cannedShortcut: byId("canned-shortcut"),
    cannedTitle: byId("canned-title"),
    cannedText: byId("canned-text"),
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
  const supervisor = Boolean(state.me && state.me.role === "supervisor");
  dom.cannedAdminButton.hidden = !supervisor;
  dom.dashboardLink.hidden = !supervisor;
  dom.assignModeField.hidden = !supervisor;
  dom.rosterPanel.hidden = !supervisor;
  dom.allCasesPanel.hidden = !supervisor;
  if (supervisor) {
    loadRoster();
    loadOpenCases();
  }

  await loadLabels();
  await loadCases();
  loadHistory();
  connectSocket();
  setInterval(refreshWaitTimes, WAIT_REFRESH_MS);
  setInterval(loadCases, DESK_REFRESH_MS); // service hours begin and end without any case changing
}

const page = document.body.dataset.page;
if (page === "login") initLogin();
else if (page === "console") initConsole();
