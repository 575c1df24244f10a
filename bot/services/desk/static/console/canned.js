// Canned replies (快捷回复): "/shortcut" in the reply box or the 快捷回复 button inserts one, filled
// with the open case's values by the server (/api/cases/{id}/canned); supervisors manage them.
import { ApiError, api } from "./api.js";
import { el } from "./dom.js";
import { updateReplyCount } from "./render.js";
import { caseUrl, dom, isEditable, reportError, showNotice, state } from "./state.js";

const menu = { open: false, items: [], active: 0, slash: false };

export async function loadCanned(caseId) {
  state.canned = [];
  if (!caseId) return;
  try {
    const data = await api(caseUrl(caseId, "canned"));
    if (String(caseId) === String(state.openCaseId)) state.canned = (data && data.replies) || [];
  } catch (err) {
    // no canned replies for this case: typing still works
  }
}

// The "/token" being typed at the start of the box, or null.
function slashToken() {
  const match = /^\/(\S{0,20})$/.exec(dom.replyText.value.slice(0, dom.replyText.selectionStart));
  return match ? match[1].toLowerCase() : null;
}

function matching(token) {
  return state.canned.filter(
    (reply) => token === "" || reply.shortcut.startsWith(token) || reply.title.includes(token)
  );
}

export function renderCannedMenu() {
  dom.cannedMenu.hidden = !menu.open;
  if (!menu.open) return;
  const items = menu.items.map((reply, index) =>
    el("li", {
      className: index === menu.active ? "canned-item is-active" : "canned-item",
      attrs: { role: "option", "aria-selected": index === menu.active ? "true" : "false" },
      dataset: { index: String(index) },
    }, [
      el("span", { className: "canned-shortcut", text: `/${reply.shortcut}` }),
      el("span", { className: "canned-title", text: reply.title }),
      el("span", { className: "canned-text", text: reply.filled }),
    ])
  );
  dom.cannedMenu.replaceChildren(...(items.length ? items : [el("li", { className: "list-empty", text: "没有匹配的快捷回复" })]));
}

function openMenu(items, slash) {
  Object.assign(menu, { open: true, items, active: 0, slash });
  renderCannedMenu();
}

export function closeCannedMenu() {
  menu.open = false;
  renderCannedMenu();
}

// The 快捷回复 button: all of them.
export function toggleCannedMenu() {
  if (!isEditable()) return;
  if (menu.open) closeCannedMenu();
  else openMenu(state.canned, false);
}

// On every input of the reply box: "/" at its start opens the menu with what matches.
export function onReplyInput() {
  const token = slashToken();
  if (token === null) {
    if (menu.open && menu.slash) closeCannedMenu();
    return;
  }
  openMenu(matching(token), true);
}

// Keys while the menu is open; true when the key was for the menu.
export function onReplyKey(event) {
  if (!menu.open) return false;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const step = event.key === "ArrowDown" ? 1 : -1;
    menu.active = (menu.active + step + menu.items.length) % Math.max(menu.items.length, 1);
    renderCannedMenu();
  } else if ((event.key === "Enter" || event.key === "Tab") && !event.isComposing && event.keyCode !== 229) {
    if (!menu.items.length) return false;
    insertCanned(menu.items[menu.active]);
  } else if (event.key === "Escape") {
    closeCannedMenu();
  } else {
    return false;
  }
  event.preventDefault();
  return true;
}

export function onMenuClick(event) {
  const item = event.target.closest(".canned-item");
  if (item) insertCanned(menu.items[Number(item.dataset.index)]);
}

