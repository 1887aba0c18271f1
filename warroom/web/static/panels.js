// The war room's panels, rendered from a GET /api/dashboard body. Each
// function updates its panel's existing nodes in place where it can.

import { trendChart } from "./chart.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { age, clockTime, duration, figure } from "./format.js";
import { canMove } from "./transitions.js";

const CARD_STATES = ["ok", "warn", "critical", "na"];

// Card key to the threshold drawn as a dashed line on its chart.
const CARD_LIMITS = { cpu: "cpu_percent", memory: "memory_percent" };

/** Update the row of metric cards. */
export function renderCards(container, cards, settings) {
  syncKeyed(container, cards, (card) => card.key, createCard, (node, card) =>
    updateCard(node, card, settings),
  );
}

function createCard() {
  return el(
    "article",
    { class: "card" },
    el(
      "header",
      {},
      el("span", { class: "card-label" }),
      el("span", { class: "card-state" }),
    ),
    el(
      "div",
      { class: "card-value" },
      el("span", { class: "value" }),
      " ",
      el("span", { class: "unit" }),
    ),
    el("div", { class: "card-detail" }),
    el("div", { class: "card-chart" }),
    el("div", { class: "card-axis" }, el("span", { class: "axis-start" }), el("span", {}, "now")),
  );
}

function updateCard(node, card, settings) {
  for (const state of CARD_STATES) toggle(node, `state-${state}`, card.state === state);
  const missing = card.value === null;
  setText(node.querySelector(".card-label"), card.label);
  setText(node.querySelector(".card-state"), missing ? "n/a" : card.state);
  setText(node.querySelector(".value"), figure(card.value));
  setText(node.querySelector(".unit"), missing ? "" : card.unit);
  // Without a value the detail is the reason, which the card must show.
  setText(node.querySelector(".card-detail"), missing ? card.reason : card.detail);
  node.title = missing ? `${card.label}: n/a (${card.reason})` : `${card.label}: ${card.detail}`;

  const thresholds = settings?.thresholds ?? {};
  const limitKey = CARD_LIMITS[card.key];
  const readings = card.history.filter((value) => value !== null);
  const chart = trendChart(card.history, {
    capacity: historyCapacity(settings),
    ceiling: card.unit === "%" ? 100 : null,
    limit: limitKey ? (thresholds[limitKey] ?? null) : null,
    label:
      `${card.label}, last ${card.history.length} polls` +
      (readings.length ? `, max ${figure(Math.max(...readings))}` : ", no readings"),
  });
  node.querySelector(".card-chart").replaceChildren(chart);
  const minutes = settings?.monitor.history_minutes;
  setText(node.querySelector(".axis-start"), minutes ? `-${minutes} min` : "");
}

function historyCapacity(settings) {
  const monitor = settings?.monitor;
  if (!monitor) return null;
  return Math.round((monitor.history_minutes * 60) / monitor.poll_interval_seconds);
}

/**
 * Update the healthcare figures: one compact card each (claims today,
 * rejection rate, generic dispensing rate, patients below the PDC threshold),
 * the time they were read and the last read's error.
 */
export function renderHealthcare(panel, healthcare) {
  syncKeyed(
    panel.querySelector(".healthcare-cards"),
    healthcare.figures,
    (item) => item.key,
    createHealthcareCard,
    updateHealthcareCard,
  );
  const read = healthcare.read_at ? `read ${clockTime(healthcare.read_at)} UTC` : "not read yet";
  const every = `every ${figure(healthcare.refresh_seconds)} s`;
  const when = healthcare.enabled ? `(${read}, ${every})` : "(off)";
  setText(panel.querySelector(".healthcare-read"), when);
  const error = panel.querySelector(".healthcare-error");
  // The figures stay from the last good read, and the error shows why none is newer.
  setText(error, healthcare.error ? `last read failed: ${healthcare.error}` : "");
  toggle(error, "hidden", !healthcare.error);
}

