// The data validation panel: the score, the failing rules with their
// violation counts, a Run now control, and the dialog with every rule's
// outcome and sample keys.

import { describeError, request } from "./api.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { age, clockTime, duration } from "./format.js";

/**
 * Update the validation panel. `actions` has run (ask, then run the rules
 * now) and rules (open the dialog, with a rule name to show first).
 */
export function renderValidation(body, validation, actions, secondsSince) {
  if (body.querySelector(".validation-score") === null) {
    body.replaceChildren(
      el("p", { class: "validation-score" }),
      el("p", { class: "validation-counts muted" }),
      el("p", { class: "validation-error error" }),
      el("ul", { class: "failing-rules plain" }),
      el(
        "div",
        { class: "validation-actions" },
        el("button", { type: "button", class: "act-rules", onclick: () => actions.rules(null) }, "All rules"),
        el("button", { type: "button", class: "danger act-run-checks", onclick: () => actions.run() }, "Run now…"),
      ),
    );
  }
  renderScore(body.querySelector(".validation-score"), validation);
  setText(body.querySelector(".validation-counts"), countsText(validation, secondsSince));
  const error = body.querySelector(".validation-error");
  const failedPart = validation.run_at ? "last cycle incomplete" : "first run failed";
  setText(error, validation.error ? `${failedPart}: ${validation.error}` : "");
  toggle(error, "hidden", !validation.error);
  syncKeyed(
    body.querySelector(".failing-rules"),
    validation.failing,
    (rule) => rule.rule,
    (rule) => failingRow(rule, actions),
    updateFailingRow,
  );
  toggle(body.querySelector(".validation-actions"), "hidden", !validation.configured);
}

function renderScore(node, validation) {
  if (!validation.configured) {
    setText(node, "no rules configured in config/validation_rules.yaml");
    node.className = "validation-score note";
  } else if (validation.run_at === null) {
    setText(node, "no run yet");
    node.className = "validation-score note";
  } else if (validation.pass_percent === null) {
    setText(node, "no rule evaluated");
    node.className = "validation-score state-warn";
  } else {
    const percent = Math.round(validation.pass_percent);
    setText(node, `${percent}% · ${validation.passed}/${validation.evaluated} passed`);
    node.className = `validation-score ${validation.failing.length ? "state-critical" : "state-ok"}`;
  }
}

function countsText(validation, secondsSince) {
  if (!validation.configured) return "";
  const parts = [];
  if (validation.not_evaluated) parts.push(`${validation.not_evaluated} not evaluated`);
  if (validation.errors) parts.push(`${validation.errors} could not run`);
  if (validation.run_at) {
    parts.push(`ran ${clockTime(validation.run_at)} UTC (${age(secondsSince(validation.run_at))} ago)`);
  }
  parts.push(`${validation.rules} rules every ${validation.interval_seconds}s`);
  return parts.join(" · ");
}

function failingRow(rule, actions) {
  const name = rule.rule;
  return el(
    "li",
    { dataset: { rule: name } },
    el("span", { class: "severity" }),
    " ",
    el("span", { class: "violations num" }),
    " ",
    el("span", { class: "rule-name" }),
    " ",
    el("span", { class: "muted rule-table" }),
    " ",
    el("button", { type: "button", class: "act-samples", onclick: () => actions.rules(name) }, "Samples"),
  );
}

function updateFailingRow(row, rule) {
  const severity = row.querySelector(".severity");
  setText(severity, rule.severity);
  severity.className = `severity severity-${rule.severity}`;
  setText(row.querySelector(".violations"), `${rule.violations} violation(s)`);
  setText(row.querySelector(".rule-name"), rule.rule);
  setText(row.querySelector(".rule-table"), rule.table);
}

// -- every rule with its samples ----------------------------------------------

let shownRules = null;

/** Open the dialog with every rule of the last run; `first` is shown open. */
export async function showRules(first) {
  document.getElementById("validation-dialog")?.close();
  const dialog = el(
    "dialog",
    { id: "validation-dialog", class: "incident-dialog validation-rules", "aria-labelledby": "validation-title" },
    el(
      "header",
      {},
      el("h2", { id: "validation-title" }, "Validation rules of the last run"),
      el("button", { type: "button", class: "close", onclick: () => dialog.close() }, "Close"),
    ),
    el("p", { class: "note rules-state" }, "loading…"),
    el("div", { class: "rules-body" }),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    shownRules = null;
  });
  document.body.append(dialog);
  dialog.showModal();
  shownRules = { dialog, first, loads: 0 };
  await loadRules(shownRules);
}