function insertCanned(reply) {
  if (!reply || !isEditable()) return;
  const box = dom.replyText;
  if (menu.slash) {
    box.value = reply.filled + box.value.slice(box.selectionStart);
    box.setSelectionRange(reply.filled.length, reply.filled.length);
  } else {
    box.setRangeText(reply.filled, box.selectionStart, box.selectionEnd, "end");
  }
  closeCannedMenu();
  state.drafts.set(state.openCaseId, box.value);
  updateReplyCount();
  box.focus();
  if (reply.missing && reply.missing.length) {
    // Select the first placeholder the case could not fill, for the agent to type over.
    const at = box.value.indexOf(`{${reply.missing[0]}}`);
    if (at >= 0) box.setSelectionRange(at, at + reply.missing[0].length + 2);
    showNotice(`请补全：${reply.missing.map((name) => `{${name}}`).join("、")}`, "info");
  }
}

// -- Supervisors: managing the replies ---------------------------------------------------------

export async function openCannedAdmin() {
  dom.cannedAdmin.hidden = false;
  await refreshAdminList();
  dom.cannedShortcut.focus();
}

export function closeCannedAdmin() {
  dom.cannedAdmin.hidden = true;
  dom.cannedForm.reset();
  dom.cannedForm.dataset.replyId = "";
}

async function refreshAdminList() {
  let replies = [];
  try {
    replies = ((await api("/api/canned")) || {}).replies || [];
  } catch (err) {
    reportError(err, "加载快捷回复失败");
  }
  dom.cannedList.replaceChildren(
    ...replies.map((reply) =>
      el("li", { className: "canned-admin-item" }, [
        el("span", { className: "canned-shortcut", text: `/${reply.shortcut}` }),
        el("span", { className: "canned-title", text: reply.title }),
        el("span", { className: "canned-text", text: reply.text }),
        el("button", { className: "button button-small", text: "编辑", attrs: { type: "button" }, dataset: { edit: String(reply.id) } }),
        el("button", { className: "button button-small button-danger", text: "删除", attrs: { type: "button" }, dataset: { remove: String(reply.id) } }),
      ])
    )
  );
  dom.cannedList.replies = replies;
}

export async function onAdminListClick(event) {
  const edit = event.target.closest("[data-edit]");
  const remove = event.target.closest("[data-remove]");
  const replies = dom.cannedList.replies || [];
  if (edit) {
    const reply = replies.find((r) => String(r.id) === edit.dataset.edit);
    if (!reply) return;
    dom.cannedForm.dataset.replyId = String(reply.id);
    dom.cannedShortcut.value = reply.shortcut;
    dom.cannedTitle.value = reply.title;
    dom.cannedText.value = reply.text;
    dom.cannedText.focus();
  } else if (remove && window.confirm("确定删除这条快捷回复吗？")) {
    try {
      await api(`/api/canned/${encodeURIComponent(remove.dataset.remove)}`, { method: "DELETE" });
    } catch (err) {
      reportError(err, "删除失败");
    }
    await refreshAdminList();
  }
}

const FIELD_ERRORS = {
  shortcut: "快捷词需为 1–20 个小写字母、数字、下划线或汉字",
  title: "标题需为 1–32 个字",
  text: "内容需为 1–1000 个字，占位符只能用 {姓名}、{号码尾号}、{坐席}",
};

export async function submitCannedForm(event) {
  event.preventDefault();
  const body = {
    shortcut: dom.cannedShortcut.value.trim(),
    title: dom.cannedTitle.value.trim(),
    text: dom.cannedText.value.trim(),
  };
  const id = dom.cannedForm.dataset.replyId;
  try {
    await api(id ? `/api/canned/${encodeURIComponent(id)}` : "/api/canned", { method: id ? "PUT" : "POST", body });
    showNotice("快捷回复已保存", "info");
    dom.cannedForm.reset();
    dom.cannedForm.dataset.replyId = "";
    await refreshAdminList();
    if (state.openCaseId) loadCanned(state.openCaseId);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) showNotice(`快捷词 /${body.shortcut} 已被使用`, "error");
    else if (err instanceof ApiError && err.status === 400) showNotice(FIELD_ERRORS[err.data && err.data.field] || "内容有误", "error");
    else reportError(err, "保存失败");
  }
}
