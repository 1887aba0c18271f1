// The war room dashboard: fetch /api/dashboard, render the panels, and fetch
// again whenever the engine's event stream reports something. While the
// sessions view is open, fetch its sessions and blocking graph after each poll.

import { credentials, describeError, isHeaderSafe, request } from "./api.js";
import { confirmAction, refreshIncident, showIncident } from "./dialogs.js";
import { el, setText, toggle } from "./dom.js";
import { age, clockTime } from "./format.js";
import { GovernancePanel } from "./governance.js";
import { refreshJobHistory, renderJobs, showJobHistory } from "./jobs.js";
import {
  renderCards,
  renderChaos,
  renderHealthcare,
  renderIncidents,
  renderPostmortems,
  scenarioState,
} from "./panels.js";
import { SessionsView } from "./sessions.js";
import { SlaPanel } from "./sla.js";
import { EventStream } from "./stream.js";
import { refreshRules, renderValidation, showRules } from "./validation.js";

// A poll may be late by this many intervals, plus the grace, before the page
// marks the figures stale (the TUI's status bar uses the same rule).
const STALE_INTERVALS = 3;
const STALE_GRACE_SECONDS = 2;
const MESSAGE_SECONDS = { info: 5, warning: 15, error: 30 };
const MAX_MESSAGES = 6;

const state = {
  dashboard: null,
  fetchedAt: null, // Date.now() when the dashboard body arrived
  clockOffsetMs: 0, // server clock minus this browser's clock
  settings: null,
  health: null,
  stream: { state: "connecting" },
  refreshError: null, // {status, text} of the last failed dashboard fetch
  drill: { progress: null, last: null },
  needLastDrill: true,
};

const $ = (id) => document.getElementById(id);

const slaPanel = new SlaPanel($("sla"));
const governancePanel = new GovernancePanel($("governance"), {
  settings: () => state.settings,
  notify,
});

const sessionsView = new SessionsView({
  root: $("sessions-view"),
  button: $("show-sessions"),
  hide: document.querySelector("main"),
  onOpen: () => refresh(),
});

// -- refreshing --------------------------------------------------------------

let refreshing = false;
let refreshAgain = false;

/**
 * Fetch the dashboard and render it, and the sessions view's data when that
 * view is open and a poll happened since. A burst of events while a fetch is
 * in flight ends in one more fetch after it, never in parallel fetches.
 */
async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      await loadDashboard();
      if (slaPanel.needsLoad) await slaPanel.load();
      if (governancePanel.needsLoad) await governancePanel.load();
      if (sessionsView.needsLoad) await sessionsView.load();
    } while (refreshAgain);
  } finally {
    refreshing = false;
  }
}

async function loadDashboard() {
  try {
    if (state.settings === null) await loadSettings();
    const sent = Date.now();
    const body = await request("GET", "/api/dashboard");
    const received = Date.now();
    if (state.needLastDrill) await loadLastDrill();
    state.dashboard = body;
    state.fetchedAt = received;
    state.clockOffsetMs = Date.parse(body.generated_at) - (sent + received) / 2;
    state.refreshError = null;
    render();
  } catch (error) {
    state.refreshError = { status: error.status, text: describeError(error, "updating the dashboard") };
    renderFreshness();
  }
}

async function loadSettings() {
  const [settings, health] = await Promise.all([
    request("GET", "/api/settings"),
    request("GET", "/api/health"),
  ]);
  state.settings = settings;
  state.health = health;
  renderAuthHint();
}

async function loadLastDrill() {
  const drills = await request("GET", "/api/chaos/drills?limit=1");
  state.drill.last = drills[0] ?? null;
  state.needLastDrill = false;
}

function onEvent(name, data) {
  if (name === "poll" || name === "poll_failed") {
    sessionsView.markStale();
  } else if (name === "drill") {
    state.drill.progress = { drillId: data.drill_id, phase: data.phase, message: data.message };
    if (data.figures?.final) state.needLastDrill = true;
  } else if (name === "incident") {
    refreshIncident(data.id);
    slaPanel.markStale();
  } else if (name === "job") {
    refreshJobHistory(data.job);
    governancePanel.onJob(data.job, state.dashboard?.jobs.jobs);
  } else if (name === "validation") {
    refreshRules();
  } else if (name === "catalog") {
    governancePanel.markStale();
  } else if (name === "notice") {
    notify(data.message, data.level === "info" ? "info" : "warning");
  }
  refresh();
}