function createHealthcareCard() {
  return el(
    "article",
    { class: "card compact" },
    el("header", {}, el("span", { class: "card-label" }), el("span", { class: "card-state" })),
    el(
      "div",
      { class: "card-value" },
      el("span", { class: "value" }),
      " ",
      el("span", { class: "unit" }),
    ),
    el("div", { class: "card-detail" }),
  );
}

function updateHealthcareCard(node, item) {
  for (const state of CARD_STATES) toggle(node, `state-${state}`, item.state === state);
  const missing = item.value === null;
  setText(node.querySelector(".card-label"), item.label);
  setText(node.querySelector(".card-state"), missing ? "n/a" : item.state);
  setText(node.querySelector(".value"), figure(item.value));
  setText(node.querySelector(".unit"), missing ? "" : item.unit);
  setText(node.querySelector(".card-detail"), missing ? item.reason : item.detail);
  const limit = `${item.bound} ${figure(item.threshold)}`;
  node.title = missing
    ? `${item.label}: n/a (${item.reason})`
    : `${item.label}: ${item.detail} (${limit})`;
}

/**
 * Update the open incidents table. `actions` has investigate, escalate,
 * resolve, remediate and open, each called with the incident id.
 */
export function renderIncidents(tbody, incidents, now, actions) {
  const newestFirst = [...incidents].sort((a, b) => b.id - a.id);
  syncKeyed(
    tbody,
    newestFirst,
    (incident) => incident.id,
    (incident) => createIncidentRow(incident, actions),
    (row, incident) => updateIncidentRow(row, incident, now),
  );
}

function createIncidentRow(incident, actions) {
  const id = incident.id;
  const button = (label, name, handler) =>
    el("button", { type: "button", class: `act act-${name}`, onclick: () => handler(id) }, label);
  return el(
    "tr",
    { dataset: { incident: id } },
    el("td", { class: "num" }, String(id)),
    el("td", { class: "status" }),
    el("td", { class: "severity wide-only" }),
    el("td", { class: "kind" }),
    el("td", { class: "age num", "data-label": "age" }),
    el("td", { class: "seen num wide-only" }),
    el("td", { class: "title" }),
    el(
      "td",
      { class: "actions" },
      button("Investigate", "investigate", actions.investigate),
      button("Escalate", "escalate", actions.escalate),
      button("Resolve", "resolve", actions.resolve),
      button("Remediate…", "remediate", actions.remediate),
      button("Timeline", "open", actions.open),
    ),
  );
}

function updateIncidentRow(row, incident, now) {
  const status = row.querySelector(".status");
  setText(status, incident.status);
  status.className = `status status-${incident.status.toLowerCase()}`;
  const severity = row.querySelector(".severity");
  setText(severity, incident.severity);
  severity.className = `severity severity-${incident.severity} wide-only`;
  setText(row.querySelector(".kind"), incident.kind);
  setText(row.querySelector(".age"), age((now - Date.parse(incident.detected_at)) / 1000));
  setText(row.querySelector(".seen"), incident.occurrences);
  const title = row.querySelector(".title");
  setText(title, incident.title);
  title.title = incident.title;

  row.querySelector(".act-investigate").disabled = !canMove(incident.status, "INVESTIGATING");
  row.querySelector(".act-escalate").disabled = !canMove(incident.status, "ESCALATED");
  row.querySelector(".act-resolve").disabled = !canMove(incident.status, "RESOLVED");
}

/**
 * Update the chaos panel: each scenario with its state and a trigger button,
 * the running drill with its latest phase, or the last drill.
 */
export function renderChaos(panel, chaos, drill, elapsedSeconds, actions) {
  toggle(panel.querySelector(".chaos-off"), "hidden", chaos.allowed);
  syncKeyed(
    panel.querySelector(".scenarios"),
    chaos.scenarios,
    (scenario) => scenario.name,
    (scenario) => createScenario(scenario, actions),
    (node, scenario) => updateScenario(node, scenario, chaos, elapsedSeconds),
  );
  const ready = chaos.scenarios.filter((scenario) => scenarioState(scenario, chaos, elapsedSeconds).ready);
  panel.querySelector(".inject-random").disabled = ready.length === 0;
  renderDrill(panel.querySelector(".drill"), chaos.running, drill);
}

