// The sessions view, the page's counterpart of the TUI's sessions screen:
// the blocking graph as a tree and every session of the last poll, from
// GET /api/sessions and GET /api/sessions/blocking.

import { ApiError, describeError, request } from "./api.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { clockTime, duration } from "./format.js";

// Maximum characters of SQL in a table row and in a tree line, the TUI's
// limits. The full text is in the node's title attribute.
const TABLE_SQL_CHARS = 200;
const TREE_SQL_CHARS = 60;

// Each table row's full SQL text, for the "full text" button.
const sqlOfRow = new WeakMap();

/**
 * The sessions view. The page's refresh loop calls `load()` when `needsLoad`
 * is true, so these fetches share its rule of one fetch in flight.
 */
export class SessionsView {
  /**
   * `root` is the view's section, `button` the header button that opens it,
   * `hide` the node hidden while the view is open, and `onOpen` is called
   * after the view opens so the page can fetch.
   */
  constructor({ root, button, hide, onOpen }) {
    this.root = root;
    this.button = button;
    this.hide = hide;
    this.onOpen = onOpen;
    this.stale = true;
    this.data = null; // {sessions, graph} of the last successful load
    this.error = null; // {unavailable, text} of the last failed load
    this.expanded = new Set(); // ids of sessions whose full SQL is shown
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /** True when the view is open and a poll happened since its last load. */
  get needsLoad() {
    return this.isOpen && this.stale;
  }

  /** Note that the engine polled (or failed to), so the view's data is old. */
  markStale() {
    this.stale = true;
  }

  open() {
    if (this.isOpen) return;
    this.root.hidden = false;
    this.hide.hidden = true;
    this.button.setAttribute("aria-expanded", "true");
    // Show nothing until the first load rather than sessions of an old poll.
    this.stale = true;
    this.data = null;
    this.error = null;
    this.render();
    this.root.querySelector(".close-view").focus({ preventScroll: true });
    window.scrollTo(0, 0);
    this.onOpen();
  }

  close() {
    if (!this.isOpen) return;
    this.root.hidden = true;
    this.hide.hidden = false;
    this.button.setAttribute("aria-expanded", "false");
    this.button.focus({ preventScroll: true });
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  /** Fetch the sessions and the blocking graph, then render them. */
  async load() {
    this.stale = false;
    try {
      this.data = await fetchSessions();
      this.error = null;
    } catch (error) {
      // A 503 means no poll has succeeded yet, and its detail states the reason.
      const unavailable = error instanceof ApiError && error.status === 503;
      const text = unavailable && error.detail ? sentence(error.detail) : describeError(error, "loading the sessions");
      this.error = { unavailable, text };
    }
    if (this.isOpen) this.render();
  }

  render() {
    const { data, error } = this;
    const notice = this.root.querySelector(".sessions-notice");
    notice.replaceChildren(...noticeLines(data, error));
    notice.hidden = notice.childElementCount === 0;
    toggle(this.root, "stale", Boolean(data?.sessions.last_error) || (error !== null && data !== null));
    if (data === null) {
      setText(this.root.querySelector(".sessions-taken"), "");
      const waiting = error === null ? "loading…" : "no sessions to show";
      this.root.querySelector(".tree-body").replaceChildren(el("p", { class: "note" }, waiting));
      this.root.querySelector("#session-rows").replaceChildren();
      setText(this.root.querySelector(".blocked-count"), "");
      setText(this.root.querySelector(".session-count"), "");
      return;
    }
    const { sessions, graph } = data;
    setText(this.root.querySelector(".sessions-taken"), `poll of ${clockTime(sessions.taken_at)} UTC on ${sessions.target}`);
    const byId = new Map(sessions.sessions.map((session) => [session.session_id, session]));
    renderTree(this.root.querySelector(".tree-body"), graph, byId);
    setText(this.root.querySelector(".blocked-count"), `(${graph.blocked_sessions.length} blocked)`);
    renderSessionRows(this.root.querySelector("#session-rows"), sessions.sessions, graph, this.expanded);
    setText(this.root.querySelector(".session-count"), `(${sessions.sessions.length})`);
  }
}

// The two reads are separate requests, so a poll may complete between them.
// Read again once when they come from different polls; the next poll event
// brings a fresh pair anyway.
async function fetchSessions() {
  let pair = await fetchPair();
  if (pair.sessions.taken_at !== pair.graph.taken_at) pair = await fetchPair();
  return pair;
}

async function fetchPair() {
  const [sessions, graph] = await Promise.all([
    request("GET", "/api/sessions"),
    request("GET", "/api/sessions/blocking"),
  ]);
  return { sessions, graph };
}

function noticeLines(data, error) {
  const lines = [];
  if (error !== null) {
    lines.push(el("p", { class: error.unavailable ? "note" : "error" }, error.text));
  }
  const lastError = data?.sessions.last_error;
  if (lastError) {
    lines.push(
      el(
        "p",
        { class: "error" },
        `Target ${data.sessions.target} unreachable: ${lastError}. These sessions are from the poll of ` +
          `${clockTime(data.sessions.taken_at)} UTC and may be out of date.`,
      ),
    );
  } else if (error !== null && data !== null) {
    lines.push(el("p", { class: "note" }, `Showing the poll of ${clockTime(data.sessions.taken_at)} UTC.`));
  }
  return lines;
}

// -- blocking tree -------------------------------------------------------------

/**
 * Render the blocking graph as nested lists: one root per head blocker or
 * lock cycle, each waiter under every session it waits on. A session
 * already above on its path closes a cycle and is not expanded again.
 */
export function renderTree(container, graph, sessionsById) {
  const nodes = new Map(graph.nodes.map((node) => [node.session_id, node]));
  const blocks = blockersToWaiters(graph.edges);
  const cycleRoots = new Map(graph.cycles.map((cycle) => [cycle[0], cycle]));
  const roots = el("ul", { class: "tree", role: "tree", "aria-label": "blocking graph" });
  const parents = [roots];
  for (const line of graph.tree) {
    parents.length = line.depth + 1;
    const item = el("li", { role: "treeitem", class: treeItemClass(line, nodes, cycleRoots), dataset: { session: line.session_id, depth: line.depth } });
    item.append(...treeLabel(line, nodes.get(line.session_id), sessionsById.get(line.session_id), cycleRoots, blocks));
    parents[line.depth].append(item);
    const children = el("ul", { role: "group" });
    item.append(children);
    parents.push(children);
  }
  for (const empty of roots.querySelectorAll("ul:empty")) empty.remove();

  const notes = [];
  if (graph.tree.length === 0) notes.push(el("p", { class: "note" }, "no session is blocked"));
  if (graph.self_edges.length) {
    notes.push(
      el("p", { class: "note" }, `parallel workers waiting within their own query: ${graph.self_edges.join(", ")}`),
    );
  }
  container.replaceChildren(...(graph.tree.length ? [roots] : []), ...notes);
}

function treeItemClass(line, nodes, cycleRoots) {
  const classes = ["tree-line"];
  if (line.depth === 0) classes.push(cycleRoots.has(line.session_id) ? "cycle-root" : "head-blocker");
  else classes.push("waiter");
  if (line.repeated) classes.push("repeated");
  if (nodes.get(line.session_id)?.virtual) classes.push("virtual");
  return classes.join(" ");
}

function treeLabel(line, node, session, cycleRoots, blocks) {
  const parts = [];
  if (line.depth === 0 && cycleRoots.has(line.session_id)) {
    parts.push(el("span", { class: "tree-role" }, `lock cycle ${cycleRoots.get(line.session_id).join(", ")}: `));
  } else if (line.depth === 0) {
    const victims = victimsOf(line.session_id, blocks).size;
    parts.push(el("span", { class: "tree-role" }, "head blocker "), `(blocks ${victims}) `);
  }
  if (line.repeated) {
    parts.push(el("span", { class: "tree-note" }, `${line.session_id} (already above: cycle)`));
    return parts;
  }
  if (node?.virtual || session === undefined) {
    // A blocker id with no session behind it, such as SQL Server's negative
    // ids for orphaned distributed transactions or pending recovery.
    const label = node?.label ?? line.label;
    const why = node?.virtual ? "not a session" : "not in this poll's session list";
    parts.push(el("span", { class: "tree-note" }, `${label}: ${why}`));
  } else {
    parts.push(...describeSession(session));
  }
  if (line.also_waits_on.length) {
    parts.push(el("span", { class: "also-waits" }, `also waits on ${line.also_waits_on.join(", ")}`));
  }
  return parts;
}

function describeSession(session) {
  const identity = `${session.session_id} ${session.login ?? "?"}@${session.program ?? "?"}`;
  let state = session.state;
  if (session.wait_type) {
    state += `, waits ${session.wait_type}`;
    if (session.wait_seconds != null) state += ` ${duration(session.wait_seconds)}`;
  }
  const sql = oneLine(session.sql_text);
  const parts = [el("strong", {}, identity)];
  if (session.is_engine_own) parts.push(" ", ownMark());
  parts.push(` ${state} `);
  if (sql) {
    parts.push(el("span", { class: "tree-sql", title: session.sql_text }, truncate(sql, TREE_SQL_CHARS)));
  }
  return parts;
}

function blockersToWaiters(edges) {
  const blocks = new Map();
  for (const { waiter, blocker } of edges) {
    if (!blocks.has(blocker)) blocks.set(blocker, []);
    blocks.get(blocker).push(waiter);
  }
  return blocks;
}

/** Return every session that waits on `root`, directly or through others. */
function victimsOf(root, blocks) {
  const seen = new Set();
  const stack = [...(blocks.get(root) ?? [])];
  while (stack.length) {
    const waiter = stack.pop();
    if (seen.has(waiter) || waiter === root) continue;
    seen.add(waiter);
    stack.push(...(blocks.get(waiter) ?? []));
  }
  return seen;
}

// -- sessions table ------------------------------------------------------------

/**
 * Update the sessions table: sessions that block others first, then the
 * blocked ones, then the rest, with system and the engine's own sessions
 * last, as in the TUI. `expanded` has the ids whose full SQL is shown.
 */
export function renderSessionRows(tbody, sessions, graph, expanded) {
  const blocking = new Set(graph.edges.map((edge) => edge.blocker));
  const heads = new Set(graph.head_blockers);
  const ordered = [...sessions].sort((a, b) => {
    const rank = sessionRank(a, blocking) - sessionRank(b, blocking);
    return rank || a.session_id - b.session_id;
  });
  const present = new Set(sessions.map((session) => session.session_id));
  for (const id of expanded) if (!present.has(id)) expanded.delete(id);
  syncKeyed(
    tbody,
    ordered,
    (session) => session.session_id,
    (session) => createSessionRow(session, expanded),
    (row, session) => updateSessionRow(row, session, blocking, heads, expanded),
  );
}

function sessionRank(session, blocking) {
  if (blocking.has(session.session_id)) return 0;
  if (session.blocked_by.length) return 1;
  if (session.is_system || session.is_engine_own) return 3;
  return 2;
}

function createSessionRow(session, expanded) {
  const id = session.session_id;
  const more = el("button", { type: "button", class: "sql-more", "aria-expanded": "false" }, "full text");
  const row = el(
    "tr",
    { dataset: { session: id } },
    el("td", { class: "num id" }, String(id)),
    el("td", { class: "login" }),
    el("td", { class: "host wide-only" }),
    el("td", { class: "program" }),
    el("td", { class: "state" }),
    el("td", { class: "wait", "data-label": "wait" }),
    el("td", { class: "num elapsed", "data-label": "elapsed" }),
    el("td", { class: "num transaction", "data-label": "transaction" }),
    el("td", { class: "blocked-by", "data-label": "blocked by" }),
    el("td", { class: "sql title" }, el("div", { class: "sql-line" }, el("span", { class: "sql-text" }), more)),
  );
  more.addEventListener("click", () => {
    if (expanded.has(id)) expanded.delete(id);
    else expanded.add(id);
    renderSql(row, sqlOfRow.get(row) ?? "", expanded.has(id));
  });
  return row;
}

function updateSessionRow(row, session, blocking, heads, expanded) {
  const id = session.session_id;
  toggle(row, "head-blocker", heads.has(id));
  toggle(row, "blocking", blocking.has(id));
  toggle(row, "blocked", session.blocked_by.length > 0);
  toggle(row, "own", session.is_engine_own);
  toggle(row, "system", session.is_system);

  const login = row.querySelector(".login");
  setText(login, session.login ?? "");
  login.title = `database ${session.database ?? "?"}, login time ${clockTime(session.login_time)} UTC`;
  setText(row.querySelector(".host"), session.host ?? "");
  const program = row.querySelector(".program");
  program.replaceChildren(session.program ?? "", session.is_engine_own ? " " : "", session.is_engine_own ? ownMark() : "");
  const state = row.querySelector(".state");
  setText(state, session.state);
  state.title = session.state_seconds == null ? "" : `in this state for ${duration(session.state_seconds)}`;
  setText(row.querySelector(".wait"), waitText(session));
  setText(row.querySelector(".elapsed"), duration(session.elapsed_seconds));
  const transaction = row.querySelector(".transaction");
  setText(transaction, duration(session.transaction_seconds));
  transaction.title = `${session.open_transactions} open transaction(s)`;
  setText(row.querySelector(".blocked-by"), session.blocked_by.join(", "));
  sqlOfRow.set(row, session.sql_text ?? "");
  renderSql(row, session.sql_text ?? "", expanded.has(id));
}

function renderSql(row, sqlText, showFull) {
  // The cell cuts the one-line form at its width as well as at
  // TABLE_SQL_CHARS, so every row with SQL gets the button.
  const full = showFull && sqlText !== "";
  const text = row.querySelector(".sql-text");
  setText(text, full ? sqlText : truncate(oneLine(sqlText), TABLE_SQL_CHARS));
  toggle(text, "full", full);
  text.title = sqlText;
  const more = row.querySelector(".sql-more");
  more.hidden = sqlText === "";
  more.setAttribute("aria-expanded", String(full));
  setText(more, full ? "less" : "full text");
}

function waitText(session) {
  // The time goes first, as in the TUI, so a narrow cell cuts the type.
  const type = session.wait_type ?? "";
  if (!session.wait_seconds) return type;
  return `${duration(session.wait_seconds)} ${type}`.trim();
}

function ownMark() {
  return el("span", { class: "own-mark", title: "the war room's own monitoring or admin session" }, "warroom");
}

function oneLine(text) {
  return (text ?? "").split(/\s+/).filter(Boolean).join(" ");
}

function truncate(text, limit) {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
