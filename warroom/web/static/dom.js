// DOM helpers. Every string goes in as a text node or an attribute value,
// never as HTML: incident titles and messages carry SQL text from the target.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an element with attributes and children (nodes or strings). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Create an SVG element with attributes and children. */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attributes);
  node.append(...children);
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.setAttribute("class", value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

/** Set a node's text only when it changed, so selections and focus survive. */
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

/** Set or clear one of a node's classes from a flag. */
export function toggle(node, name, on) {
  node.classList.toggle(name, Boolean(on));
}

/**
 * Keep one child of `parent` per item, in the items' order, keyed by
 * `keyOf(item)`. New items get `create(item)`; every item then goes through
 * `update(node, item)`. Nodes are reused rather than rebuilt, so a button
 * under the pointer is still the same button after a refresh.
 */
export function syncKeyed(parent, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of parent.children) existing.set(child.dataset.key, child);
  const wanted = items.map((item) => {
    const key = String(keyOf(item));
    let node = existing.get(key);
    existing.delete(key);
    if (node === undefined) {
      node = create(item);
      node.dataset.key = key;
    }
    update(node, item);
    return node;
  });
  for (const stale of existing.values()) stale.remove();
  wanted.forEach((node, index) => {
    if (parent.children[index] !== node) {
      parent.insertBefore(node, parent.children[index] ?? null);
    }
  });
}
