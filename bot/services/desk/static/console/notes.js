// Private notes on the open case (内部备注): for the agents and supervisors, never sent to the customer.
import { ApiError, api } from "./api.js";
import { renderContext } from "./render.js";
import { caseUrl, reportError, showNotice, state } from "./state.js";

export async function submitNote(event) {
  event.preventDefault();
  const input = document.getElementById("note-text");
  const text = input ? input.value.trim() : "";
  const id = state.openCaseId;
  if (!id || !text) {
    if (input) input.focus();
    return;
  }
  try {
    const note = await api(caseUrl(id, "notes"), { method: "POST", body: { text } });
    if (state.openCase && String(state.openCase.id) === String(id)) {
      state.openCase.notes = [...(state.openCase.notes || []), note];
      renderContext();
    }
    showNotice("备注已保存", "info");
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) showNotice("备注不能为空，且不能超过 1000 字", "error");
    else if (err instanceof ApiError && err.status === 403) showNotice("只有接入该会话的坐席和班长可以写备注", "error");
    else reportError(err, "备注保存失败");
  }
}
