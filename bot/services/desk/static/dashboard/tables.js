// The tables beside the charts: every figure a chart draws is also readable as text.
import { el } from "../console/dom.js";

// columns: [{ title, value: (row) => text }]
export function table(columns, rows, { caption, empty = "暂无数据" } = {}) {
  if (!rows.length) return el("p", { className: "muted table-empty", text: empty });
  const head = el("tr", {}, columns.map((column) => el("th", { text: column.title, attrs: { scope: "col" } })));
  const body = rows.map((row) =>
    el("tr", {}, columns.map((column) => el("td", { text: column.value(row) }))),
  );
  return el("table", { className: "report-table" }, [
    caption ? el("caption", { text: caption }) : null,
    el("thead", {}, [head]),
    el("tbody", {}, body),
  ]);
}

export function fill(container, node) {
  container.replaceChildren(node);
}
