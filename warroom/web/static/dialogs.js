// Modal dialogs: confirmations, and one incident with its timeline and
// postmortem.

import { ApiError, describeError, request } from "./api.js";
import { el, setText } from "./dom.js";
import { clockTime, duration } from "./format.js";

/**
 * Ask before an action. Resolve to the dialog's form values (an object, with
 * each checkbox by name) on confirm, or null on cancel or Escape. Cancel has
 * the focus, so a stray Enter does nothing.
 */
export function confirmAction({ title, body, confirmLabel, checkboxes = [], id }) {
  return new Promise((resolve) => {
    const boxes = checkboxes.map((box) =>
      el(
        "label",
        { class: "check" },
        el("input", { type: "checkbox", name: box.name, checked: box.checked }),
        " ",
        box.label,
      ),
    );
    const confirm = el("button", { type: "button", class: "danger confirm" }, confirmLabel);
    const cancel = el("button", { type: "button", class: "cancel" }, "Cancel");
    const dialog = el(
      "dialog",
      { class: "confirm-dialog", id, "aria-labelledby": `${id}-title` },
      el("h2", { id: `${id}-title` }, title),
      ...body.map((part) => (typeof part === "string" ? el("p", {}, part) : part)),
      ...boxes,
      el("div", { class: "buttons" }, cancel, confirm),
    );
    let answer = null;
    confirm.addEventListener("click", () => {
      answer = {};
      for (const input of dialog.querySelectorAll("input[type=checkbox]")) {
        answer[input.name] = input.checked;
      }
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

let shownIncident = null;

/** Open the incident dialog for `incidentId`, showing its postmortem if written. */
export async function showIncident(incidentId, { focusPostmortem = false } = {}) {
  document.getElementById("incident-dialog")?.close();
  const dialog = el(
    "dialog",
    { id: "incident-dialog", class: "incident-dialog", "aria-labelledby": "incident-dialog-title" },
    el(
      "header",
      {},
      el("h2", { id: "incident-dialog-title" }, `Incident ${incidentId}`),
      el("button", { type: "button", class: "close", onclick: () => dialog.close() }, "Close"),
    ),
    el("div", { class: "incident-body" }, el("p", { class: "note" }, "loading…")),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (shownIncident?.id === incidentId) shownIncident = null;
  });
  document.body.append(dialog);
  dialog.showModal();
  shownIncident = { id: incidentId, dialog, focusPostmortem };
  await loadIncident(shownIncident);
}

/** Reload the incident dialog if it shows `incidentId`. */
export async function refreshIncident(incidentId) {
  if (shownIncident?.id === incidentId) await loadIncident(shownIncident);
}

async function loadIncident(shown) {
  const body = shown.dialog.querySelector(".incident-body");
  let incident;
  try {
    incident = await request("GET", `/api/incidents/${shown.id}`);
  } catch (error) {
    body.replaceChildren(el("p", { class: "error" }, describeError(error, `loading incident ${shown.id}`)));
    return;
  }
  let postmortem = null;
  if (!incident.is_open) {
    try {
      postmortem = (await request("GET", `/api/incidents/${shown.id}/postmortem`)).markdown;
    } catch (error) {
      postmortem = error instanceof ApiError && error.status === 409 ? null : describeError(error, "loading the postmortem");
    }
  }
  if (!shown.dialog.open) return;
  setText(shown.dialog.querySelector("h2"), `Incident ${incident.id}: ${incident.status}`);
  body.replaceChildren(
    summary(incident),
    el("h3", {}, "Timeline"),
    timeline(incident.timeline),
    el("h3", { id: "postmortem-heading" }, "Postmortem"),
    postmortem === null
      ? el(
          "p",
          { class: "note" },
          `No postmortem yet: the engine writes it when incident ${incident.id} resolves (it is ${incident.status} now).`,
        )
      : el("pre", { class: "postmortem", tabindex: 0 }, postmortem),
  );
  if (shown.focusPostmortem && postmortem !== null) {
    // Scroll only the dialog: a plain focus() would scroll the page behind it.
    body.querySelector(".postmortem").focus({ preventScroll: true });
    shown.dialog.scrollTop = body.querySelector("#postmortem-heading").offsetTop - 12;
    shown.focusPostmortem = false;
  }
}

function summary(incident) {
  const rows = [
    ["title", incident.title],
    ["status", incident.status],
    ["severity", incident.severity],
    ["kind", incident.kind],
    ["target", incident.target],
    ["session", incident.session_id ?? "-"],
    ["detected", `${clockTime(incident.detected_at)} UTC (${duration(incident.seconds_to_detect)} after it started)`],
    ["last seen", `${clockTime(incident.last_seen_at)} UTC, ${incident.occurrences} poll(s)`],
    ["resolved", incident.resolved_at ? `${clockTime(incident.resolved_at)} UTC (${duration(incident.seconds_to_resolve)})` : "-"],
    ["root cause", incident.root_cause || "-"],
    ["drill", incident.drill_id ?? "-"],
  ];
  return el(
    "dl",
    { class: "summary" },
    ...rows.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value))]),
  );
}

function timeline(entries) {
  const rows = entries.map((entry) =>
    el(
      "tr",
      {},
      el("td", { class: "num" }, clockTime(entry.at)),
      el("td", {}, entry.actor),
      el("td", {}, entry.action),
      el("td", {}, entry.from_status && entry.to_status ? `${entry.from_status} → ${entry.to_status}` : ""),
      el("td", { class: "entry-message" }, entry.message),
    ),
  );
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { class: "timeline" },
      el(
        "thead",
        {},
        el("tr", {}, ...["at (UTC)", "actor", "action", "status", "message"].map((name) => el("th", {}, name))),
      ),
      el("tbody", {}, ...rows),
    ),
  );
}