function onStreamState(streamState) {
  state.stream = streamState;
  // Catch up on whatever happened while the stream was down.
  if (streamState.state === "live") {
    sessionsView.markStale();
    slaPanel.markStale();
    governancePanel.markStale();
    refresh();
  }
  renderFreshness();
}

// -- rendering ---------------------------------------------------------------

function serverNow() {
  return Date.now() + state.clockOffsetMs;
}

/** Return the seconds from an ISO time to the server's clock now. */
function secondsSince(value) {
  return (serverNow() - new Date(value).getTime()) / 1000;
}

function secondsSinceFetch() {
  return state.fetchedAt === null ? 0 : (Date.now() - state.fetchedAt) / 1000;
}

function render() {
  const dashboard = state.dashboard;
  if (dashboard === null) return;
  setText($("target"), dashboard.target);
  const health = $("health");
  setText(health, dashboard.status);
  health.className = `badge health-${dashboard.status}`;
  renderCards($("cards"), dashboard.cards, state.settings);
  renderHealthcare($("healthcare"), dashboard.healthcare);
  renderJobs($("jobs-body"), dashboard.jobs, jobActions);
  renderValidation($("validation-body"), dashboard.validation, validationActions, secondsSince);
  renderPostmortems($("postmortem-rows"), dashboard.recent_postmortems, (id) =>
    showIncident(id, { focusPostmortem: true }),
  );
  setText($("postmortem-count"), `(${dashboard.recent_postmortems.length})`);
  const written = dashboard.recent_postmortems.length > 0;
  toggle($("postmortems-empty"), "hidden", written);
  toggle($("postmortem-rows").closest(".scroll"), "hidden", !written);
  renderClockBound();
}

/** Render what changes with the clock alone: ages, cooldowns, freshness. */
function renderClockBound() {
  const dashboard = state.dashboard;
  if (dashboard !== null) {
    const incidents = dashboard.open_incidents;
    renderIncidents($("incident-rows"), incidents, serverNow(), incidentActions);
    setText($("incident-count"), `(${incidents.length})`);
    toggle($("incidents-empty"), "hidden", incidents.length > 0);
    toggle($("incident-rows").closest(".scroll"), "hidden", incidents.length === 0);
    renderChaos($("chaos"), dashboard.chaos, state.drill, secondsSinceFetch(), chaosActions);
    const count = incidents.length ? `(${incidents.length}) ` : "";
    document.title = `${isStale() ? "STALE " : ""}${count}warroom · ${dashboard.target}`;
  }
  renderFreshness();
}

function pollAgeSeconds() {
  const dashboard = state.dashboard;
  if (dashboard?.last_poll_at == null) return null;
  return (serverNow() - Date.parse(dashboard.last_poll_at)) / 1000;
}

function staleLimitSeconds() {
  const interval = state.settings?.monitor.poll_interval_seconds ?? 1;
  return interval * STALE_INTERVALS + STALE_GRACE_SECONDS;
}

function isStale() {
  if (state.stream.state !== "live" || state.dashboard === null) return true;
  return secondsSinceFetch() > staleLimitSeconds();
}

function renderFreshness() {
  const streamNode = $("stream-state");
  const streamState = state.stream.state;
  streamNode.className = `stream stream-${streamState}`;
  if (streamState === "live") setText(streamNode, "live");
  else if (streamState === "connecting") setText(streamNode, "connecting…");
  else setText(streamNode, `stream disconnected, retrying in ${retryIn()} s`);

  const updated = $("updated");
  if (state.fetchedAt === null) setText(updated, "no update yet");
  else setText(updated, `updated ${clockTime(new Date(state.fetchedAt))} UTC (${age(secondsSinceFetch())} ago)`);

  const lastPoll = $("last-poll");
  const pollAge = pollAgeSeconds();
  const late = pollAge !== null && pollAge > staleLimitSeconds();
  lastPoll.dataset.takenAt = state.dashboard?.last_poll_at ?? "";
  toggle(lastPoll, "late", late);
  if (pollAge === null) setText(lastPoll, "no poll yet");
  else {
    const prefix = late ? "NO RECENT POLL: " : "";
    setText(lastPoll, `${prefix}last poll ${clockTime(state.dashboard.last_poll_at)} UTC`);
  }

  const stale = isStale();
  toggle(document.body, "stale", stale && state.dashboard !== null);
  renderBanner(stale);
}

