// Building DOM nodes: all text goes in as text nodes, never innerHTML.

// Small element builder; children may be nodes or strings (added as text nodes).
export function el(tag, { className, text, attrs, dataset } = {}, children = []) {
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
