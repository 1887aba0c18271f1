// Trend charts for the metric cards, drawn as inline SVG.

import { svg } from "./dom.js";

const WIDTH = 200;
const HEIGHT = 48;

/**
 * Draw `history` (oldest first, one value per poll, null where the poll had
 * no value) as a line with a filled area. The newest value sits at the right
 * edge. `capacity` is how many polls the full width spans, so a short history
 * fills only the right part instead of stretching. The y axis starts at 0 and
 * ends at `ceiling` (100 for percentages) or a little above the largest value,
 * so a flat low line stays low. `limit` draws a dashed threshold line.
 */
export function trendChart(history, { capacity, ceiling = null, limit = null, label }) {
  const span = Math.max(capacity ?? history.length, history.length, 2) - 1;
  const values = history.filter((value) => value !== null);
  const largest = Math.max(0, ...values, limit ?? 0);
  const top = ceiling ?? (largest > 0 ? largest * 1.15 : 1);
  const x = (index) => WIDTH - ((history.length - 1 - index) * WIDTH) / span;
  const y = (value) => HEIGHT - (Math.min(value, top) / top) * (HEIGHT - 2) - 1;

  const chart = svg("svg", {
    class: "trend",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    preserveAspectRatio: "none",
    role: "img",
    "aria-label": label,
  });
  chart.append(svg("title", {}, label));
  if (limit !== null && limit <= top) {
    const level = y(limit).toFixed(1);
    chart.append(
      svg("line", {
        class: "trend-limit",
        x1: 0,
        x2: WIDTH,
        y1: level,
        y2: level,
        "vector-effect": "non-scaling-stroke",
      }),
    );
  }
  for (const run of runs(history)) {
    const points = run.map(([index, value]) => [x(index), y(value)]);
    if (points.length === 1) {
      // One reading between gaps: a short flat stroke so it stays visible.
      const [[px, py]] = points;
      points.splice(0, 1, [px - 1, py], [px + 1, py]);
    }
    const line = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
    const first = points[0][0].toFixed(1);
    const last = points[points.length - 1][0].toFixed(1);
    chart.append(
      svg("polygon", { class: "trend-area", points: `${first},${HEIGHT} ${line} ${last},${HEIGHT}` }),
      svg("polyline", {
        class: "trend-line",
        points: line,
        "vector-effect": "non-scaling-stroke",
      }),
    );
  }
  return chart;
}

/** Split a series into runs of consecutive non-null values, with their indexes. */
function runs(history) {
  const result = [];
  let current = [];
  history.forEach((value, index) => {
    if (value === null) {
      if (current.length) result.push(current);
      current = [];
    } else {
      current.push([index, value]);
    }
  });
  if (current.length) result.push(current);
  return result;
}