function retryIn() {
  return Math.max(0, Math.ceil((state.stream.retryAt - Date.now()) / 1000));
}

function renderBanner(stale) {
  const authFailure = (status) => status === 401 || status === 403;
  const lines = [];
  const since = state.fetchedAt === null ? "" : ` The figures below are from ${clockTime(new Date(state.fetchedAt))} UTC and may be out of date.`;
  if (state.stream.state === "disconnected") {
    const { status, reason } = state.stream;
    lines.push(`Stream disconnected, retrying in ${retryIn()} s: ${reason}.${since}`);
    if (authFailure(status)) lines.push(authAdvice(status));
  } else if (stale && state.fetchedAt !== null && state.stream.state === "live") {
    lines.push(`No update for ${age(secondsSinceFetch())}.${since}`);
  }
  // An auth failure of the fetch is the stream's failure again, so show it once.
  const error = state.refreshError;
  if (error && !(state.stream.state === "disconnected" && authFailure(error.status))) {
    lines.push(error.text);
  }
  if (state.dashboard?.last_error) {
    lines.push(`Target ${state.dashboard.target} unreachable: ${state.dashboard.last_error}`);
  }
  const banner = $("banner");
  banner.hidden = lines.length === 0;
  const text = lines.join("\n");
  if (banner.textContent !== text) banner.replaceChildren(...lines.map((line) => el("p", {}, line)));
}

function authAdvice(status) {
  if (status === 401) {
    return "The sidecar needs its API token for this: enter it in the token field and press Use token.";
  }
  return "The sidecar accepts requests without a token only from this machine: open the dashboard at 127.0.0.1 or enter the API token.";
}

function renderAuthHint() {
  const auth = state.health?.sidecar.auth;
  const input = $("token");
  if (auth === "token") {
    input.placeholder = "needed for changes";
  } else if (auth === "loopback") {
    input.placeholder = "none configured";
    input.title = "The sidecar has no API token, so changes are allowed from this machine only.";
  }
}

// -- messages ----------------------------------------------------------------

/** Show a message in the corner; level is info, warning or error. */
function notify(text, level = "info") {
  const list = $("messages");
  const close = el("button", { type: "button", class: "close", "aria-label": "dismiss" }, "×");
  const item = el("div", { class: `message message-${level}`, role: level === "error" ? "alert" : "status" }, el("span", {}, text), close);
  close.addEventListener("click", () => item.remove());
  list.append(item);
  while (list.children.length > MAX_MESSAGES) list.firstElementChild.remove();
  setTimeout(() => item.remove(), MESSAGE_SECONDS[level] * 1000);
}

/** Run one API call for a button; report the result or the error in plain words. */
async function act(action, call, describe) {
  try {
    const result = await call();
    if (describe) notify(describe(result), "info");
    refresh();
    return result;
  } catch (error) {
    notify(describeError(error, action), "error");
    return null;
  }
}

// -- incident actions --------------------------------------------------------

function changeStatus(id, status, verb) {
  return act(
    `${verb} incident ${id}`,
    () => request("PATCH", `/api/incidents/${id}`, { status }),
    (incident) => `incident ${id} is ${incident.status}`,
  );
}

