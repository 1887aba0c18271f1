// The SLA panel: figures over the incidents detected in the last 24 hours,
// from GET /api/incidents/metrics/sla, the counterpart of the TUI's SLA line.

import { describeError, request } from "./api.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { duration } from "./format.js";

const SLA_HOURS = 24;
// Between incident events the panel reads again at the first refresh after
// this long, so an open incident that passes its target shows as a breach.
const REFRESH_SECONDS = 60;

/**
 * The SLA panel. The page's refresh loop calls `load()` when `needsLoad` is
 * true, so this fetch shares its rule of one fetch in flight.
 */
export class SlaPanel {
  /** `root` is the panel's section. */
  constructor(root) {
    this.root = root;
    this.stale = true;
    this.loadedAt = null; // Date.now() of the last load, failed or not
  }

  get needsLoad() {
    if (this.stale) return true;
    return this.loadedAt !== null && Date.now() - this.loadedAt >= REFRESH_SECONDS * 1000;
  }

  /** Ask for a load at the next refresh, after an incident event. */
  markStale() {
    this.stale = true;
  }

  async load() {
    this.stale = false;
    const error = this.root.querySelector(".sla-error");
    try {
      const body = await request("GET", `/api/incidents/metrics/sla?hours=${SLA_HOURS}`);
      this.loadedAt = Date.now();
      renderSla(this.root, body);
      setText(error, "");
      toggle(error, "hidden", true);
    } catch (failure) {
      // The figures stay from the last good read; the error shows why none is newer.
      this.loadedAt = Date.now();
      setText(error, describeError(failure, "reading the SLA figures"));
      toggle(error, "hidden", false);
    }
  }
}

/** Render an SLA body into the panel's figure list. */
export function renderSla(root, sla) {
  setText(root.querySelector(".sla-window"), `(last ${sla.hours} h)`);
  const targets = `targets: critical ${sla.targets.critical_minutes} min, warning ${sla.targets.warning_minutes} min`;
  setText(root.querySelector(".sla-targets"), targets);
  syncKeyed(root.querySelector(".sla-figures"), slaFigures(sla), (item) => item.key, createFigure, updateFigure);
}

/** Return the figures the panel lists: key, label, value and a warning flag. */
export function slaFigures(sla) {
  const share = sla.automatic_share;
  return [
    { key: "open-breaches", label: "open breaches", value: String(sla.open_breaches), warn: sla.open_breaches > 0 },
    { key: "breaches", label: "breaches", value: String(sla.breaches), warn: sla.breaches > 0 },
    { key: "incidents", label: "incidents", value: `${sla.total} (${sla.open} open, ${sla.drills} from drills)` },
    { key: "mttd", label: "mean time to detect", value: meanOf(sla.mean_seconds_to_detect) },
    { key: "mtta", label: "mean time to acknowledge", value: meanOf(sla.mean_seconds_to_acknowledge) },
    { key: "mttr", label: "mean time to resolve", value: meanOf(sla.mean_seconds_to_resolve) },
    {
      key: "automatic",
      label: "resolved without a person",
      value: share === null ? "n/a" : `${Math.round(share * 100)}% of ${sla.resolved}`,
    },
  ];
}

function meanOf(seconds) {
  return seconds === null ? "n/a" : duration(seconds);
}

function createFigure() {
  return el("div", { class: "sla-figure" }, el("dt"), el("dd"));
}

function updateFigure(node, item) {
  toggle(node, "sla-warn", item.warn);
  setText(node.querySelector("dt"), item.label);
  setText(node.querySelector("dd"), item.value);
}
