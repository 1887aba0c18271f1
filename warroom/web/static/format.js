// Times and durations as the TUI shows them: UTC clock times, short ages.

/** Return "HH:MM:SS" in UTC, or "-" without a time. */
export function clockTime(value) {
  if (!value) return "-";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "-";
  return date.toISOString().slice(11, 19);
}

/** Return a short age such as "42s", "3m05s" or "2h10m". */
export function age(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "-";
  return whole(Math.max(0, Math.floor(seconds)));
}

/** Return a measured duration, with one decimal below ten seconds. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  return whole(Math.floor(seconds));
}

function whole(total) {
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${String(total % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Format a card value: whole numbers as they are, others with one decimal. */
export function figure(value) {
  if (value === null || value === undefined) return "n/a";
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