async function remediate(id) {
  const preview = await act(`previewing the remediation of incident ${id}`, () =>
    request("POST", `/api/incidents/${id}/remediate`, { dry_run: true }),
  );
  if (preview === null) return;
  const body = [`Playbook action: ${preview.action}. Dry run: ${preview.message}`];
  if (preview.terminated.length) {
    body.push(`It would terminate session(s) ${preview.terminated.join(", ")} on the target.`);
  }
  for (const skipped of preview.skipped) {
    body.push(`It would leave session ${skipped.session_id} alone: ${skipped.reason}.`);
  }
  const answer = await confirmAction({
    id: "confirm-remediate",
    title: `Remediate incident ${id}?`,
    body,
    confirmLabel: `Run ${preview.action}`,
  });
  if (answer === null) return;
  await act(
    `remediating incident ${id}`,
    // Without dry_run the engine's remediation.dry_run setting decides.
    () => request("POST", `/api/incidents/${id}/remediate`, {}),
    (result) =>
      result.action === "none"
        ? `incident ${id}: recorded; no automatic action: ${result.message}`
        : `incident ${id}: ${result.action}${result.dry_run ? " (dry run only, remediation.dry_run is true)" : ""} ${result.succeeded ? "succeeded" : "did not succeed"}: ${result.message}`,
  );
}

const incidentActions = {
  investigate: (id) => changeStatus(id, "INVESTIGATING", "marking investigating"),
  escalate: (id) => changeStatus(id, "ESCALATED", "escalating"),
  resolve: (id) => changeStatus(id, "RESOLVED", "resolving"),
  remediate,
  open: (id) => showIncident(id),
};

// -- chaos actions -------------------------------------------------------------

function tokenWarning() {
  if (credentials.token || state.health?.sidecar.auth !== "token") return [];
  return [el("p", { class: "error" }, "No API token entered: the sidecar will reject this. Enter the token first.")];
}

const AUTO_REMEDIATE = {
  name: "auto_remediate",
  checked: true,
  label: "Remediate as soon as the war room detects it (clear to remediate by hand)",
};

async function trigger(name) {
  const chaos = state.dashboard.chaos;
  const scenario = chaos.scenarios.find((item) => item.name === name);
  const answer = await confirmAction({
    id: "confirm-inject",
    title: `Inject ${scenario.title}?`,
    body: [
      scenario.description,
      `This runs a real fault on target ${state.dashboard.target}. The drill rolls back on its own when it ends or hits its time limit.`,
      ...tokenWarning(),
    ],
    checkboxes: [AUTO_REMEDIATE],
    confirmLabel: `Inject ${scenario.title}`,
  });
  if (answer === null) return;
  await act(
    `injecting ${scenario.title}`,
    () => request("POST", "/api/chaos/trigger", { scenario: name, auto_remediate: answer.auto_remediate }),
    (drill) => `drill ${drill.drill_id} (${drill.scenario}) started by ${drill.actor}`,
  );
}

async function triggerRandom() {
  const chaos = state.dashboard.chaos;
  const ready = chaos.scenarios
    .filter((scenario) => scenarioState(scenario, chaos, secondsSinceFetch()).ready)
    .map((scenario) => scenario.title);
  const answer = await confirmAction({
    id: "confirm-random",
    title: "Inject a random scenario?",
    body: [
      `The engine picks one enabled scenario that is past its cooldown (now: ${ready.join(", ") || "none"}) and runs it as a real fault on target ${state.dashboard.target}. The drill rolls back on its own when it ends or hits its time limit.`,
      ...tokenWarning(),
    ],
    checkboxes: [AUTO_REMEDIATE],
    confirmLabel: "Inject a random scenario",
  });
  if (answer === null) return;
  await act(
    "injecting a random scenario",
    () => request("POST", "/api/chaos/random", { auto_remediate: answer.auto_remediate }),
    (drill) => `drill ${drill.drill_id} (${drill.scenario}) started by ${drill.actor}`,
  );
}

const chaosActions = { trigger };

// -- job actions -----------------------------------------------------------------

