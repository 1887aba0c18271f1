// The PHI governance panel: the last catalog scan, the columns that look like
// PHI with the masked export's rule for each, the latest run of each ETL
// pipeline, and the Masked export control. The counterpart of the TUI's
// governance screen.

import { describeError, request } from "./api.js";
import { el, setText, syncKeyed, toggle } from "./dom.js";
import { clockTime, duration } from "./format.js";

// A pipeline whose newest run is older than this many lineage rows of the
// others does not show, as in the TUI.
const LINEAGE_ROWS = 500;
// Scans, classifications and job runs send events. The panel also reads
// again at the first refresh after this long, for lineage that an ETL run
// outside the war room's jobs wrote.
const REFRESH_SECONDS = 60;

/**
 * The governance panel. The page's refresh loop calls `load()` when
 * `needsLoad` is true, so its reads share that loop's rule of one fetch in
 * flight. `settings()` returns the sidecar's settings (for the mask rules),
 * and `notify(text, level)` shows a message.
 */
export class GovernancePanel {
  constructor(root, { settings, notify }) {
    this.root = root;
    this.settings = settings;
    this.notify = notify;
    this.stale = true;
    this.scanMissing = false;
    this.loadedAt = null; // Date.now() of the last load, failed or not
    root.querySelector(".mask-export").addEventListener("submit", (event) => {
      event.preventDefault();
      this.exportMasked();
    });
  }

  get needsLoad() {
    // Before the first scan ends, read at every refresh, because it is near.
    if (this.stale || this.scanMissing) return true;
    return this.loadedAt !== null && Date.now() - this.loadedAt >= REFRESH_SECONDS * 1000;
  }

  /** Ask for a load at the next refresh. */
  markStale() {
    this.stale = true;
  }

  /** Mark the panel stale when job `name` scans the catalog or runs an ETL pipeline. */
  onJob(name, jobs) {
    const action = jobs?.find((job) => job.name === name)?.action ?? "";
    if (action === "catalog_scan" || action.startsWith("etl_")) this.markStale();
  }

  async load() {
    this.stale = false;
    const error = this.root.querySelector(".governance-error");
    try {
      const [phi, lineage] = await Promise.all([
        request("GET", "/api/governance/catalog/phi"),
        request("GET", `/api/governance/lineage?limit=${LINEAGE_ROWS}`),
      ]);
      this.loadedAt = Date.now();
      this.scanMissing = phi.scan === null;
      this.render(phi, lineage);
      setText(error, "");
      toggle(error, "hidden", true);
    } catch (failure) {
      // The tables keep the last good read, and the error shows why none is newer.
      this.loadedAt = Date.now();
      setText(error, describeError(failure, "reading the catalog and lineage"));
      toggle(error, "hidden", false);
    }
  }

  render(phi, lineage) {
    setText(this.root.querySelector(".governance-scan"), scanText(phi));
    const governance = this.settings()?.governance;
    const masking = governance?.masking ?? {};
    const exported = governance?.exported ?? {};
    const columns = ordered(phi.columns, masking, exported);
    syncKeyed(
      this.root.querySelector(".phi-rows"),
      columns,
      (column) => `${column.table}.${column.column}`,
      () => el("tr", {}, ...PHI_CELLS.map((name) => el("td", { class: name }))),
      (row, column) => updatePhiRow(row, column, masking, exported),
    );
    toggle(this.root.querySelector(".phi-empty"), "hidden", columns.length > 0);

    const runs = latestRuns(lineage.rows);
    syncKeyed(
      this.root.querySelector(".lineage-rows"),
      runs,
      (run) => run.pipeline,
      () => el("tr", {}, ...LINEAGE_CELLS.map((name) => el("td", { class: name }))),
      updateLineageRow,
    );
    const note = this.root.querySelector(".lineage-note");
    setText(note, runs.length ? "" : lineage.note);
    toggle(note, "hidden", runs.length > 0);
  }

  /** Send POST /api/governance/mask-export and show where the file went. */
  async exportMasked() {
    const form = this.root.querySelector(".mask-export");
    const format = form.querySelector(".export-format").value;
    const typed = form.querySelector(".export-path").value.trim();
    const path = typed || defaultExportPath(format, new Date());
    const result = this.root.querySelector(".export-result");
    const button = form.querySelector("button");
    button.disabled = true;
    result.className = "export-result note";
    setText(result, `writing the masked export to ${path}…`);
    try {
      const written = await request("POST", "/api/governance/mask-export", { format, path });
      result.className = "export-result";
      setText(result, exportText(written));
      this.notify(`masked export of ${written.rows} patient(s) written to ${written.path}`, "info");
    } catch (failure) {
      result.className = "export-result error";
      setText(result, describeError(failure, "the masked export"));
    } finally {
      button.disabled = false;
    }
  }
}