function createScenario(scenario, actions) {
  return el(
    "li",
    { class: "scenario", dataset: { scenario: scenario.name } },
    el(
      "div",
      { class: "scenario-head" },
      el("span", { class: "scenario-title" }, scenario.title),
      el("span", { class: "scenario-state" }),
      el(
        "button",
        {
          type: "button",
          class: "danger trigger",
          onclick: () => actions.trigger(scenario.name),
        },
        "Inject…",
      ),
    ),
    el("div", { class: "scenario-description muted" }, scenario.description),
  );
}

function updateScenario(node, scenario, chaos, elapsedSeconds) {
  const state = scenarioState(scenario, chaos, elapsedSeconds);
  const label = node.querySelector(".scenario-state");
  setText(label, state.text);
  label.className = `scenario-state ${state.ready ? "ready" : "waiting"}`;
  label.title = state.why ?? "";
  node.querySelector(".trigger").disabled = !state.ready;
}

/** Return the scenario's state as the TUI words it, and whether it may start. */
export function scenarioState(scenario, chaos, elapsedSeconds) {
  // Cooldowns were read when the dashboard was fetched; count them down.
  const remaining = scenario.cooldown_remaining_seconds - elapsedSeconds;
  if (scenario.running) return { text: "running", ready: false };
  if (!chaos.allowed) return { text: "not allowed", ready: false, why: "chaos is off for this target" };
  if (!scenario.enabled) return { text: "disabled", ready: false };
  if (chaos.running) return { text: "waiting", ready: false, why: "another drill is running" };
  // Checked before the cooldown, because a block can outlast it and names its cause.
  if (scenario.blocked_by) return { text: "blocked", ready: false, why: scenario.blocked_by };
  if (remaining > 0) return { text: `cooldown ${Math.ceil(remaining)}s`, ready: false };
  return { text: "ready", ready: true };
}

function renderDrill(node, running, drill) {
  const { progress, last } = drill;
  if (running) {
    const phase = progress?.drillId === running.id ? progress : null;
    node.className = "drill running";
    node.replaceChildren(
      el("div", {}, el("strong", {}, `▶ drill ${running.id} ${running.scenario}: `), phase?.phase ?? running.status),
      phase?.message ? el("div", { class: "drill-message" }, phase.message) : "",
      el("div", { class: "muted" }, timings(running)),
    );
    return;
  }
  node.className = "drill";
  if (last) {
    node.replaceChildren(
      el("div", {}, `last drill ${last.id} ${last.scenario}: `, el("strong", {}, last.status)),
      last.error ? el("div", { class: "drill-message" }, last.error) : "",
      el("div", { class: "muted" }, timings(last)),
    );
    return;
  }
  node.replaceChildren(el("p", { class: "note" }, "no drill run yet"));
}

function timings(drill) {
  return `detect ${duration(drill.seconds_to_detect)} · resolve ${duration(drill.seconds_to_resolve)}`;
}

/** Update the recent postmortems table; `open` is called with the incident id. */
export function renderPostmortems(tbody, rows, open) {
  syncKeyed(
    tbody,
    rows,
    (row) => row.incident_id,
    (row) =>
      el(
        "tr",
        { dataset: { incident: row.incident_id } },
        el("td", { class: "num" }, String(row.incident_id)),
        el("td", { class: "written wide-only" }),
        el("td", { class: "kind wide-only" }),
        el("td", { class: "num detect", "data-label": "detect" }),
        el("td", { class: "num resolve", "data-label": "resolve" }),
        el("td", { class: "title" }),
        el(
          "td",
          { class: "actions" },
          el("button", { type: "button", class: "act-postmortem", onclick: () => open(row.incident_id) }, "Postmortem"),
        ),
      ),
    (node, row) => {
      setText(node.querySelector(".written"), clockTime(row.written_at));
      setText(node.querySelector(".kind"), row.kind);
      setText(node.querySelector(".detect"), duration(row.seconds_to_detect));
      setText(node.querySelector(".resolve"), duration(row.seconds_to_resolve));
      const title = node.querySelector(".title");
      setText(title, row.title);
      title.title = row.title;
    },
  );
}