/** Read the scorecard again if the dialog is open. */
export async function refreshRules() {
  if (shownRules !== null) await loadRules(shownRules);
}

async function loadRules(shown) {
  // Only the newest read may draw, so a slow response cannot replace a newer one.
  const load = ++shown.loads;
  const current = () => shown.dialog.open && load === shown.loads;
  const state = shown.dialog.querySelector(".rules-state");
  let scorecard;
  try {
    scorecard = await request("GET", "/api/validation/scorecard");
  } catch (error) {
    if (!current()) return;
    state.className = "error rules-state";
    setText(state, describeError(error, "reading the validation scorecard"));
    return;
  }
  if (!current()) return;
  state.className = "note rules-state";
  setText(state, scorecardSummary(scorecard));
  // Keep the rules the user opened open across a refresh.
  const body = shown.dialog.querySelector(".rules-body");
  const open = new Set([...body.querySelectorAll("details[open]")].map((node) => node.dataset.rule));
  if (shown.first) open.add(shown.first);
  shown.first = null;
  body.replaceChildren(...ordered(scorecard.results).map((result) => ruleDetails(result, open.has(result.rule))));
}

function scorecardSummary(scorecard) {
  if (scorecard.run_at === null) {
    return scorecard.error ? `The first run failed: ${scorecard.error}` : "The rules have not run yet.";
  }
  const score = scorecard.pass_percent === null ? "no rule evaluated" : `${Math.round(scorecard.pass_percent)}% passed`;
  let text =
    `${score} (${scorecard.passed} of ${scorecard.evaluated} evaluated rules). ` +
    `Ran at ${clockTime(scorecard.run_at)} UTC in ${duration(scorecard.seconds)}.`;
  if (scorecard.error) text += ` The last cycle was incomplete: ${scorecard.error}`;
  return text;
}

const OUTCOME_ORDER = { fail: 0, error: 1, "not evaluated": 2, pass: 3 };
const SEVERITY_ORDER = { critical: 0, warning: 1 };

function ordered(results) {
  return [...results].sort(
    (a, b) =>
      (OUTCOME_ORDER[a.outcome] ?? 4) - (OUTCOME_ORDER[b.outcome] ?? 4) ||
      (SEVERITY_ORDER[a.severity] ?? 2) - (SEVERITY_ORDER[b.severity] ?? 2) ||
      b.violations - a.violations ||
      a.rule.localeCompare(b.rule),
  );
}

function ruleDetails(result, open) {
  // A rule that could not run or was not evaluated counted nothing.
  const evaluated = result.outcome === "pass" || result.outcome === "fail";
  const counts = evaluated ? [`${result.violations} violation(s)`] : [];
  if (result.rows_checked !== null) counts.push(`${result.rows_checked} row(s) checked`);
  if (result.nulls_skipped !== null) counts.push(`${result.nulls_skipped} NULL(s) skipped`);
  const samples = result.samples.map((sample) =>
    el(
      "li",
      {},
      el(
        "code",
        {},
        Object.entries(sample)
          .map(([column, value]) => `${column}=${value}`)
          .join(", "),
      ),
    ),
  );
  return el(
    "details",
    { dataset: { rule: result.rule }, open },
    el(
      "summary",
      {},
      el("span", { class: `outcome outcome-${result.outcome.replace(" ", "-")}` }, result.outcome),
      " ",
      el("span", { class: `severity severity-${result.severity}` }, result.severity),
      " ",
      el("strong", {}, result.rule),
      " ",
      el("span", { class: "muted" }, result.table),
    ),
    el("p", {}, `${result.type}: ${result.detail || "no detail"}`),
    el("p", { class: "muted" }, counts.join(" · ")),
    samples.length
      ? el("div", {}, el("p", {}, `Sample keys (${samples.length}):`), el("ul", { class: "samples" }, ...samples))
      : el("p", { class: "note" }, "no sample keys recorded"),
  );
}