/** Return `patients-masked-<UTC time>.<format>`, relative to the exports folder, as the CLI names it. */
export function defaultExportPath(format, now) {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `patients-masked-${stamp}.${format}`;
}

function exportText(written) {
  const masked = Object.entries(written.masked)
    .map(([column, rule]) => `${column} (${rule})`)
    .join(", ");
  return (
    `Wrote ${written.rows} patient(s) to ${written.path} as ${written.format.toUpperCase()} ` +
    `in ${duration(written.seconds)}. Masked: ${masked || "no column"}.`
  );
}

function scanText(phi) {
  const scan = phi.scan;
  if (scan === null) {
    return "No catalog scan yet. The engine scans after its first poll, then every governance.scan_interval_seconds and at each catalog_scan job run.";
  }
  const counts = `${scan.tables} tables, ${scan.columns} columns, ${scan.added} added, ${scan.dropped} dropped`;
  const open = phi.unclassified
    ? `${phi.unclassified} unclassified, each an open governance finding`
    : "every one classified";
  return `Catalog scan ${scan.id} at ${clockTime(scan.scanned_at)} UTC: ${counts}. ${phi.columns.length} PHI columns, ${open}.`;
}

const PHI_CELLS = ["table", "column", "category", "num confidence", "mask", "phi-status"];
const LINEAGE_CELLS = ["pipeline", "flow", "num read", "num written", "num rejected", "num took", "ended"];

function maskRule(column, masking) {
  return masking[column.table]?.[column.column] ?? null;
}

/** Tell whether the masked export writes the column. */
function isExported(column, exported) {
  return exported[column.table]?.includes(column.column) ?? false;
}

/** Return a mask rule in a few words: hash, full, first 4. */
export function ruleText(rule) {
  if (rule === null) return "no rule";
  if (rule.rule !== "partial") return rule.rule;
  const visible = [];
  if (rule.keep_first) visible.push(`first ${rule.keep_first}`);
  if (rule.keep_last) visible.push(`last ${rule.keep_last}`);
  return visible.join(", ");
}

/**
 * Return the columns unclassified first, then those the masked export writes
 * without a rule, then the rest.
 */
function ordered(columns, masking, exported) {
  const urgency = (column) => {
    if (column.classification === null) return 0;
    const unmasked = isExported(column, exported) && maskRule(column, masking) === null;
    return unmasked ? 1 : 2;
  };
  // Array.prototype.sort is stable, so each group keeps the catalog's order.
  return [...columns].sort((a, b) => urgency(a) - urgency(b));
}

function updatePhiRow(row, column, masking, exported) {
  const cell = (name) => row.querySelector(`td.${name}`);
  setText(cell("table"), column.table);
  setText(cell("column"), column.column);
  setText(cell("category"), column.classification ?? column.detected_category ?? "-");
  const confidence = column.detected_confidence;
  setText(cell("confidence"), confidence === null ? "-" : confidence.toFixed(2));
  // A column the masked export leaves out needs no rule.
  const written = isExported(column, exported);
  const rule = maskRule(column, masking);
  setText(cell("mask"), written ? ruleText(rule) : "-");
  toggle(cell("mask"), "severity-warning", written && rule === null);
  const status = cell("phi-status");
  const unclassified = column.classification === null;
  setText(status, unclassified ? "unclassified" : `classified by ${column.classified_by}`);
  toggle(status, "severity-warning", unclassified);
  row.title = column.detected_reason ?? "";
}

/** Return the newest run of each pipeline, newest first. */
export function latestRuns(rows) {
  const seen = new Map();
  const newestFirst = [...rows].sort((a, b) => Date.parse(b.ended_at) - Date.parse(a.ended_at));
  for (const row of newestFirst) if (!seen.has(row.pipeline)) seen.set(row.pipeline, row);
  return [...seen.values()];
}

function updateLineageRow(row, run) {
  const cell = (name) => row.querySelector(`td.${name}`);
  setText(cell("pipeline"), run.pipeline);
  setText(cell("flow"), `${run.source} → ${run.target}`);
  setText(cell("read"), run.rows_read.toLocaleString("en-US"));
  setText(cell("written"), run.rows_written.toLocaleString("en-US"));
  setText(cell("rejected"), run.rows_rejected.toLocaleString("en-US"));
  toggle(cell("rejected"), "severity-warning", run.rows_rejected > 0);
  setText(cell("took"), duration(run.duration_ms / 1000));
  setText(cell("ended"), `${run.ended_at.slice(5, 10)} ${clockTime(run.ended_at)}`);
}
