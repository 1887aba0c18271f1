// The scheduled jobs panel with a Run and a History control per job, and the
// dialog with one job's run history.

import { describeError, request } from "./api.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { clockTime, duration } from "./format.js";

const HISTORY_LIMIT = 50;

/**
 * Update the scheduled jobs panel: one table row per job, kept by name, so a
 * button under the pointer survives a refresh. `actions` has run and
 * history, each called with the job.
 */
export function renderJobs(body, jobs, actions) {
  let table = body.querySelector("table.jobs");
  if (table === null) {
    table = el(
      "table",
      { class: "jobs" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, "job and schedule"),
          el("th", {}, "next (UTC)"),
          el("th", {}, "last run"),
          el("th", {}, ""),
        ),
      ),
      el("tbody", {}),
    );
    body.replaceChildren(
      el("div", { class: "scroll" }, table),
      el("p", { class: "note jobs-message" }),
    );
  }
  syncKeyed(
    table.querySelector("tbody"),
    jobs.jobs,
    (job) => job.name,
    (job) => createJobRow(job, actions),
    updateJobRow,
  );
  const message = body.querySelector(".jobs-message");
  setText(message, jobs.message ?? "");
  toggle(message, "hidden", !jobs.message);
  toggle(table.closest(".scroll"), "hidden", jobs.jobs.length === 0);
}

function createJobRow(job, actions) {
  // The handlers look the job up by name at click time, so they act on the
  // latest state rather than on the one this row was built from.
  const name = job.name;
  return el(
    "tr",
    { dataset: { job: name } },
    el(
      "td",
      { class: "job" },
      el("div", { class: "job-name" }),
      el("div", { class: "schedule" }, el("code", { class: "cron" }), " ", el("span", { class: "muted tz" })),
    ),
    el("td", { class: "next num", "data-label": "next" }),
    el("td", { class: "job-status" }),
    el(
      "td",
      { class: "actions" },
      el("button", { type: "button", class: "danger act-run", onclick: () => actions.run(name) }, "Run…"),
      el("button", { type: "button", class: "act-history", onclick: () => actions.history(name) }, "History"),
    ),
  );
}

function updateJobRow(row, job) {
  const name = row.querySelector(".job-name");
  setText(name, job.critical ? `${job.name} !` : job.name);
  name.title = job.critical
    ? `${job.name} is critical: a failed, timed-out or missed run opens an incident`
    : job.name;
  setText(row.querySelector(".cron"), job.cron);
  setText(row.querySelector(".tz"), job.timezone);
  setText(row.querySelector(".next"), nextRun(job));
  const status = job.running ? "running" : job.last_status || "none";
  const cell = row.querySelector(".job-status");
  setText(cell, status === "none" ? "no runs" : status);
  cell.className = `job-status status-${status}`;
  cell.title = job.last_run_at ? `newest run started ${clockTime(job.last_run_at)} UTC` : "";
}

/** Describe a job's next run in UTC, or why it has none. */
function nextRun(job) {
  if (!job.enabled) return "disabled";
  if (!job.next_run_at) return "not scheduled";
  return dayAndMinute(job.next_run_at);
}

function dayAndMinute(value) {
  const text = new Date(value).toISOString();
  return `${text.slice(5, 10)} ${text.slice(11, 16)}`;
}

// -- run history ---------------------------------------------------------------

let shownJob = null;

/** Open the run history dialog of job `name`. */
export async function showJobHistory(name) {
  document.getElementById("job-history-dialog")?.close();
  const dialog = el(
    "dialog",
    { id: "job-history-dialog", class: "incident-dialog job-history", "aria-labelledby": "job-history-title" },
    el(
      "header",
      {},
      el("h2", { id: "job-history-title" }, `Runs of ${name}`),
      el("button", { type: "button", class: "close", onclick: () => dialog.close() }, "Close"),
    ),
    el("p", { class: "note history-state" }, "loading…"),
    el("div", { class: "history-body" }),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (shownJob?.name === name) shownJob = null;
  });
  document.body.append(dialog);
  dialog.showModal();
  shownJob = { name, dialog, loads: 0 };
  await loadHistory(shownJob);
}

/** Read the history again if the dialog shows job `name`. */
export async function refreshJobHistory(name) {
  if (shownJob?.name === name) await loadHistory(shownJob);
}

async function loadHistory(history) {
  // A run's start and end events come close together; only the newest
  // read may draw, so a slow earlier response cannot replace a newer one.
  const load = ++history.loads;
  const current = () => history.dialog.open && load === history.loads;
  const state = history.dialog.querySelector(".history-state");
  let runs;
  try {
    const path = `/api/jobs/${encodeURIComponent(history.name)}/history?limit=${HISTORY_LIMIT}`;
    runs = await request("GET", path);
  } catch (error) {
    if (!current()) return;
    state.className = "error history-state";
    setText(state, describeError(error, `reading the run history of ${history.name}`));
    return;
  }
  if (!current()) return;
  state.className = "note history-state";
  if (runs.length === 0) setText(state, `${history.name} has no runs yet.`);
  else if (runs.length >= HISTORY_LIMIT) setText(state, `The newest ${HISTORY_LIMIT} runs, newest first. Times are UTC.`);
  else setText(state, `${runs.length} run(s), newest first. Times are UTC.`);
  history.dialog.querySelector(".history-body").replaceChildren(runs.length ? historyTable(runs) : "");
}

function historyTable(runs) {
  const headings = ["run", "scheduled", "started", "ended", "took", "status", "rows", "trigger", "late", "error or detail"];
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { class: "runs" },
      el("thead", {}, el("tr", {}, ...headings.map((name) => el("th", {}, name)))),
      el("tbody", {}, ...runs.map(runRow)),
    ),
  );
}

function runRow(run) {
  const late = run.lateness_seconds === null ? "-" : duration(run.lateness_seconds);
  const trigger = run.trigger === "manual" ? `manual by ${run.actor}` : run.trigger;
  return el(
    "tr",
    { dataset: { run: run.id } },
    el("td", { class: "num" }, String(run.id)),
    el("td", { class: "num" }, run.scheduled_at ? `${dayAndMinute(run.scheduled_at)}` : "-"),
    el("td", { class: "num" }, clockTime(run.started_at)),
    el("td", { class: "num" }, clockTime(run.ended_at)),
    el("td", { class: "num" }, duration(run.seconds)),
    el("td", { class: `run-status status-${run.status}` }, run.status),
    el("td", { class: "num" }, run.rows === null ? "-" : String(run.rows)),
    el("td", { class: "trigger" }, trigger),
    el("td", { class: "num late" }, late),
    el("td", { class: "run-error" }, run.error ?? run.detail ?? ""),
  );
}