async function runJob(name) {
  const job = state.dashboard.jobs.jobs.find((item) => item.name === name);
  if (job === undefined) {
    notify(`job ${name} is no longer in the sidecar's job list; nothing was run`, "warning");
    return;
  }
  const body = [
    `This starts the ${job.action} action of job ${name} now on target ${state.dashboard.target}, outside its schedule (${job.cron}, ${job.timezone}).`,
  ];
  if (job.running) body.push("A run of this job is in progress, so the sidecar will reject another until it ends.");
  if (!job.enabled) body.push("The job is disabled in config/jobs.yaml; a manual run still runs it once.");
  const answer = await confirmAction({
    id: "confirm-run-job",
    title: `Run job ${name} now?`,
    body: [...body, ...tokenWarning()],
    confirmLabel: `Run ${name}`,
  });
  if (answer === null) return;
  await act(
    `running job ${name}`,
    () => request("POST", "/api/jobs/trigger", { name }),
    (run) => `job ${name} started (run ${run.id}); its row shows the status when it ends`,
  );
}

const jobActions = { run: runJob, history: showJobHistory };

// -- validation actions ------------------------------------------------------------

async function runChecks() {
  const validation = state.dashboard.validation;
  const answer = await confirmAction({
    id: "confirm-run-checks",
    title: "Run the validation rules now?",
    body: [
      `This runs the ${validation.rules} validation rules, the claim burst check and the PHI access audit on target ${state.dashboard.target} now, outside their ${validation.interval_seconds}s cycle. Each rule reads its table, and a failed rule opens or updates a validation incident.`,
      ...tokenWarning(),
    ],
    confirmLabel: "Run the rules",
  });
  if (answer === null) return;
  notify("running the validation rules; the panel shows the new score when they end");
  await act(
    "running the validation rules",
    () => request("POST", "/api/validation/run"),
    (scorecard) => {
      const failed = scorecard.results.filter((result) => result.outcome === "fail").length;
      const outcome = `${scorecard.passed} of ${scorecard.evaluated} evaluated rule(s) passed, ${failed} failed`;
      return scorecard.error ? `${outcome}; the cycle was incomplete: ${scorecard.error}` : outcome;
    },
  );
}

const validationActions = { run: runChecks, rules: showRules };

// -- access form ---------------------------------------------------------------

function setUpAccess(stream) {
  const form = $("access");
  const token = $("token");
  const actor = $("actor");
  token.value = credentials.token;
  actor.value = credentials.actor;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const newToken = token.value.trim();
    const newActor = actor.value.trim();
    if (!isHeaderSafe(newToken) || !isHeaderSafe(newActor)) {
      notify("The token and your name may contain only printable ASCII characters.", "error");
      return;
    }
    const tokenChanged = newToken !== credentials.token;
    credentials.token = newToken;
    credentials.actor = newActor;
    notify(
      `${newToken ? "Token set" : "No token"} for this tab; changes are recorded as ${newActor || "api"}.`,
      "info",
    );
    if (tokenChanged) {
      sessionsView.markStale();
      stream.restart();
      refresh();
    }
  });
  $("forget-token").addEventListener("click", () => {
    token.value = "";
    credentials.token = "";
    notify("Token forgotten for this tab.", "info");
    sessionsView.markStale();
    stream.restart();
    refresh();
  });
}

// -- keys ----------------------------------------------------------------------

/** Return true when a key press belongs to a field, button or dialog instead. */
function keyIsTaken(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return true;
  if (document.querySelector("dialog[open]")) return true;
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || target.matches("input, textarea, select"));
}

function onKey(event) {
  if (keyIsTaken(event)) return;
  if (event.key === "g" && !sessionsView.isOpen) {
    event.preventDefault();
    sessionsView.open();
  } else if (event.key === "Escape" && sessionsView.isOpen) {
    event.preventDefault();
    sessionsView.close();
  }
}

function setUpSessionsView() {
  $("show-sessions").addEventListener("click", () => sessionsView.toggle());
  $("sessions-view").querySelector(".close-view").addEventListener("click", () => sessionsView.close());
  document.addEventListener("keydown", onKey);
}

function start() {
  const stream = new EventStream("/api/events", { onEvent, onState: onStreamState });
  setUpAccess(stream);
  $("inject-random").addEventListener("click", triggerRandom);
  setUpSessionsView();
  renderFreshness();
  stream.start();
  refresh();
  setInterval(renderClockBound, 1000);
}

start();
